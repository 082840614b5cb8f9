#!/usr/bin/env bash
# Checks the test stand-ins (tests/standins/README.md) against the real apiserver: a Pod, Service
# and Ingress in the shapes of cert-manager's HTTP-01 solver (reference §3.7) become a process in
# its own network namespace that answers through the ingress router exactly as Pebble will reach
# it; deletion, unknown images, exits and restarts are reported as a kubelet would; stopping the
# stand-ins leaves no namespace, interface or process behind.
# Usage: standins_test.sh <certkeeper> <ck-pod-runner> <ck-ingress-router>   (needs root)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper> <ck-pod-runner> <ck-ingress-router>}"
export CK_POD_RUNNER="${2:?}" CK_INGRESS_ROUTER="${3:?}"
source "$(dirname "$0")/lib.sh"

scratch=$(mktemp -d)
ns="standins-$$-$RANDOM"
# A loopback address of its own, so that port 80 is free beside other suites' routers.
router="127.0.$((100 + RANDOM % 100)).$((1 + RANDOM % 250))"
STANDINS="$ROOT/tests/support/standins.sh"
started=""
cleanup() {
  if [[ -n "$started" ]]; then "$STANDINS" stop "$scratch/standins" >/dev/null 2>&1; fi
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT


# A Pod shaped like cert-manager's solver: labels, container acmesolver with args only (the
# image's entrypoint is the binary), port http 8089. Modifiers: name, image, restartPolicy, args.
solver_pod() { # name image restartPolicy token args-json
  cat <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$1", "labels": {"acme.cert-manager.io/http01-solver": "true",
                                        "acme.cert-manager.io/http-token": "$4"}},
 "spec": {"restartPolicy": "$3", "automountServiceAccountToken": false,
          "enableServiceLinks": false, "nodeSelector": {"kubernetes.io/os": "linux"},
          "containers": [{"name": "acmesolver", "image": "$2", "args": $5,
                          "ports": [{"name": "http", "containerPort": 8089}],
                          "resources": {"requests": {"cpu": "10m", "memory": "64Mi"},
                                        "limits": {"cpu": "100m", "memory": "64Mi"}}}]}}
EOF
}
solver_args='["acmesolver", "--listen-port=8089", "--domain=app.example.test", "--token=T", "--key=T.K"]'

pod_field() { k -n "$ns" get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
field_is() { [[ "$(pod_field "$1" "$2")" == "$3" ]]; }
http_code() { # host path
  curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' \
    --resolve "$1:80:$router" "http://$1$2"
}
code_is() { [[ "$(http_code "$1" "$2")" == "$3" ]]; }
not() { ! "$@"; }
not_running() { ! kill -0 "$1" 2>/dev/null; }
has_netns() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }
no_netns() { ! has_netns "$1"; }
no_link() { ! ip link show "$1" >/dev/null 2>&1; }
no_address_in() { ! ip -4 -o addr show | awk '{print $4}' | grep -q "^${1//./\\.}"; }
message_has() { [[ "$(pod_field "$1" '{.status.message}')" == *"$2"* ]]; }
restarts_at_least() { (( $(pod_field "$1" '{.status.containerStatuses[0].restartCount}' || echo 0) >= $2 )); }

k create namespace "$ns" >/dev/null
if ! "$STANDINS" start "$scratch/standins" "$ns" "$router" "$BIN"; then
  echo "FAIL: the stand-ins did not start"
  exit 1
fi
started=1
subnet=$(cat "$scratch/standins/subnet")
prefix="${subnet%.0/24}."
runner_pid=$(cat "$scratch/standins/pod-runner.pid")
router_pid=$(cat "$scratch/standins/ingress-router.pid")

# --- the solver Pod, its Service and Ingress --------------------------------------------------
solver_pod solver certkeeper:dev OnFailure T "$solver_args" | k -n "$ns" apply -f - >/dev/null
k -n "$ns" apply -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Service",
 "metadata": {"name": "solver"},
 "spec": {"selector": {"acme.cert-manager.io/http01-solver": "true",
                       "acme.cert-manager.io/http-token": "T"},
          "ports": [{"name": "http", "port": 8089, "targetPort": 8089}]}}
