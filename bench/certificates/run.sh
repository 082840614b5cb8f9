#!/usr/bin/env bash
# Certificates benchmark (issue 5): N leaf Certificates from one CA Issuer until all are Ready,
# cert-manager's controller vs `certkeeper controller`, same apiserver, same CRDs (ours, crds/),
# same run. Prints a Markdown table with the ratios cert-manager / certkeeper and writes it, with
# the per-verb/resource request breakdown, to build/bench/certificates-results.md.
#
#   bench/certificates/run.sh [N]          N: BENCH_N or 1000
#
# Environment:
#   BENCH_N            Certificates per controller (default 1000)
#   BENCH_TIMEOUT      seconds to wait for all N Ready, per controller (default 600); on timeout the
#                      row says so and the script exits 1 after printing the table
#   BENCH_QUIET        after all are Ready, the controller counts as done once it has sent no request
#                      for this many seconds (default 5)
#   BENCH_SETTLE       ... or after this many seconds (default 120; the row then says "NOT quiet")
#   BENCH_PEERS        which controllers, in order (default "cert-manager certkeeper")
#   BENCH_CRDS         the CRDs to install (default crds/, ours: the runs check that cert-manager works
#                      with them); a directory of cert-manager's own CRDs gives a control run
#   CERTKEEPER_BIN     the certkeeper binary (default build/release, else build/dev; if neither
#                      exists the release preset's certkeeper target is built)
#
# Per controller: a fresh namespace; the controller starts (--namespace, --leader-elect=false,
# --cluster-resource-namespace, the admin kubeconfig); a SelfSigned Issuer, a CA Certificate and a
# CA Issuer (the shapes of tests/manifests/ca-chain) become Ready; then the measured phase: one
# server-side `kubectl apply` of N Certificates (ECDSA P-256, one dnsName each), and one list per
# second until N are Ready; then until the controller goes quiet (BENCH_QUIET). Measured:
#   wall      first create -> the list that sees N Ready (1 s resolution)
#   CPU       utime+stime of the controller from /proc/PID/stat, first create -> quiet
#   peak RSS  VmHWM of the controller from /proc/PID/status just before it is stopped
#   requests  apiserver audit-log entries (distinct auditID) whose User-Agent is the controller's,
#             first create -> quiet, divided by N (the split at Ready, whole-run totals and a
#             verb/resource/status breakdown go to the results file)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
N="${1:-${BENCH_N:-1000}}"
TIMEOUT="${BENCH_TIMEOUT:-600}"
PEERS="${BENCH_PEERS:-cert-manager certkeeper}"
QUIET="${BENCH_QUIET:-5}"
SETTLE="${BENCH_SETTLE:-120}"
export PATH="/usr/local/go/bin:$PATH"
say() { echo "bench/certificates: $*" >&2; }
die() { say "ERROR: $*"; exit 2; }

# 1. The two controllers.
CM=""
if [[ " $PEERS " == *" cert-manager "* ]]; then
  "$ROOT/tools/go-tools.sh" ensure cert-manager
  CM="$("$ROOT/tools/go-tools.sh" bindir cert-manager)/cert-manager-controller"
  source "$ROOT/tools/versions.env"
fi
CK="${CERTKEEPER_BIN:-}"
if [[ -z "$CK" && " $PEERS " == *" certkeeper "* ]]; then
  for p in release dev; do
    if [[ -x "$ROOT/build/$p/cmd/certkeeper/certkeeper" ]]; then CK="$ROOT/build/$p/cmd/certkeeper/certkeeper"; break; fi
  done
  if [[ -z "$CK" ]]; then
    cmake --preset release >/dev/null
    cmake --build --preset release --target certkeeper >/dev/null
    CK="$ROOT/build/release/cmd/certkeeper/certkeeper"
  fi
fi
[[ -z "$CK" || -x "$CK" ]] || die "CERTKEEPER_BIN=$CK is not executable"

