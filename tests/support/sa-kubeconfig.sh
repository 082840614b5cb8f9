#!/usr/bin/env bash
# Writes a kubeconfig at OUT that acts as ServiceAccount NAMESPACE/SA of the tools/testenv
# apiserver, with a short-lived token (TokenRequest via `kubectl create token`), so a process
# started outside the cluster has exactly the permissions its Pod would have.
#
#   sa-kubeconfig.sh NAMESPACE SA OUT   (reads KUBECONFIG, CK_KUBECTL, CK_KUBE_APISERVER_URL and
#                                        CK_KUBE_CA_FILE from the testenv env)
set -euo pipefail
: "${KUBECONFIG:?source the testenv env file first}" "${CK_KUBECTL:?}" "${CK_KUBE_APISERVER_URL:?}"
NS="${1:?usage: $0 NAMESPACE SA OUT}"
SA="${2:?usage: $0 NAMESPACE SA OUT}"
OUT="${3:?usage: $0 NAMESPACE SA OUT}"
token=$("$CK_KUBECTL" --kubeconfig "$KUBECONFIG" -n "$NS" create token "$SA" --duration 2h)
cat >"$OUT" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: testenv
    cluster:
      server: $CK_KUBE_APISERVER_URL
      certificate-authority: $CK_KUBE_CA_FILE
users:
  - name: $SA
    user:
      token: $token
contexts:
  - name: $SA
    context: {cluster: testenv, user: $SA, namespace: $NS}
current-context: $SA
KUBECONFIG
chmod 600 "$OUT"
