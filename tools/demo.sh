#!/usr/bin/env bash
# `make demo`: brings up the local control plane, Pebble and BIND9 and shows what runs.
#
# Today (foundation) the demo stops at a running, checked environment. The ACME issuer issue
# turns it into the full job: install the CRDs and RBAC, run the controller, apply a
# ClusterIssuer and a Certificate, and serve the issued Secret over HTTPS to a client that trusts
# only Pebble's root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${1:-build/dev}"
DEMO_DIR="$ROOT/build/demo"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "certkeeper binary"
"$ROOT/$BUILD_DIR/cmd/certkeeper/certkeeper" version

if [[ -f "$DEMO_DIR/testenv.env" ]]; then
  step "A demo environment is already up in $DEMO_DIR; reusing it"
else
  step "Starting etcd, kube-apiserver, kube-controller-manager, BIND9 and Pebble on loopback"
  "$ROOT/tools/testenv" up --dir "$DEMO_DIR" >/dev/null
fi
set -a
# shellcheck disable=SC1091
source "$DEMO_DIR/testenv.env"
set +a

step "Kubernetes API server at $CK_KUBE_APISERVER_URL (admin kubeconfig: $KUBECONFIG)"
"$CK_KUBECTL" version
"$CK_KUBECTL" get namespaces

step "Pebble ACME directory at $CK_ACME_DIRECTORY"
curl -s --cacert "$CK_ACME_SERVER_CA_FILE" "$CK_ACME_DIRECTORY"
echo
echo "Pebble's issuing root (trust this to verify what it issues): $CK_PEBBLE_ROOT_FILE"

step "BIND9 authoritative for $CK_DNS_ZONE at $CK_DNS_SERVER (TSIG key $CK_TSIG_KEY_NAME)"
dig +noall +answer @"${CK_DNS_SERVER%:*}" -p "${CK_DNS_SERVER#*:}" SOA "$CK_DNS_ZONE"

step "Running components"
"$ROOT/tools/testenv" status --dir "$DEMO_DIR" | head -7

cat <<MSG

The environment keeps running. Use it:
  export KUBECONFIG=$KUBECONFIG
  $CK_KUBECTL get namespaces
Logs: $CK_LOG_DIR
Stop it with: make demo-down

Not yet in the demo: the certkeeper controller issuing a Certificate (it arrives with the
certificates pipeline and ACME issuer work; see README.md, "Status").
MSG
