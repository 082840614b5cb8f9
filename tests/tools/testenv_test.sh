#!/usr/bin/env bash
# Checks tools/testenv as a person uses it: up/status/down by hand, refusal to start twice in
# one directory, the --owner-pid watchdog tearing everything down when its owner dies, and a
# test binary starting (and cleaning up) a private environment when CK_TESTENV_FILE is unset.
#
#   testenv_test.sh <path to integration_smoke_test>
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TE="$ROOT/tools/testenv"
SMOKE="${1:?usage: testenv_test.sh SMOKE_TEST_BINARY}"
fails=0
check() {
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
# The pids a run recorded (snapshot taken while it was up), and which of them still run.
snapshot() { cp "$1/pids" "$1/pids.snapshot"; }
still_running() {
  local p
  while read -r _ p; do
    if kill -0 "$p" 2>/dev/null && [[ "$(ps -o stat= -p "$p")" != Z* ]]; then echo "$p"; fi
  done <"$1/pids.snapshot"
}
scratch=$(mktemp -d)
trap '"$TE" down --dir "$scratch/a" >/dev/null 2>&1; "$TE" down --dir "$scratch/b" >/dev/null 2>&1; rm -rf "$scratch"' EXIT

# 1. By hand: up prints the env file; status lists every component running; down stops them.
env_file=$("$TE" up --dir "$scratch/a" 2>"$scratch/up.err")
check "up prints the env file path" test "$env_file" = "$scratch/a/testenv.env"
for key in KUBECONFIG CK_KUBE_APISERVER_URL CK_ACME_DIRECTORY CK_PEBBLE_ROOT_FILE CK_DNS_SERVER \
  CK_TSIG_KEY_FILE CK_KUBECTL CK_HELM CK_ETCDCTL; do
  check "env file has $key" grep -q "^$key=." "$env_file"
done
running=$("$TE" status --dir "$scratch/a" | grep -c " running$")
check "status shows six running components" test "$running" -eq 6
snapshot "$scratch/a"
err=$("$TE" up --dir "$scratch/a" 2>&1)
check "a second up in the same directory is refused" grep -q "already up" <<<"$err"
"$TE" down --dir "$scratch/a" 2>/dev/null
check "down stops every process of the run" test -z "$(still_running "$scratch/a")"
check "down removes the env file" test ! -f "$env_file"
check "down keeps the logs" test -s "$scratch/a/logs/kube-apiserver.log"

# 2. The watchdog: when the owner dies, everything is torn down without anyone calling down.
sleep 600 &
owner=$!
"$TE" up --dir "$scratch/b" --owner-pid "$owner" >/dev/null 2>&1
check "watchdog run is up" test -f "$scratch/b/testenv.env"
snapshot "$scratch/b"
kill "$owner"
gone=no
for _ in $(seq 1 60); do
  if [[ -z "$(still_running "$scratch/b")" && ! -f "$scratch/b/testenv.env" ]]; then gone=yes; break; fi
  sleep 0.5
done
check "owner death tears the environment down" test "$gone" = yes

# 3. A test binary without CK_TESTENV_FILE starts a private environment and removes it.
before=$(ls -d /tmp/certkeeper-testenv.* 2>/dev/null | sort)
# CK_TESTENV_KEEP_PIDS makes `down` leave a copy of the pid list for this check.
out=$(env -u CK_TESTENV_FILE CK_TESTENV_KEEP_PIDS=1 "$SMOKE" --gtest_filter='Pebble.*' 2>&1)
check "smoke test passes on a private environment" grep -q "PASSED" <<<"$out"
check "it said it started a private environment" grep -q "starting a private environment" <<<"$out"
private=$(comm -13 <(echo "$before") <(ls -d /tmp/certkeeper-testenv.* 2>/dev/null | sort) | head -1)
if [[ -n "$private" ]]; then
  left=yes
  for _ in $(seq 1 40); do
    if [[ -f "$private/pids.snapshot" && -z "$(still_running "$private")" ]]; then
      left=no
      break
    fi
    sleep 0.5
  done
  check "the private environment is gone after the binary exits" test "$left" = no
  rm -rf "$private"
else
  check "the private environment directory was created" false
fi

exit $((fails > 0))
