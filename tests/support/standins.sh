#!/usr/bin/env bash
# Starts and stops the test stand-ins (tests/standins/README.md) for one namespace: ck-pod-runner
# (runs HTTP-01 solver Pods as local processes, each in its own network namespace) and
# ck-ingress-router (routes by Ingress → Service → Pod on ROUTER_ADDR port 80).
#
#   standins.sh start DIR NS ROUTER_ADDR CERTKEEPER_BIN   background, pid files and logs in DIR;
#                                                          returns once both are ready
#   standins.sh stop DIR                                   SIGTERM both, wait; nothing left behind
#
# Environment:
#   KUBECONFIG, or CK_TESTENV_FILE naming a tools/testenv env file (its KUBECONFIG is used)
#   CK_POD_RUNNER, CK_INGRESS_ROUTER   the binaries (default: build/dev/tests/standins/…)
#   CK_STANDINS_SUBNET                  Pod subnet (default: the first free 10.250.N.0/24; a lock
#                                       in /tmp/ck-standins-subnets keeps concurrent runs apart)
#   CK_STANDINS_ROUTER_PORT             router port (default 80, where Pebble validates HTTP-01)
#   CK_STANDINS_IMAGES                  extra "REPO=BINARY" words for the pod runner's table
#                                       (certkeeper=CERTKEEPER_BIN is always there)
#   CK_STANDINS_INGRESS_CLASS           serve only Ingresses of this class (default: all)
# Needs root (network namespaces) and iproute2.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCKS=/tmp/ck-standins-subnets

usage() {
  echo "usage: $0 start DIR NS ROUTER_ADDR CERTKEEPER_BIN | stop DIR" >&2
  exit 2
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The first 10.250.N.0/24 that no live run holds (mkdir is the atomic test-and-set).
pick_subnet() {
  local dir="$1" n
  mkdir -p "$LOCKS"
  for n in $(seq 0 255); do
    local lock="$LOCKS/$n"
    if mkdir "$lock" 2>/dev/null; then
      echo "$dir" >"$lock/owner"
      echo "$n" >"$dir/subnet-lock"
      echo "10.250.$n.0/24"
      return 0
    fi
    # A lock whose run is gone (its runner's pid is dead) is taken over.
    local owner
    owner=$(cat "$lock/owner" 2>/dev/null || true)
    if [[ -n "$owner" && "$owner" != "$dir" ]] && ! alive "$owner/pod-runner.pid"; then
      echo "$dir" >"$lock/owner"
      echo "$n" >"$dir/subnet-lock"
      echo "10.250.$n.0/24"
      return 0
    fi
  done
  echo "standins.sh: no free 10.250.N.0/24 subnet" >&2
  return 1
}

# Waits up to $2 seconds for "$3..." to succeed while the process of pid file $1 lives.
wait_for() {
  local pidfile="$1" seconds="$2"
  shift 2
  local i
  for i in $(seq 1 $((seconds * 10))); do
    if "$@" 2>/dev/null; then return 0; fi
    if ! alive "$pidfile"; then return 1; fi
    sleep 0.1
  done
  return 1
}

stop_one() { # pidfile
  local pidfile="$1" pid i
  [[ -f "$pidfile" ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    # The runner stops each Pod's process (2 s grace) and removes its namespace.
    for i in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "standins.sh: $pidfile ($pid) did not stop in 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

cmd_stop() {
  local dir="$1"
  stop_one "$dir/ingress-router.pid"
  stop_one "$dir/pod-runner.pid"
  if [[ -f "$dir/subnet-lock" ]]; then
    local n
    n=$(cat "$dir/subnet-lock")
    if [[ "$(cat "$LOCKS/$n/owner" 2>/dev/null)" == "$dir" ]]; then
      rm -rf "${LOCKS:?}/$n"
    fi
    rm -f "$dir/subnet-lock"
  fi
}

cmd_start() {
  local dir="$1" ns="$2" addr="$3" certkeeper="$4"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [[ -z "${KUBECONFIG:-}" && -n "${CK_TESTENV_FILE:-}" ]]; then
    KUBECONFIG=$(sed -n 's/^KUBECONFIG=//p' "$CK_TESTENV_FILE")
  fi
  : "${KUBECONFIG:?standins.sh: set KUBECONFIG or CK_TESTENV_FILE}"
  local runner="${CK_POD_RUNNER:-$ROOT/build/dev/tests/standins/ck-pod-runner}"
  local router="${CK_INGRESS_ROUTER:-$ROOT/build/dev/tests/standins/ck-ingress-router}"
  local port="${CK_STANDINS_ROUTER_PORT:-80}"
  local subnet="${CK_STANDINS_SUBNET:-}"
  if [[ -z "$subnet" ]]; then subnet=$(pick_subnet "$dir"); fi
  echo "$subnet" >"$dir/subnet"

  local images=(--image "certkeeper=$certkeeper")
  local word
  for word in ${CK_STANDINS_IMAGES:-}; do images+=(--image "$word"); done
  "$runner" --kubeconfig "$KUBECONFIG" --namespace "$ns" "${images[@]}" --subnet "$subnet" \
    --state-dir "$dir/pods" >"$dir/pod-runner.log" 2>&1 &
  echo $! >"$dir/pod-runner.pid"
  local class=()
  if [[ -n "${CK_STANDINS_INGRESS_CLASS:-}" ]]; then
    class=(--ingress-class "$CK_STANDINS_INGRESS_CLASS")
  fi
  "$router" --kubeconfig "$KUBECONFIG" --namespace "$ns" --listen "$addr:$port" "${class[@]}" \
    >"$dir/ingress-router.log" 2>&1 &
  echo $! >"$dir/ingress-router.pid"

  # Ready: the runner logs once its Pod cache has synced; the router listens only after its
  # caches have synced, so any HTTP answer (a 404) means it routes.
  if ! wait_for "$dir/pod-runner.pid" 30 grep -q "watching Pods in namespace" "$dir/pod-runner.log"; then
    echo "standins.sh: ck-pod-runner did not become ready; $dir/pod-runner.log:" >&2
    tail -20 "$dir/pod-runner.log" >&2
    cmd_stop "$dir"
    return 1
  fi
  if ! wait_for "$dir/ingress-router.pid" 30 curl -s --noproxy "*" -o /dev/null --max-time 1 "http://$addr:$port/"; then
    echo "standins.sh: ck-ingress-router did not become ready; $dir/ingress-router.log:" >&2
    tail -20 "$dir/ingress-router.log" >&2
    cmd_stop "$dir"
    return 1
  fi
  echo "stand-ins ready: pods of namespace $ns run in $subnet, ingress router on $addr:$port ($dir)"
}

case "${1:-}" in
  start) [[ $# -eq 5 ]] || usage; cmd_start "$2" "$3" "$4" "$5" ;;
  stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
  *) usage ;;
esac