# 2. A private environment, our CRDs.
OUT_DIR="$ROOT/build/bench"
ENV_DIR="$ROOT/build/bench-certificates-env"
WORK=$(mktemp -d)
mkdir -p "$OUT_DIR"
"$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1 || true
say "starting tools/testenv in $ENV_DIR"
"$ROOT/tools/testenv" up --dir "$ENV_DIR" >/dev/null
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
  "$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
set -a; source "$ENV_DIR/testenv.env"; set +a
AUDIT="$CK_LOG_DIR/kube-apiserver-audit.log"
k() { "$CK_KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }
k apply --server-side --force-conflicts -f "${BENCH_CRDS:-$ROOT/crds/}" >/dev/null
k wait --for=condition=Established crd --all --timeout=60s >/dev/null

TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; } # utime + stime
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# All audit lines so far, across rotated files (--audit-log-maxsize), oldest first.
audit_lines() { cat $(ls -1tr "$CK_LOG_DIR"/kube-apiserver-audit*.log); }
audit_count() { audit_lines | wc -l; }
ready_count() {
  k -n "$1" get certificates.cert-manager.io -l bench=leaf \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true
}

chain() { # namespace: SelfSigned Issuer -> CA Certificate -> CA Issuer (tests/manifests/ca-chain)
  cat <<YAML
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned, namespace: $1}
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: root-ca, namespace: $1}
spec:
  isCA: true
  commonName: certkeeper-bench-root
  secretName: root-ca
  duration: 2160h
  privateKey: {algorithm: ECDSA, size: 256}
  issuerRef: {name: selfsigned, kind: Issuer, group: cert-manager.io}
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: ca, namespace: $1}
spec:
  ca: {secretName: root-ca}
YAML
}

leaves() { # namespace count: one document per Certificate
  local i
  for ((i = 1; i <= $2; i++)); do
    printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: leaf-%05d, namespace: %s, labels: {bench: leaf}}\nspec:\n  secretName: leaf-%05d-tls\n  dnsNames: [leaf-%05d.bench.example.test]\n  privateKey: {algorithm: ECDSA, size: 256}\n  issuerRef: {name: ca, kind: Issuer, group: cert-manager.io}\n' \
      "$i" "$1" "$i" "$i"
  done
}

