#!/usr/bin/env bash
# ACME Issuer benchmark: how long `kubectl apply` of a Certificate takes to become Ready through
# `certkeeper controller` (ACME Issuer → Pebble), against the protocol floor — `certkeeper acme
# issue` for the same kind of names against the same Pebble, in the same run — and 200
# Certificates applied at once (wall time, controller CPU seconds, peak RSS).
#
#   bench/acme-issuer/run.sh [N]      N timed Certificates per mode (default $BENCH_N, else 10)
#
# Environment:
#   CERTKEEPER_BIN    the certkeeper binary (default build/release/cmd/certkeeper/certkeeper, built)
#   CK_POD_RUNNER, CK_INGRESS_ROUTER   the stand-ins (default: the dev build's, built)
#   BENCH_BULK        how many Certificates at once (default 200; 0 skips that part)
#   BENCH_OUT         results and logs (default build/bench; the table: acme-issuer-results.md)
#
# Modes, each a fresh name per run: HTTP-01 (controller: solver Pod + Service + Ingress through
# the stand-ins; CLI: its own listener on port 80 of another loopback address) and DNS-01 (both
# RFC 2136 to BIND9). The controller is timed from the moment `kubectl apply` returns to the
# Ready condition as `kubectl wait` sees it (watch-driven); the CLI from start to exit. Runs
# alternate controller / CLI so drift falls on both. Needs root (the stand-ins' netns).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
N="${1:-${BENCH_N:-10}}"
BULK="${BENCH_BULK:-200}"
OUT="${BENCH_OUT:-$ROOT/build/bench}"
die() { echo "bench/acme-issuer: $*" >&2; exit 1; }
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"

