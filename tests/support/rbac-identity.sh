#!/usr/bin/env bash
# Makes the identity `certkeeper controller` runs under in tests: a ServiceAccount in NAMESPACE
# bound to exactly the roles in deploy/rbac/ (the ClusterRole through a ClusterRoleBinding, the
# leader-election Role in NAMESPACE), and a kubeconfig at OUT with a short-lived token for it
# (tests/support/sa-kubeconfig.sh). A permission missing from deploy/rbac/ then fails
# the test that uses it, instead of being hidden by an admin identity.
#
#   rbac-identity.sh NAMESPACE OUT      (reads KUBECONFIG and CK_KUBECTL from the testenv env)
#   rbac-identity.sh --delete NAMESPACE removes the cluster-scoped binding it made
# With --webhook first, the same for `certkeeper webhook`: ServiceAccount certkeeper-webhook bound
# to deploy/rbac/webhook-clusterrole.yaml and webhook-role.yaml (in NAMESPACE).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${KUBECONFIG:?source the testenv env file first}" "${CK_KUBECTL:?}" "${CK_KUBE_APISERVER_URL:?}"
k() { "$CK_KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }

# Which identity: the ServiceAccount, its ClusterRole and namespaced Role (files and names), and
# a permission that shows the roles took effect.
SA=certkeeper-controller
CLUSTER_ROLE_FILE=controller-clusterrole.yaml
ROLE_FILE=controller-leader-election-role.yaml
ROLE=certkeeper-controller:leader-election
PROBE=(list secrets -A)
if [[ "${1:-}" == --webhook ]]; then
  shift
  SA=certkeeper-webhook
  CLUSTER_ROLE_FILE=webhook-clusterrole.yaml
  ROLE_FILE=webhook-role.yaml
  ROLE=certkeeper-webhook:dynamic-serving
  PROBE=(create subjectaccessreviews.authorization.k8s.io)
fi

if [[ "${1:-}" == --delete ]]; then
  k delete clusterrolebinding "$SA:$2" --ignore-not-found >/dev/null
  exit 0
fi
NS="${1:?usage: $0 [--webhook] NAMESPACE OUT}"
OUT="${2:?usage: $0 [--webhook] NAMESPACE OUT}"

k apply --server-side --force-conflicts -f "$ROOT/deploy/rbac/$CLUSTER_ROLE_FILE" >/dev/null
k -n "$NS" apply --server-side --force-conflicts -f "$ROOT/deploy/rbac/$ROLE_FILE" >/dev/null
k -n "$NS" create serviceaccount "$SA" --dry-run=client -o yaml | k apply -f - >/dev/null
k create clusterrolebinding "$SA:$NS" --clusterrole "$SA" \
  --serviceaccount "$NS:$SA" --dry-run=client -o yaml | k apply -f - >/dev/null
k -n "$NS" create rolebinding "$ROLE" --role "$ROLE" --serviceaccount "$NS:$SA" \
  --dry-run=client -o yaml | k apply -f - >/dev/null
"$ROOT/tests/support/sa-kubeconfig.sh" "$NS" "$SA" "$OUT"
# The roles take effect through the authorizer's cache: wait until the identity can do its work.
for _ in $(seq 1 50); do
  if [[ "$(k auth can-i "${PROBE[@]}" --as "system:serviceaccount:$NS:$SA" 2>/dev/null)" == yes ]]; then
    exit 0
  fi
  sleep 0.2
done
echo "rbac-identity: the roles did not take effect for $NS:$SA" >&2
exit 1