# Audit entries of one controller between two line numbers (1-based, inclusive start), as
# "auditID verb resource/subresource code" lines, one per distinct auditID first seen in the range.
audit_slice() { # ua-prefix from-line to-line exclude-ids-file
  audit_lines | sed -n "$2,$3p" |
    jq -r --arg ua "$1" 'select(.userAgent != null and (.userAgent | startswith($ua)))
      | [.auditID, .verb, ((.objectRef.resource // "-") + (if .objectRef.subresource then "/" + .objectRef.subresource else "" end)), (.responseStatus.code // "-" | tostring)]
      | @tsv' |
    awk -F'\t' -v ex="$4" 'BEGIN { while ((getline l < ex) > 0) seen[l] = 1 }
      !($1 in seen) { seen[$1] = 1; print $1 "\t" $2 "\t" $3 "\t" $4 }'
}

declare -A WALL CPU CPU_ALL HWM REQ REQ_ALL NOTE CREATE DONE
status=0
for peer in $PEERS; do
  ns="bench-$peer"
  k create namespace "$ns" >/dev/null
  case "$peer" in
    cert-manager) cmd=("$CM"); ua="cert-manager" ;;
    certkeeper) cmd=("$CK" controller); ua="certkeeper" ;;
    *) die "unknown peer '$peer' (cert-manager | certkeeper)" ;;
  esac
  log="$OUT_DIR/certificates-$peer.log"
  line0=$(audit_count)
  say "$peer: starting ${cmd[*]}"
  "${cmd[@]}" --kubeconfig "$KUBECONFIG" --namespace "$ns" --leader-elect=false \
    --cluster-resource-namespace "$ns" --metrics-listen-address 127.0.0.1:0 \
    --internal-healthz-listen-address 127.0.0.1:0 >"$log" 2>&1 &
  PID=$!
  chain "$ns" | k apply -f - >/dev/null
  if ! k -n "$ns" wait --for=condition=Ready issuer/ca --timeout="$((TIMEOUT < 120 ? TIMEOUT : 120))s" >/dev/null 2>&1; then
    kill -0 "$PID" 2>/dev/null || say "$peer: the controller exited; last lines of $log:"
    tail -n 20 "$log" >&2
    say "$peer: TIMEOUT: the CA Issuer did not become Ready within $((TIMEOUT < 120 ? TIMEOUT : 120)) s (are its controllers there yet?); moving on"
    NOTE[$peer]="CA Issuer never Ready"; status=1
    echo "- **$peer**: not measured: the CA Issuer was not Ready $((TIMEOUT < 120 ? TIMEOUT : 120)) s after the" \
      "controller started (its log: $log)." >"$WORK/notes-$peer.md"
    kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""
    continue
  fi
  leaves "$ns" "$N" >"$WORK/leaves-$peer.yaml"
  sleep 2 # let the CA chain's own follow-up writes settle out of the measured window
  line1=$(audit_count)
  cpu1=$(cpu_ticks "$PID")
  say "$peer: creating $N Certificates"
  t0=$(date +%s.%N)
  k apply --server-side -f "$WORK/leaves-$peer.yaml" >/dev/null
  t_created=$(date +%s.%N)
  ready=0
  while :; do
    ready=$(ready_count "$ns")
    now=$(date +%s.%N)
    ((ready >= N)) && break
    if ! kill -0 "$PID" 2>/dev/null; then
      say "$peer: the controller exited with $ready/$N Ready; last lines of $log:"; tail -n 20 "$log" >&2
      NOTE[$peer]="controller exited, $ready/$N Ready"; status=1; break
    fi
    if (($(bc <<<"$now - $t0 > $TIMEOUT"))); then
      say "$peer: TIMEOUT: $ready/$N Certificates Ready after ${TIMEOUT}s (BENCH_TIMEOUT); moving on"
      NOTE[$peer]="timeout: $ready/$N Ready after ${TIMEOUT} s"; status=1; break
    fi
    sleep 1
  done
  t1=$now
  line2=$(audit_count)
  WALL[$peer]=$(bc -l <<<"$t1 - $t0")
  CREATE[$peer]=$(bc -l <<<"$t_created - $t0")
  if [[ -z "${NOTE[$peer]:-}" ]]; then NOTE[$peer]="$ready/$N Ready"; DONE[$peer]=1; fi
  # Settle: Ready is not the end of the work (cert-manager still writes status, deletes its
  # temporary key Secrets and flushes Events afterwards). Wait until the controller has sent
  # nothing for QUIET s (at most SETTLE s); CPU and requests count up to that point.
  alive=0; kill -0 "$PID" 2>/dev/null && alive=1
  cpu2=$cpu1; cpu3=$cpu1; HWM[$peer]=0; quiet_at=""
  if ((alive)); then
    cpu2=$(cpu_ticks "$PID")
    [[ -n "${DONE[$peer]:-}" ]] || SETTLE_NOW=0 # a timed-out run: no settling
    SETTLE_NOW=${SETTLE_NOW:-$SETTLE}
    seen=$line2; last_req=$(date +%s.%N)
    while kill -0 "$PID" 2>/dev/null; do
      sleep 1
      n=$(audit_count)
      if (($(audit_lines | sed -n "$((seen + 1)),${n}p" | grep -c "\"userAgent\":\"$ua" || true) > 0)); then
        last_req=$(date +%s.%N)
      fi
      seen=$n; now=$(date +%s.%N)
      if (($(bc <<<"$now - $last_req >= $QUIET"))); then quiet_at=$last_req; break; fi
      (($(bc <<<"$now - $t1 >= $SETTLE_NOW"))) && break
    done
    if kill -0 "$PID" 2>/dev/null; then cpu3=$(cpu_ticks "$PID"); HWM[$peer]=$(hwm_kb "$PID"); else alive=0; fi
  fi
  unset SETTLE_NOW
  line3=$(audit_count)
  if [[ -z "${DONE[$peer]:-}" ]]; then
    settle="not settled (the run did not finish)"
  elif [[ -n "$quiet_at" ]]; then
    settle="quiet $(printf '%.0f' "$(bc -l <<<"$quiet_at - $t1")") s after all were Ready"
  else
    settle="NOT quiet ${SETTLE} s after all were Ready (a loop?)"
  fi
  CPU[$peer]=$(bc -l <<<"($cpu3 - $cpu1) / $TICK")
  CPU_ALL[$peer]=$(bc -l <<<"$cpu3 / $TICK")
  if ((alive)); then kill -TERM "$PID"; fi
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""

  # Requests: the setup window (start -> CA Issuer Ready), then the measured one (first create ->
  # quiet), split at "all Ready". A request is counted once, in the window where it started
  # (a watch logs ResponseStarted, then ResponseComplete when it ends).
  : >"$WORK/none"
  audit_slice "$ua" $((line0 + 1)) "$line1" "$WORK/none" >"$WORK/setup-$peer.tsv"
  cut -f1 "$WORK/setup-$peer.tsv" >"$WORK/seen-$peer"
  audit_slice "$ua" $((line1 + 1)) "$line2" "$WORK/seen-$peer" >"$WORK/to-ready-$peer.tsv"
  cut -f1 "$WORK/to-ready-$peer.tsv" >>"$WORK/seen-$peer"
  audit_slice "$ua" $((line2 + 1)) "$line3" "$WORK/seen-$peer" >"$WORK/settle-$peer.tsv"
  cat "$WORK/to-ready-$peer.tsv" "$WORK/settle-$peer.tsv" >"$WORK/phase-$peer.tsv"
  REQ[$peer]=$(wc -l <"$WORK/phase-$peer.tsv")
  req_ready=$(wc -l <"$WORK/to-ready-$peer.tsv")
  settle_what=$(cut -f2,3 "$WORK/settle-$peer.tsv" | sort | uniq -c | sort -rn | head -n 4 |
    awk '{ printf "%s%s %s %s", (NR > 1 ? ", " : ""), $1, $2, $3 }')
  REQ_ALL[$peer]=$(($(wc -l <"$WORK/setup-$peer.tsv") + REQ[$peer]))
  {
    echo "#### $peer: requests from the first create until quiet, by verb, resource and status"
    echo
    echo "| verb | resource | HTTP status | requests | per Certificate |"
    echo "| --- | --- | --- | --- | --- |"
    cut -f2,3,4 "$WORK/phase-$peer.tsv" | sort | uniq -c | sort -rn |
      awk -v n="$N" '{ printf "| %s | %s | %s | %d | %.2f |\n", $2, $3, $4, $1, $1 / n }'
    echo
  } >"$WORK/breakdown-$peer.md"

  # Wire compatibility: one CertificateRequest per Certificate, revision 1, no re-issuance loops.
  crs=$(k -n "$ns" get certificaterequests.cert-manager.io -o name | wc -l)
  revs=$(k -n "$ns" get certificates.cert-manager.io -o jsonpath='{range .items[*]}{.status.revision}{"\n"}{end}' |
    sort | uniq -c | awk '{ printf "%s%d×rev%s", (NR > 1 ? ", " : ""), $1, ($2 == "" ? "(none)" : $2) }')
  sample=$(k -n "$ns" get certificates.cert-manager.io leaf-00001 -o json 2>/dev/null |
    jq -c '.status | keys' 2>/dev/null || echo '?')
  echo "- **$peer**: ${NOTE[$peer]}; creating the $N Certificates took $(printf '%.1f' "${CREATE[$peer]}") s" \
    "(one server-side apply); $crs CertificateRequests for $((N + 1)) Certificates; revisions: $revs;" \
    "status fields of leaf-00001: \`$sample\`; until all Ready: $(printf '%.2f' "$(bc -l <<<"($cpu2 - $cpu1) / $TICK")") CPU s," \
    "$req_ready requests; $settle, after $(wc -l <"$WORK/settle-$peer.tsv") more requests${settle_what:+ ($settle_what)};" \
    "whole run (start-up, CA chain, measured):" \
    "$(printf '%.2f' "${CPU_ALL[$peer]}") CPU s, ${REQ_ALL[$peer]} requests." >"$WORK/notes-$peer.md"
  say "$peer: ${NOTE[$peer]} in $(printf '%.1f' "${WALL[$peer]}") s"
  k delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
