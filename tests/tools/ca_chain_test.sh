#!/usr/bin/env bash
# Issue 5's acceptance run, end to end through the binary: `kubectl apply` of cert-manager-shaped
# manifests (a SelfSigned ClusterIssuer, a CA Certificate, a CA Issuer, a leaf Certificate) with
# `certkeeper controller` running as the ServiceAccount bound to deploy/rbac/ gives Secrets whose
# chains verify with OpenSSL against the root, keystores that open with their password, and
# Certificates that `kubectl wait --for=condition=Ready` sees Ready. Then the controller is
# SIGKILLed mid-issuance (a CertificateRequest made, its issuer not ready yet) and restarted: the
# issuance finishes with that same request, never a second one for the revision.
# Usage: ca_chain_test.sh <certkeeper binary>  (CK_TESTENV_FILE set by ctest)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scratch=$(mktemp -d)
ns="chain-$$-$RANDOM"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  k delete clusterissuer "selfsigned-$ns" --ignore-not-found >/dev/null 2>&1
  "$ROOT/tests/support/rbac-identity.sh" --delete "$ns" >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT

k apply --server-side --force-conflicts -f "$ROOT/crds/" >/dev/null
k wait --for=condition=Established crd --all --timeout=60s >/dev/null
k create namespace "$ns" >/dev/null
"$ROOT/tests/support/rbac-identity.sh" "$ns" "$scratch/controller.kubeconfig" ||
  { echo "FAIL: could not set up the controller's identity"; exit 1; }

start_controller() {
  "$BIN" controller --kubeconfig "$scratch/controller.kubeconfig" --leader-election-namespace "$ns" \
    --leader-election-lease-duration 4s --leader-election-renew-deadline 3s \
    --leader-election-retry-period 500ms --cluster-resource-namespace "$ns" \
    --internal-healthz-listen-address 127.0.0.1:0 --metrics-listen-address 127.0.0.1:0 \
    >>"$scratch/controller.log" 2>&1 &
  pid=$!
}
start_controller

sed "s/NAMESPACE/$ns/g" "$ROOT/tests/manifests/ca-chain/ca-chain.yaml" | k apply -f - >/dev/null
check "kubectl wait sees both Certificates Ready" \
  k -n "$ns" wait --for=condition=Ready certificate/root-ca certificate/web --timeout=90s
check "the CA Issuer is Ready" k -n "$ns" wait --for=condition=Ready issuer/ca --timeout=30s

secret() { k -n "$ns" get secret "$1" -o jsonpath="{.data.${2//./\\.}}" | base64 -d; }
secret root-ca tls.crt >"$scratch/root.pem"
secret web-tls tls.crt >"$scratch/web.pem"
secret web-tls tls.key >"$scratch/web.key"
secret web-tls ca.crt >"$scratch/web-ca.pem"
secret web-tls keystore.p12 >"$scratch/web.p12"
secret web-tls keystore.jks >"$scratch/web.jks"

check "the root is a self-signed CA" \
  openssl verify -CAfile "$scratch/root.pem" "$scratch/root.pem"
check "the leaf chain verifies against the root" \
  openssl verify -CAfile "$scratch/root.pem" "$scratch/web.pem"
check "ca.crt of the leaf Secret is the root" cmp -s "$scratch/root.pem" "$scratch/web-ca.pem"
leaf_pub=$(openssl x509 -in "$scratch/web.pem" -noout -pubkey | openssl sha256)
key_pub=$(openssl pkey -in "$scratch/web.key" -pubout | openssl sha256)
check "tls.key belongs to tls.crt" test "$leaf_pub" = "$key_pub"
check "tls.key is PKCS#1 RSA (the default encoding)" grep -q "BEGIN RSA PRIVATE KEY" "$scratch/web.key"
sans=$(openssl x509 -in "$scratch/web.pem" -noout -ext subjectAltName)
check "the SANs are the spec's ($sans)" bash -c \
  "grep -q 'DNS:web.example.test' <<<'$sans' && grep -q 'DNS:www.example.test' <<<'$sans' && grep -q 'IP Address:127.0.0.1' <<<'$sans'"
check "the PKCS#12 keystore opens with its password" \
  openssl pkcs12 -in "$scratch/web.p12" -passin pass:s3cret-keystore -noout
if command -v keytool >/dev/null; then
  check "the JKS keystore opens with its password" \
    bash -c "keytool -list -keystore \"$scratch/web.jks\" -storepass s3cret-keystore >/dev/null 2>&1"
fi
label=$(k -n "$ns" get secret web-tls -o jsonpath='{.metadata.labels.controller\.cert-manager\.io/fao}')
check "the Secret carries controller.cert-manager.io/fao=true" test "$label" = "true"
crs=$(k -n "$ns" get certificaterequests -o name | wc -l)
check "one CertificateRequest per Certificate ($crs)" test "$crs" -eq 2

# --- SIGKILL mid-issuance ------------------------------------------------------------------------
# A CA Issuer whose Secret does not exist yet: the Certificate's request is made and waits.
cat <<EOF | k apply -f - >/dev/null
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: late-ca, namespace: $ns}
spec: {ca: {secretName: late-ca-keypair}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: late, namespace: $ns}
spec:
  secretName: late-tls
  dnsNames: [late.example.test]
  issuerRef: {name: late-ca}
EOF
pending() {
  [[ "$(k -n "$ns" get certificaterequest late-1 \
        -o jsonpath='{.status.conditions[?(@.type=="Ready")].reason}' 2>/dev/null)" == Pending ]]
}
waited=1
for _ in $(seq 1 150); do pending && { waited=0; break; }; sleep 0.2; done
check "the request late-1 exists and waits for its issuer" test "$waited" -eq 0
kill -KILL "$pid"; wait "$pid" 2>/dev/null; pid=""
key_secret=$(k -n "$ns" get certificate late -o jsonpath='{.status.nextPrivateKeySecretName}')
key_before=$(secret "$key_secret" tls.key | openssl pkey -pubout 2>/dev/null | openssl sha256)
start_controller
k -n "$ns" create secret tls late-ca-keypair --cert "$scratch/root.pem" \
  --key <(secret root-ca tls.key) >/dev/null
check "after the restart the Certificate becomes Ready" \
  k -n "$ns" wait --for=condition=Ready certificate/late --timeout=60s
requests=$(k -n "$ns" get certificaterequests -o name | grep -c '/late-')
check "still exactly one request for it ($requests), late-1" test "$requests" -eq 1
revision=$(k -n "$ns" get certificate late -o jsonpath='{.status.revision}')
check "revision 1 ($revision)" test "$revision" = 1
secret late-tls tls.crt >"$scratch/late.pem"
late_pub=$(openssl x509 -in "$scratch/late.pem" -noout -pubkey | openssl sha256)
late_key=$(secret late-tls tls.key | openssl pkey -pubout | openssl sha256)
check "tls.key belongs to the late certificate" test "$late_pub" = "$late_key"
check "the key made before the kill (Secret '$key_secret') is the one issued for" \
  test "$late_key" = "$key_before"
check "the late chain verifies against the root" \
  openssl verify -CAfile "$scratch/root.pem" "$scratch/late.pem"

if ((fails > 0)); then
  echo "--- controller log (last 60 lines) ---"; tail -n 60 "$scratch/controller.log"
  k -n "$ns" get certificates,certificaterequests,issuers -o wide
  echo "$fails check(s) failed"; exit 1
fi
echo "all checks passed"