EOF
k -n "$ns" apply -f - >/dev/null <<EOF
{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
 "metadata": {"name": "solver"},
 "spec": {"rules": [{"host": "app.example.test", "http": {"paths": [
   {"path": "/.well-known/acme-challenge/T", "pathType": "Exact",
    "backend": {"service": {"name": "solver", "port": {"number": 8089}}}}]}}]}}
EOF

check "the Pod becomes Running" eventually 20 field_is solver '{.status.phase}' Running
check "the Pod becomes Ready (its process listens on 8089)" \
  eventually 20 field_is solver '{.status.conditions[?(@.type=="Ready")].status}' True
pod_ip=$(pod_field solver '{.status.podIP}')
check "the podIP $pod_ip lies in the subnet $subnet" test "${pod_ip#"$prefix"}" != "$pod_ip"
check "podIPs[0] is the podIP" field_is solver '{.status.podIPs[0].ip}' "$pod_ip"
check "hostIP is set" test -n "$(pod_field solver '{.status.hostIP}')"
check "startTime is set" test -n "$(pod_field solver '{.status.startTime}')"
check "containerStatuses[0] is ready and started" \
  field_is solver '{.status.containerStatuses[0].ready}/{.status.containerStatuses[0].started}' \
  true/true
check "containerStatuses[0].state.running.startedAt is set" \
  test -n "$(pod_field solver '{.status.containerStatuses[0].state.running.startedAt}')"
uid=$(pod_field solver '{.metadata.uid}')
netns="ck-$(tr -d -- - <<<"$uid" | cut -c1-8)"
check "the Pod runs in network namespace $netns" eventually 5 has_netns "$netns"
check "the process answers on the Pod address itself" \
  test "$(curl -s --noproxy '*' --max-time 5 -H 'Host: app.example.test' \
    "http://$pod_ip:8089/.well-known/acme-challenge/T")" = "T.K"
check "its output goes to the Pod log" eventually 5 test -s "$scratch/standins/pods/${ns}_solver.log"