done

# 3. The table.
fmt_row() { # peer
  local p="$1"
  if [[ -z "${WALL[$p]:-}" ]]; then
    printf '| %s | %s | – | – | – | – | – |\n' "$p" "$N"; return
  fi
  if [[ -z "${DONE[$p]:-}" ]]; then
    printf '| %s | %s | %s | – | – | – | – |\n' "$p" "$N" "${NOTE[$p]}"; return
  fi
  printf '| %s | %s | %.1f | %.2f | %.1f | %s | %.2f |\n' "$p" "$N" "${WALL[$p]}" "${CPU[$p]}" \
    "$(bc -l <<<"${HWM[$p]} / 1024")" "${REQ[$p]}" "$(bc -l <<<"${REQ[$p]} / $N")"
}
ratio() { # a b
  if [[ -z "$1" || -z "$2" ]] || (($(bc <<<"$2 == 0"))); then echo "–"; else printf '%.2f×' "$(bc -l <<<"$1 / $2")"; fi
}
{
  echo "Certificates from one CA Issuer, N=$N, $(date -u +%Y-%m-%d), $(nproc) cores (load average at the end:" \
    "$(cut -d' ' -f1-3 /proc/loadavg));" \
    "cert-manager ${CERT_MANAGER_VERSION:-?} (tools/go/cert-manager), certkeeper ${CK:+$("$CK" version 2>/dev/null | head -n1)}"
  echo
  echo "| controller | Certificates | wall s (create → all Ready) | CPU s | peak RSS (MiB) | API requests | requests / Certificate |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for p in $PEERS; do fmt_row "$p"; done
  if [[ -n "${DONE[cert-manager]:-}" && -n "${DONE[certkeeper]:-}" ]]; then
    printf '| **ratio cert-manager / certkeeper** | | %s | %s | %s | %s | %s |\n' \
      "$(ratio "${WALL[cert-manager]:-}" "${WALL[certkeeper]:-}")" \
      "$(ratio "${CPU[cert-manager]:-}" "${CPU[certkeeper]:-}")" \
      "$(ratio "${HWM[cert-manager]:-}" "${HWM[certkeeper]:-}")" \
      "$(ratio "${REQ[cert-manager]:-}" "${REQ[certkeeper]:-}")" \
      "$(ratio "${REQ[cert-manager]:-}" "${REQ[certkeeper]:-}")"
  fi
} >"$WORK/table.md"
{
  cat "$WORK/table.md"
  echo
  for p in $PEERS; do [[ -f "$WORK/notes-$p.md" ]] && cat "$WORK/notes-$p.md"; done
  echo
  for p in $PEERS; do [[ -f "$WORK/breakdown-$p.md" ]] && cat "$WORK/breakdown-$p.md"; done
} >"$OUT_DIR/certificates-results.md"
cat "$WORK/table.md"
echo
for p in $PEERS; do [[ -f "$WORK/notes-$p.md" ]] && cat "$WORK/notes-$p.md"; done
say "details (request breakdown per verb/resource): $OUT_DIR/certificates-results.md"
exit "$status"