if [[ -z "${CERTKEEPER_BIN:-}" ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target certkeeper >/dev/null
  CERTKEEPER_BIN="$ROOT/build/release/cmd/certkeeper/certkeeper"
fi
# The stand-ins are test code (the release preset builds no tests): the dev build's. They only
# carry the HTTP-01 validation; the controller and the CLI under measurement are CERTKEEPER_BIN.
if [[ -z "${CK_POD_RUNNER:-}" ]]; then
  cmake --preset dev >/dev/null
  cmake --build --preset dev --target ck-pod-runner ck-ingress-router >/dev/null
fi
export CERTKEEPER_BIN
export CK_POD_RUNNER="${CK_POD_RUNNER:-$ROOT/build/dev/tests/standins/ck-pod-runner}"
export CK_INGRESS_ROUTER="${CK_INGRESS_ROUTER:-$ROOT/build/dev/tests/standins/ck-ingress-router}"
for b in "$CERTKEEPER_BIN" "$CK_POD_RUNNER" "$CK_INGRESS_ROUTER"; do [[ -x "$b" ]] || die "no $b"; done

ENV_DIR="$ROOT/build/bench-acme-issuer-env"
WORK="$OUT/acme-issuer"
rm -rf "$WORK"; mkdir -p "$WORK"
"$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1 || true
"$ROOT/tools/testenv" up --dir "$ENV_DIR" --owner-pid $$ >/dev/null
set -a; source "$ENV_DIR/testenv.env"; set +a
source "$ROOT/tools/lib/acme-stack.sh"
NS=bench
ROUTER=127.0.90.1 CLI_ADDR=127.0.91.1
ZONE="dns.$CK_DNS_ZONE"
cleanup() {
  stack_controller_stop "$WORK" KILL
  "$ROOT/tests/support/standins.sh" stop "$WORK/standins" >/dev/null 2>&1 || true
  "$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

stack_k create namespace "$NS" >/dev/null
stack_install_crds
"$ROOT/tests/support/rbac-identity.sh" "$NS" "$WORK/controller.kubeconfig"
stack_tsig_secret "$NS"
"$ROOT/tests/support/standins.sh" start "$WORK/standins" "$NS" "$ROUTER" "$CERTKEEPER_BIN" >/dev/null
stack_pebble bench --http01-port 80 --nonce-reject 0
stack_acme_issuer Issuer pebble "$NS" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin "$ZONE" |
  stack_k apply -f - >/dev/null
stack_controller_start "$WORK" "$WORK/controller.kubeconfig" --namespace "$NS" \
  --cluster-resource-namespace "$NS" --acme-http01-solver-image certkeeper:bench \
  --acme-http01-solver-nameservers "$CK_DNS_SERVER" \
  --dns01-recursive-nameservers "$CK_DNS_SERVER" --dns01-recursive-nameservers-only \
  --dns01-check-retry-period 1s
CONTROLLER_PID=$(cat "$WORK/controller.pid")
stack_k -n "$NS" wait --for=condition=Ready issuer/pebble --timeout=60s >/dev/null

now_ms() { date +%s%3N; }
apply_certificate() { # name, dnsName
  printf 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: %s, namespace: %s}\nspec:\n  secretName: %s-tls\n  issuerRef: {name: pebble}\n  privateKey: {algorithm: ECDSA}\n  dnsNames: ["%s"]\n' \
    "$1" "$NS" "$1" "$2" | stack_k apply -f - >/dev/null
}
controller_run() { # mode i → ms
  local name="c-$1-$2" dns
  if [[ $1 == http01 ]]; then dns="$name.$CK_DNS_ZONE"; stack_dns "$dns" A "$ROUTER"; else dns="$name.$ZONE"; fi
  apply_certificate "$name" "$dns"
  local t0; t0=$(now_ms)
  stack_k -n "$NS" wait --for=condition=Ready "certificate/$name" --timeout=120s >/dev/null
  echo $(($(now_ms) - t0))
}
cli_run() { # mode i → ms
  local name="l-$1-$2" args
  if [[ $1 == http01 ]]; then
    stack_dns "$name.$CK_DNS_ZONE" A "$CLI_ADDR"
    args=(-d "$name.$CK_DNS_ZONE" --http-01 --http-address "$CLI_ADDR" --http-port 80)
  else
    args=(-d "$name.$ZONE" --dns-01-rfc2136 --dns-server "$CK_DNS_SERVER"
      --tsig-key-name "$CK_TSIG_KEY_NAME" --tsig-algorithm "$CK_TSIG_ALGORITHM"
      --tsig-secret "$CK_TSIG_SECRET" --dns-resolver "$CK_DNS_SERVER")
  fi
  local t0; t0=$(now_ms)
  "$CERTKEEPER_BIN" acme issue --server "$PEBBLE_DIRECTORY" --ca-bundle "$PEBBLE_CA_FILE" \
    --account-dir "$WORK/cli-account" --email bench@example.test --agree-tos \
    --key-type ec256 --out-dir "$WORK/cli-out" "${args[@]}" >>"$WORK/cli.log" 2>&1
  echo $(($(now_ms) - t0))
}

# One untimed run of each first: the CLI registers its account, the controller warms its caches.
for mode in http01 dns01; do controller_run "$mode" 0 >/dev/null; cli_run "$mode" 0 >/dev/null; done
for mode in http01 dns01; do
  for i in $(seq 1 "$N"); do
    if ((i % 2)); then
      controller_run "$mode" "$i" >>"$WORK/controller-$mode.ms"; cli_run "$mode" "$i" >>"$WORK/cli-$mode.ms"
    else
      cli_run "$mode" "$i" >>"$WORK/cli-$mode.ms"; controller_run "$mode" "$i" >>"$WORK/controller-$mode.ms"
    fi
  done
done

# 200 at once (DNS-01: no solver processes, so the controller is what is measured).
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
bulk_wall="" bulk_cpu="" bulk_rss=""
if ((BULK > 0)); then
  cpu0=$(cpu_seconds "$CONTROLLER_PID")
  t0=$(now_ms)
  for i in $(seq 1 "$BULK"); do
    printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: b%s, namespace: %s}\nspec:\n  secretName: b%s-tls\n  issuerRef: {name: pebble}\n  privateKey: {algorithm: ECDSA}\n  dnsNames: ["b%s.%s"]\n' \
      "$i" "$NS" "$i" "$i" "$ZONE"
  done | stack_k apply -f - >/dev/null
  for _ in $(seq 1800); do
    ready=$(stack_k -n "$NS" get certificates -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
      grep -c '^b[0-9]* True$' || true)
    ((ready >= BULK)) && break
    sleep 1
  done
  ((ready >= BULK)) || die "only $ready of $BULK Certificates became Ready"
  bulk_wall=$(awk -v ms=$(($(now_ms) - t0)) 'BEGIN {printf "%.1f", ms / 1000}')
  bulk_cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$CONTROLLER_PID")" 'BEGIN {printf "%.1f", b - a}')
  bulk_rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$CONTROLLER_PID/status")
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2))}'; }
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, N=$N, $("$CERTKEEPER_BIN" version | head -1)"
  echo
  echo "| mode | controller: apply → Ready, median ms | CLI \`acme issue\`, median ms | ratio controller / CLI |"
  echo "| --- | --- | --- | --- |"
  for mode in http01 dns01; do
    c=$(median <"$WORK/controller-$mode.ms") l=$(median <"$WORK/cli-$mode.ms")
    printf '| %s | %s | %s | %.2f× |\n' "$mode" "$c" "$l" "$(awk -v c="$c" -v l="$l" 'BEGIN {print c / l}')"
  done
  if ((BULK > 0)); then
    echo
    echo "$BULK Certificates at once (DNS-01): ${bulk_wall} s wall until all Ready, ${bulk_cpu} controller CPU s, peak RSS ${bulk_rss} MiB"
  fi
} | tee "$OUT/acme-issuer-results.md"
