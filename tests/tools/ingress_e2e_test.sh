#!/usr/bin/env bash
# ingress-shim end to end (issue 7) through the `certkeeper controller` binary, as a ServiceAccount
# bound to deploy/rbac/, against the real apiserver, a Pebble of its own validating HTTP-01 on port
# 80 of what BIND9 answers, and the test stand-ins for a kubelet and an ingress controller
# (tests/standins/README.md): an Ingress annotated cert-manager.io/cluster-issuer with one TLS
# entry gets a Certificate, and its TLS Secret appears with a chain that verifies against
# Pebble's root. A ClusterIssuer needs the controller to watch every namespace, so ctest runs
# this suite alone (RUN_SERIAL).
#
# Usage: ingress_e2e_test.sh <certkeeper binary>   (CK_TESTENV_FILE set by ctest; needs root)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export CERTKEEPER_BIN="$BIN"
scratch=$(mktemp -d)
ns="ingress-e2e-$$-$RANDOM"
router=127.0.67.$((RANDOM % 200 + 20))
host="www.ing$RANDOM.$CK_DNS_ZONE"
issuer="pebble-$ns"
pebble_name="ing-$ns"
cleanup() {
  stack_controller_stop "$scratch" KILL
  "$ROOT/tests/support/standins.sh" stop "$scratch/standins" >/dev/null 2>&1
  k delete clusterissuer "$issuer" --ignore-not-found --wait=false >/dev/null 2>&1
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  "$ROOT/tests/support/rbac-identity.sh" --delete "$ns" >/dev/null 2>&1
  stack_pebble_stop "$pebble_name" >/dev/null 2>&1
  stack_dns_delete "$host" A >/dev/null 2>&1
  [[ $fails -eq 0 ]] && rm -rf "$scratch" || echo "kept logs in $scratch"
}
trap cleanup EXIT

jp() { k -n "$ns" get "$1" "$2" -o jsonpath="$3"; }
issuer_ready() {
  [[ $(k get clusterissuer "$issuer" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
owned_by_ingress() {
  [[ $(jp certificate web-tls '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].controller}') == Ingress/web/true ]]
}
issuer_is() { [[ $(jp certificate web-tls '{.spec.issuerRef.kind}/{.spec.issuerRef.name}') == "ClusterIssuer/$issuer" ]]; }
secret_has_cert() { [[ -n $(jp secret web-tls '{.data.tls\.crt}') ]]; }
verify() { # the Secret's chain verifies against Pebble's root
  local d="$scratch/verify"
  mkdir -p "$d"
  jp secret web-tls '{.data.tls\.crt}' | base64 -d >"$d/chain.pem" || return 1
  awk -v d="$d" '/BEGIN CERT/{n++} {print > (d "/c" n ".pem")}' "$d/chain.pem"
  cat "$d"/c[2-9].pem >"$d/intermediates.pem" 2>/dev/null || : >"$d/intermediates.pem"
  openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$d/intermediates.pem" "$d/c1.pem"
}
has_host() { openssl x509 -noout -ext subjectAltName -in "$scratch/verify/c1.pem" | grep -q "DNS:$host"; }
event_seen() { k -n "$ns" get events --field-selector involvedObject.kind=Ingress,involvedObject.name=web,reason=CreateCertificate -o name | grep -q .; }

# --- the cluster: namespace, identity, stand-ins, a name, Pebble, ClusterIssuer, controller -----
k create namespace "$ns" >/dev/null
stack_install_crds || { echo "FAIL: CRDs"; exit 1; }
"$ROOT/tests/support/rbac-identity.sh" "$ns" "$scratch/controller.kubeconfig" ||
  { echo "FAIL: could not set up the controller's identity"; exit 1; }
stack_tsig_secret "$ns"
"$ROOT/tests/support/standins.sh" start "$scratch/standins" "$ns" "$router" "$BIN" >/dev/null ||
  { echo "FAIL: stand-ins did not start"; cat "$scratch"/standins/*.log; exit 1; }
stack_dns "$host" A "$router"
stack_pebble "$pebble_name" --http01-port 80 --nonce-reject 0 || { echo "FAIL: pebble"; exit 1; }
stack_acme_issuer ClusterIssuer "$issuer" "$ns" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin \
  "dns.unused.$CK_DNS_ZONE" | k apply -f - >/dev/null

# Every namespace (a ClusterIssuer); its Secrets in the test's namespace.
stack_controller_start "$scratch" "$scratch/controller.kubeconfig" \
  --cluster-resource-namespace "$ns" --acme-http01-solver-image certkeeper:dev \
  --acme-http01-solver-nameservers "$CK_DNS_SERVER" --dns01-check-retry-period 2s
check "the ClusterIssuer becomes Ready" eventually 30 issuer_ready

# --- an annotated Ingress -------------------------------------------------------------------------
cat <<YAML | k apply -f - >/dev/null
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: $ns
  annotations:
    cert-manager.io/cluster-issuer: $issuer
    cert-manager.io/private-key-algorithm: ECDSA
spec:
  ingressClassName: standin
  tls:
    - hosts: [$host]
      secretName: web-tls
  rules:
    - host: $host
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
YAML
check "ingress-shim makes Certificate web-tls, controlled by the Ingress" eventually 20 owned_by_ingress
check "  with the ClusterIssuer from the annotation" issuer_is
check "  and a CreateCertificate event on the Ingress" eventually 10 event_seen
check "its TLS Secret appears" eventually 60 secret_has_cert
check "  its chain verifies against Pebble's root" verify
check "  the Ingress's host is in the certificate" has_host

echo "$fails failed"
[[ $fails -eq 0 ]]