body=$(curl -s --noproxy '*' --max-time 5 --resolve "app.example.test:80:$router" \
  http://app.example.test/.well-known/acme-challenge/T)
check "through the router the challenge URL answers the key" test "$body" = "T.K"
check "a wrong token answers 404" code_is app.example.test /.well-known/acme-challenge/WRONG 404
check "a wrong host answers 404" code_is other.example.test /.well-known/acme-challenge/T 404
check "the router logs the routed request" \
  grep -q "GET /.well-known/acme-challenge/T host=app.example.test.*pod/solver.*status=200" \
  "$scratch/standins/ingress-router.log"

# --- deletion: the endpoint goes away, the process stops, the namespace is removed ------------
solver_pid=$(ip netns pids "$netns" 2>/dev/null | head -n1)
k -n "$ns" delete pod solver --wait=false >/dev/null
check "after the Pod is deleted the router answers 503" \
  eventually 10 code_is app.example.test /.well-known/acme-challenge/T 503
check "the Pod's network namespace is removed" eventually 10 no_netns "$netns"
check "the Pod's host-side interface is removed" eventually 10 no_link "ckh${netns#ck-}"
check "the Pod's process ($solver_pid) has stopped" eventually 5 not_running "${solver_pid:-0}"

# --- a Pod the stand-in cannot run stays Pending and says why ---------------------------------
solver_pod unknown nginx:1.27 OnFailure U "$solver_args" | k -n "$ns" apply -f - >/dev/null
check "a Pod with an image not in the table is reported" \
  eventually 10 message_has unknown 'cannot run image "nginx:1.27"'
check "it stays Pending" field_is unknown '{.status.phase}' Pending

# --- exits: Never ends Failed with the exit code; OnFailure restarts --------------------------
# `certkeeper acmesolver` without --token/--key is a flag error: it exits non-zero at once.
solver_pod never certkeeper:dev Never N '["acmesolver"]' | k -n "$ns" apply -f - >/dev/null
check "restartPolicy Never: a failing process ends the Pod Failed" \
  eventually 15 field_is never '{.status.phase}' Failed
code=$(pod_field never '{.status.containerStatuses[0].state.terminated.exitCode}')
check "the terminated state carries the non-zero exit code ($code)" test "${code:-0}" -ne 0
solver_pod restarts certkeeper:dev OnFailure R '["acmesolver"]' | k -n "$ns" apply -f - >/dev/null
check "restartPolicy OnFailure: the process is restarted (restartCount grows)" \
  eventually 20 restarts_at_least restarts 2
check "…and stays Running meanwhile" field_is restarts '{.status.phase}' Running

# --- a second solver Pod while others exist, then stop with Pods still running --------------
solver_pod solver2 certkeeper:dev OnFailure T "$solver_args" | k -n "$ns" apply -f - >/dev/null
check "a new solver Pod becomes Ready" \
  eventually 20 field_is solver2 '{.status.conditions[?(@.type=="Ready")].status}' True
check "the router reaches it" eventually 10 code_is app.example.test /.well-known/acme-challenge/T 200
# --- a runner that is SIGKILLed leaves its namespaces; the next one removes them first --------
uid2=$(pod_field solver2 '{.metadata.uid}')
netns2="ck-$(tr -d -- - <<<"$uid2" | cut -c1-8)"
uid_never=$(pod_field never '{.metadata.uid}')
old_pid=$(ip netns pids "$netns2" 2>/dev/null | head -n1)
kill -KILL "$runner_pid"
check "after SIGKILL of the runner its namespace $netns2 is left" has_netns "$netns2"
"$CK_POD_RUNNER" --kubeconfig "$KUBECONFIG" --namespace "$ns" --image "certkeeper=$BIN" \
  --subnet "$subnet" --state-dir "$scratch/standins/pods" >"$scratch/standins/pod-runner-2.log" 2>&1 &
runner_pid=$!
echo "$runner_pid" >"$scratch/standins/pod-runner.pid" # so that `standins.sh stop` stops it
check "the next runner removes what the killed one left" \
  eventually 20 grep -q "removing netns $netns2 .* left by an earlier run" \
  "$scratch/standins/pod-runner-2.log"
check "the old process ($old_pid) is gone" eventually 5 not_running "${old_pid:-0}"
check "it runs solver2 again in a fresh namespace" eventually 20 has_netns "$netns2"
check "the router reaches the re-run solver2" \
  eventually 20 code_is app.example.test /.well-known/acme-challenge/T 200
check "the Failed Pod is not run again" no_netns "ck-$(tr -d -- - <<<"$uid_never" | cut -c1-8)"
check "…and stays Failed" field_is never '{.status.phase}' Failed

live_ns=$(ls "$scratch/standins/pods/netns" 2>/dev/null)
check "the runner tracks its live namespaces in the state directory ($(wc -w <<<"$live_ns"))" \
  test "$(wc -w <<<"$live_ns")" -ge 2
live_pids=""
for n in $live_ns; do live_pids+=" $(ip netns pids "$n" 2>/dev/null | tr '\n' ' ')"; done
check "their processes run ($live_pids)" test -n "${live_pids// /}"

"$STANDINS" stop "$scratch/standins"
started=""
check "the pod runner has exited" not_running "$runner_pid"
check "the ingress router has exited" not_running "$router_pid"
check "no namespace marker is left" test -z "$(ls "$scratch/standins/pods/netns" 2>/dev/null)"
for n in $live_ns; do
  check "network namespace $n is gone (ip netns list)" no_netns "$n"
  check "interface ckh${n#ck-} is gone" no_link "ckh${n#ck-}"
done
check "no address in $subnet is left on the host" no_address_in "$prefix"
for p in $live_pids; do check "process $p has stopped" not_running "$p"; done
check "nothing answers on the router address any more" \
  not code_is app.example.test /.well-known/acme-challenge/T 200

if ((fails > 0)); then
  echo "--- pod-runner.log"; tail -40 "$scratch/standins/pod-runner.log"
  echo "--- ingress-router.log"; tail -20 "$scratch/standins/ingress-router.log"
fi
echo "$((fails)) failed"
exit $((fails > 0))
