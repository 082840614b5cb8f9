#!/usr/bin/env bash
# Makes the identity `certkeeper controller` runs under in tests: a ServiceAccount in NAMESPACE
# bound to exactly the roles in deploy/rbac/ (the ClusterRole through a ClusterRoleBinding, the
# leader-election Role in NAMESPACE), and a kubeconfig at OUT with a short-lived token for it
# (tests/support/sa-kubeconfig.sh). A permission missing from deploy/rbac/ then fails
# the test that uses it, instead of being hidden by an admin identity.
#
#   rbac-identity.sh NAMESPACE OUT      (reads KUBECONFIG and CK_KUBECTL from the testenv env)
#   rbac-identity.sh --delete NAMESPACE removes the cluster-scoped binding it made
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${KUBECONFIG:?source the testenv env file first}" "${CK_KUBECTL:?}" "${CK_KUBE_APISERVER_URL:?}"
k() { "$CK_KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }

if [[ "${1:-}" == --delete ]]; then
  k delete clusterrolebinding "certkeeper-controller:$2" --ignore-not-found >/dev/null
  exit 0
fi
NS="${1:?usage: $0 NAMESPACE OUT}"
OUT="${2:?usage: $0 NAMESPACE OUT}"
SA=certkeeper-controller

k apply --server-side --force-conflicts -f "$ROOT/deploy/rbac/controller-clusterrole.yaml" >/dev/null
k -n "$NS" apply --server-side --force-conflicts \
  -f "$ROOT/deploy/rbac/controller-leader-election-role.yaml" >/dev/null
k -n "$NS" create serviceaccount "$SA" --dry-run=client -o yaml | k apply -f - >/dev/null
k create clusterrolebinding "certkeeper-controller:$NS" --clusterrole certkeeper-controller \
  --serviceaccount "$NS:$SA" --dry-run=client -o yaml | k apply -f - >/dev/null
k -n "$NS" create rolebinding certkeeper-controller:leader-election \
  --role certkeeper-controller:leader-election --serviceaccount "$NS:$SA" \
  --dry-run=client -o yaml | k apply -f - >/dev/null
"$ROOT/tests/support/sa-kubeconfig.sh" "$NS" "$SA" "$OUT"
# The roles take effect through the authorizer's cache: wait until the identity can do its work.
for _ in $(seq 1 50); do
  if [[ "$(k auth can-i list secrets -A --as "system:serviceaccount:$NS:$SA" 2>/dev/null)" == yes ]]; then
    exit 0
  fi
  sleep 0.2
done
echo "rbac-identity: the roles did not take effect for $NS:$SA" >&2
exit 1
