#!/usr/bin/env bash
# ACME issuance benchmark: `certkeeper acme issue` vs lego v5 (tools/go/lego: lego-run, a driver of
# the lego library; see its header), against one dedicated Pebble, in the same run.
#
#   bench/acme/run.sh [N]        N issuances per peer (default: $BENCH_N, else 10)
#
# Environment:
#   CERTKEEPER_BIN   the certkeeper binary (default: build/release/cmd/certkeeper/certkeeper, built)
#   BENCH_ENV_DIR    reuse the testenv running in this directory (default: a private one in
#                    build/bench-acme-env, brought up and torn down here)
#   BENCH_PEERS      which peers to run (default "certkeeper lego"; "lego" alone checks that half)
#   BENCH_OUT        where results and logs go (default build/bench; the table: acme-results.md)
#
# Each issuance is one process and one new order for a fresh name (bench-<peer>-<i>.example.test,
# resolved to 127.0.0.1 by the environment's BIND9), HTTP-01 answered by the peer itself on the
# Pebble's HTTP-01 port, a new P-256 certificate key. Before the timed runs each peer makes one
# untimed issuance that also registers its account (P-256 key), reused by every timed run. The
# peers alternate A B B A ... so drift over the run falls on both. Requests are counted from
# Pebble's log ("<METHOD> <route> -> calling handler()"): the lines each run adds.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
N="${1:-${BENCH_N:-10}}"
PEERS="${BENCH_PEERS:-certkeeper lego}"
OUT="${BENCH_OUT:-$ROOT/build/bench}"
export PATH="/usr/local/go/bin:$PATH"
EMAIL="bench@example.test"

die() { echo "bench/acme: $*" >&2; exit 1; }
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"
want() { [[ " $PEERS " == *" $1 "* ]]; }

# 1. The peers.
if want certkeeper; then
  if [[ -z "${CERTKEEPER_BIN:-}" ]]; then
    cmake --preset release >/dev/null
    cmake --build --preset release --target certkeeper >/dev/null
    CERTKEEPER_BIN="$ROOT/build/release/cmd/certkeeper/certkeeper"
  fi
  [[ -x "$CERTKEEPER_BIN" ]] || die "no certkeeper binary at $CERTKEEPER_BIN"
  "$CERTKEEPER_BIN" acme issue --help >/dev/null 2>&1 ||
    die "$CERTKEEPER_BIN has no 'acme issue' subcommand (BENCH_PEERS=lego runs the lego half alone)"
fi
if want lego; then
  "$ROOT/tools/go-tools.sh" ensure lego
  LEGO="$("$ROOT/tools/go-tools.sh" bindir lego)/lego-run"
fi

# 2. The environment and a dedicated Pebble: no challenge responder, no nonce rejection.
PEBBLE_NAME=bench-acme
if [[ -n "${BENCH_ENV_DIR:-}" ]]; then
  ENV_DIR="$(cd "$BENCH_ENV_DIR" && pwd)"
  [[ -f "$ENV_DIR/testenv.env" ]] || die "no testenv runs in $ENV_DIR"
  "$ROOT/tools/testenv" pebble-stop "$PEBBLE_NAME" --dir "$ENV_DIR" >/dev/null 2>&1 || true
  trap '"$ROOT/tools/testenv" pebble-stop "$PEBBLE_NAME" --dir "$ENV_DIR" >/dev/null 2>&1' EXIT
else
  ENV_DIR="$ROOT/build/bench-acme-env"
  "$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1 || true
  "$ROOT/tools/testenv" up --dir "$ENV_DIR" --owner-pid $$ >/dev/null
  trap '"$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1' EXIT
fi
HTTP_PORT=""
used=$(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u)
for _ in $(seq 1 100); do
  p=$((20000 + RANDOM % 40000))
  grep -qx "$p" <<<"$used" || { HTTP_PORT=$p; break; }
done
[[ -n "$HTTP_PORT" ]] || die "no free port for HTTP-01"
PEBBLE_ENV=$("$ROOT/tools/testenv" pebble "$PEBBLE_NAME" --dir "$ENV_DIR" --nonce-reject 0 \
  --http01-port "$HTTP_PORT")
set -a; source "$PEBBLE_ENV"; set +a
PLOG="$CK_PEBBLE_LOG_FILE"

WORK="$OUT/acme"
rm -rf "$WORK"
mkdir -p "$WORK"

# 3. One issuance: run_peer PEER NAME TAG. Sets ELAPSED_MS and REQS (the requests it sent, one
# "METHOD /route/" per line) and keeps the peer's output in $WORK/TAG.log.
run_peer() {
  local peer="$1" name="$2" tag="$3" before t0 t1 rc=0
  before=$(wc -l <"$PLOG")
  t0=$(date +%s%N)
  case "$peer" in
    certkeeper)
      mkdir -p "$WORK/certkeeper/out-$tag"
      "$CERTKEEPER_BIN" acme issue --server "$CK_ACME_DIRECTORY" \
        --ca-bundle "$CK_ACME_SERVER_CA_FILE" --account-dir "$WORK/certkeeper/account" \
        --email "$EMAIL" --agree-tos -d "$name" --http-01 --http-port "$CK_PEBBLE_HTTP01_PORT" \
        --key-type ec256 --out-dir "$WORK/certkeeper/out-$tag" >"$WORK/$tag.log" 2>&1 || rc=$?
      ;;
    lego)
      LEGO_CA_CERTIFICATES="$CK_ACME_SERVER_CA_FILE" "$LEGO" --server "$CK_ACME_DIRECTORY" \
        --email "$EMAIL" --accept-tos --http --http.address ":$CK_PEBBLE_HTTP01_PORT" \
        --key-type ec256 --path "$WORK/lego" -d "$name" >"$WORK/$tag.log" 2>&1 || rc=$?
      ;;
  esac
  t1=$(date +%s%N)
  [[ $rc -eq 0 ]] || die "$peer failed issuing $name (exit $rc); last lines of $WORK/$tag.log:
