#!/usr/bin/env bash
# Checks `certkeeper controller` as a process against the real apiserver: it takes the
# leader-election Lease, answers /healthz and /readyz on its health port, stops within seconds
# on SIGTERM with exit code 0 and releases the Lease; bad flags are refused in one line that
# names the flag, before anything connects.
# Usage: controller_cmd_test.sh <path to the certkeeper binary>  (CK_TESTENV_FILE set by ctest)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scratch=$(mktemp -d)
ns="ctrl-$$-$RANDOM"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  "$ROOT/tests/support/rbac-identity.sh" --delete "$ns" >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT
k create namespace "$ns" >/dev/null
# The controllers' caches list the CRD kinds: install them here rather than rely on another suite
# having done it first (run alone, /readyz never came).
stack_install_crds ||
  { echo "FAIL: could not install the CRDs"; exit 1; }
# The controller runs as the ServiceAccount bound to deploy/rbac/, never as admin.
"$ROOT/tests/support/rbac-identity.sh" "$ns" "$scratch/controller.kubeconfig" ||
  { echo "FAIL: could not set up the controller's identity"; exit 1; }

# --- refused flags: exit 2, one line naming the flag, no connection attempted ---------------------
refused() { # expected substring, flags...
  local want="$1"; shift
  local out rc
  out=$("$BIN" controller --kubeconfig /nonexistent "$@" 2>&1); rc=$?
  [[ $rc -eq 2 && "$out" == *"$want"* && $(wc -l <<<"$out") -eq 1 ]] ||
    { echo "  got rc=$rc: $out"; return 1; }
}
check "an unknown controller is refused" refused "--controllers: unknown controller 'nope'" \
  --controllers '*,nope'
check "a bad duration is refused" refused "--leader-election-lease-duration: invalid duration" \
  --leader-election-lease-duration 60
check "renew deadline >= lease duration is refused" refused "--leader-election-renew-deadline" \
  --leader-election-lease-duration 10s --leader-election-renew-deadline 10s
check "a bad health address is refused" refused "--internal-healthz-listen-address" \
  --internal-healthz-listen-address nowhere

# --- a real run ------------------------------------------------------------------------------------
port=$(free_port)
"$BIN" controller --kubeconfig "$scratch/controller.kubeconfig" --leader-election-namespace "$ns" \
  --leader-election-lease-duration 4s --leader-election-renew-deadline 3s \
  --leader-election-retry-period 500ms --internal-healthz-listen-address "127.0.0.1:$port" \
  --metrics-listen-address 127.0.0.1:0 \
  >"$scratch/out" 2>&1 &
pid=$!

code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$1"; }
wait_code() { # path, code
  for _ in $(seq 1 150); do [[ "$(code "$1")" == "$2" ]] && return 0; sleep 0.2; done
  return 1
}
check "/healthz answers 200" wait_code /healthz 200
check "/readyz answers 200 once leading with synced caches" wait_code /readyz 200
holder=$(k -n "$ns" get lease certkeeper-controller -o jsonpath='{.spec.holderIdentity}' 2>/dev/null)
check "the Lease certkeeper-controller is held (holder '$holder')" test -n "$holder"

kill -TERM "$pid"
stopped=1
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { stopped=0; break; }; sleep 0.1; done
check "SIGTERM stops it within 10 s" test "$stopped" -eq 0
wait "$pid"; rc=$?; pid=""
check "the exit code after SIGTERM is 0 (got $rc)" test "$rc" -eq 0
holder=$(k -n "$ns" get lease certkeeper-controller -o jsonpath='{.spec.holderIdentity}')
check "the Lease is released on a clean stop (holder '$holder')" test -z "$holder"
grep -q "received SIGTERM" "$scratch/out"
check "the log says why it stopped" test $? -eq 0
# The apiserver has API Priority and Fairness on (the default): with no --kube-api-qps given,
# the controller turns its own rate limiter off, as cert-manager 1.21 does.
grep -q "has Priority and Fairness: no client-side rate limit" "$scratch/out"
check "no client-side rate limit against an APF server when none is asked for" test $? -eq 0

if ((fails > 0)); then
  echo "--- controller output ---"; cat "$scratch/out"
  echo "$fails check(s) failed"; exit 1
fi
echo "all checks passed"