$(tail -n 15 "$WORK/$tag.log")"
  local dir="$WORK/certkeeper/out-$tag"
  [[ $peer == lego ]] && dir="$WORK/lego/certificates"
  grep -rqs -- "-----BEGIN CERTIFICATE-----" "$dir" || die "$peer wrote no certificate under $dir"
  ELAPSED_MS=$(((t1 - t0) / 1000000))
  REQS=$(tail -n +"$((before + 1))" "$PLOG" | sed -n 's/.* \([A-Z]*\) \(\/[^ ]*\) -> calling handler().*/\1 \2/p')
}

declare -A MS=() COUNTS=() ROUTES=()
for peer in $PEERS; do
  echo "bench/acme: $peer: untimed first issuance (registers the account)" >&2
  run_peer "$peer" "bench-$peer-0.example.test" "$peer-0"
  printf '%s\n' "$REQS" >"$WORK/$peer-0.requests"
done
order=($PEERS)
for i in $(seq 1 "$N"); do
  # A B, then B A: alternate which peer goes first.
  if ((i % 2 == 0)); then
    seq_peers=(); for ((k = ${#order[@]} - 1; k >= 0; k--)); do seq_peers+=("${order[k]}"); done
  else
    seq_peers=("${order[@]}")
  fi
  for peer in "${seq_peers[@]}"; do
    run_peer "$peer" "bench-$peer-$i.example.test" "$peer-$i"
    printf '%s\n' "$REQS" >"$WORK/$peer-$i.requests"
    MS[$peer]+="$ELAPSED_MS"$'\n'
    COUNTS[$peer]+="$(grep -c . <<<"$REQS" || true)"$'\n'
    ROUTES[$peer]+="$REQS"$'\n'
    echo "bench/acme: $peer #$i: ${ELAPSED_MS} ms, $(grep -c . <<<"$REQS" || true) requests" >&2
  done
done

# 4. Report.
# Nearest-rank percentile of the numbers on stdin: pct P.
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {r=int((p*NR+99)/100); if (r<1) r=1; print a[r]}'; }
mean() { awk '{s+=$1} END {printf "%.0f", s/NR}'; }
# "METHOD /route/ ×mean" per route, in protocol order, averaged over N issuances.
by_route() {
  grep . | sort | uniq -c | awk -v n="$N" '
    BEGIN { split("GET /dir|HEAD /nonce-plz|POST /sign-me-up|POST /my-account/|POST /order-plz|POST /authZ/|POST /chalZ/|POST /finalize-order/|POST /my-order/|POST /certZ/", o, "|")
            for (i in o) rank[o[i]] = i }
    { c = $1; $1 = ""; sub(/^ /, ""); k[$0] = c }
    END { for (r in k) printf "%d\t%s ×%s\n", (r in rank ? rank[r] : 99), r, (k[r] % n ? sprintf("%.2f", k[r] / n) : k[r] / n) }' |
    sort -n | cut -f2 | paste -sd, | sed 's/,/, /g'
}
ck_version=""; lego_version=""
want certkeeper && ck_version=$("$CERTKEEPER_BIN" version 2>/dev/null | head -n1)
want lego && lego_version=$("$LEGO" --version)
source "$ROOT/tools/versions.env"
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n1)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
{
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($cpu), $mem, $(uname -sr); Pebble $PEBBLE_VERSION" \
    "(nonce rejection 0 %, Retry-After 1 s on pending authorizations and processing orders);" \
    "${ck_version:+certkeeper: $ck_version; }${lego_version:+$lego_version, $(go env GOVERSION); }N=$N per peer."
  echo
  echo "| peer | issuances | median ms | p90 ms | mean ms | ACME requests / issuance (median) | requests per issuance by route (mean) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  declare -A med=() avg=()
  for peer in $PEERS; do
    label=$peer; [[ $peer == lego ]] && label="lego $LEGO_VERSION (lego-run)"
    med[$peer]=$(pct 50 <<<"${MS[$peer]%$'\n'}")
    avg[$peer]=$(mean <<<"${MS[$peer]%$'\n'}")
    echo "| $label | $N | ${med[$peer]} | $(pct 90 <<<"${MS[$peer]%$'\n'}") | ${avg[$peer]} |" \
      "$(pct 50 <<<"${COUNTS[$peer]%$'\n'}") | $(by_route <<<"${ROUTES[$peer]}") |"
  done
  if want certkeeper && want lego; then
    printf '| **ratio lego / certkeeper** | | %.2f× | %.2f× | %.2f× | | |\n' \
      "$(bc -l <<<"${med[lego]}/${med[certkeeper]}")" \
      "$(bc -l <<<"$(pct 90 <<<"${MS[lego]%$'\n'}")/$(pct 90 <<<"${MS[certkeeper]%$'\n'}")")" \
      "$(bc -l <<<"${avg[lego]}/${avg[certkeeper]}")"
  fi
  echo "| protocol minimum, one process per order | | | | | 8 + polls | GET /dir ×1, HEAD /nonce-plz ×1, POST /order-plz ×1, POST /authZ/ ×2 (fetch, then poll until valid), POST /chalZ/ ×1, POST /finalize-order/ ×1, POST /my-order/ ×(polls while processing), POST /certZ/ ×1 |"
} | tee "$OUT/acme-results.md"
echo "bench/acme: table in $OUT/acme-results.md; per-run logs and request lists in $WORK" >&2
