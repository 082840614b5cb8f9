#!/usr/bin/env bash
# Runs `certkeeper webhook` behind the real apiserver's admission chain, as the ServiceAccount
# bound to deploy/rbac/webhook-*.yaml: it creates its CA Secret, fills caBundle of webhook
# configurations that have none (and again after it is reset), the apiserver then refuses invalid
# objects with messages naming the field, admits valid ones, sets a CertificateRequest's
# spec.username from the requester, lets only users allowed to `approve` the signer set
# Approved, and keeps working when its short-lived serving certificate is replaced in place.
# Usage: webhook_test.sh <path to the certkeeper binary>  (CK_TESTENV_FILE set by ctest)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scratch=$(mktemp -d)
ns="webhook-$$-$RANDOM"
pid=""
pid2=""
pid3=""
# The names deploy/rbac/webhook-*.yaml grant access to.
CONFIG=certkeeper-webhook
CA_SECRET=certkeeper-webhook-ca
LABEL="certkeeper.io/webhook-test"
cleanup() {
  # The configurations go first: with failurePolicy Fail they would block matching writes.
  k delete validatingwebhookconfiguration "$CONFIG" --ignore-not-found >/dev/null 2>&1
  k delete mutatingwebhookconfiguration "$CONFIG" --ignore-not-found >/dev/null 2>&1
  for p in $pid $pid2 $pid3; do kill -0 "$p" 2>/dev/null && kill -KILL "$p"; done
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  k delete clusterrole "webhook-test-approver:$ns" --ignore-not-found >/dev/null 2>&1
  k delete clusterrolebinding "webhook-test-approver:$ns" --ignore-not-found >/dev/null 2>&1
  k delete crd "exampleissuers.$ns.certkeeper.test" --ignore-not-found --wait=false >/dev/null 2>&1
  "$ROOT/tests/support/rbac-identity.sh" --webhook --delete "$ns" >/dev/null 2>&1
  [[ $fails -eq 0 ]] || { echo "--- webhook log"; tail -n 40 "$scratch/out"; }
  rm -rf "$scratch"
}
trap cleanup EXIT

k create namespace "$ns" >/dev/null
stack_install_crds ||
  { echo "FAIL: could not install the CRDs"; exit 1; }
"$ROOT/tests/support/rbac-identity.sh" --webhook "$ns" "$scratch/webhook.kubeconfig" ||
  { echo "FAIL: could not set up the webhook's identity"; exit 1; }

# --- bad flags: exit 2, one line, nothing started ---------------------------------------------------
out=$("$BIN" webhook --kubeconfig /nonexistent 2>&1); rc=$?
check "no TLS source is refused (rc=$rc: $out)" \
  test $rc -eq 2 -a "$(wc -l <<<"$out")" -eq 1 -a -n "$(grep -- --dynamic-serving-ca-secret-name <<<"$out")"
out=$("$BIN" webhook --kubeconfig /nonexistent --tls-cert-file /x 2>&1); rc=$?
check "half a static pair is refused (rc=$rc)" test $rc -eq 2
out=$("$BIN" webhook --kubeconfig /nonexistent --dynamic-serving-ca-secret-namespace x \
  --dynamic-serving-ca-secret-name y --dynamic-serving-dns-names z \
  --dynamic-serving-leaf-duration 8760h 2>&1); rc=$?
check "a leaf as long as the CA's life is refused (rc=$rc: $out)" \
  test $rc -eq 2 -a -n "$(grep -- 'at most 2920h' <<<"$out")"

# --- configurations without caBundle, then the webhook --------------------------------------------
port=$(free_port)
healthz=$(free_port)
# Only objects labelled for this run go through this webhook (ClusterIssuers are cluster-scoped,
# so a namespaceSelector would not keep other suites' objects out).
k apply -f - >/dev/null <<EOF || { echo "FAIL: could not create the webhook configurations"; exit 1; }
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: $CONFIG}
webhooks:
  - name: validate.webhook.certkeeper.io
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    timeoutSeconds: 10
    matchPolicy: Equivalent
    objectSelector: {matchLabels: {$LABEL: $ns}}
    clientConfig: {url: "https://127.0.0.1:$port/validate"}
    rules:
      - apiGroups: [cert-manager.io, acme.cert-manager.io]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: ["*/*"]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: $CONFIG}
webhooks:
  - name: mutate.webhook.certkeeper.io
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    timeoutSeconds: 10
    objectSelector: {matchLabels: {$LABEL: $ns}}
    clientConfig: {url: "https://127.0.0.1:$port/mutate"}
    rules:
      - apiGroups: [cert-manager.io]
        apiVersions: [v1]
        operations: [CREATE]
        resources: [certificaterequests]
EOF
"$BIN" webhook --kubeconfig "$scratch/webhook.kubeconfig" --bind-address 127.0.0.1 \
  --secure-port "$port" --healthz-port "$healthz" \
  --dynamic-serving-ca-secret-namespace "$ns" --dynamic-serving-ca-secret-name "$CA_SECRET" \
  --dynamic-serving-dns-names 127.0.0.1,localhost --dynamic-serving-leaf-duration 15s \
  --validating-webhook-configuration-name "$CONFIG" \
  --mutating-webhook-configuration-name "$CONFIG" --log-level debug >"$scratch/out" 2>&1 &
pid=$!

ca_bundle() { k get "$1" "$CONFIG" -o jsonpath='{.webhooks[0].clientConfig.caBundle}'; }
has_bundle() { [[ -n "$(ca_bundle "$1")" ]]; }
check "/healthz answers 200" eventually 20 curl -sf -o /dev/null "http://127.0.0.1:$healthz/healthz"
check "/livez answers 200" curl -sf -o /dev/null "http://127.0.0.1:$healthz/livez"
check "the CA Secret was created" eventually 10 k -n "$ns" get secret "$CA_SECRET"
check "caBundle filled in the ValidatingWebhookConfiguration" \
  eventually 10 has_bundle validatingwebhookconfiguration
check "caBundle filled in the MutatingWebhookConfiguration" \
  eventually 10 has_bundle mutatingwebhookconfiguration
k -n "$ns" get secret "$CA_SECRET" -o jsonpath='{.data.ca\.crt}' | base64 -d >"$scratch/ca.pem"
ca_bundle validatingwebhookconfiguration | base64 -d >"$scratch/bundle.pem"
check "caBundle is the Secret's ca.crt" cmp -s "$scratch/ca.pem" "$scratch/bundle.pem"
serving_cert() {
  openssl s_client -connect "127.0.0.1:$port" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256
}
verifies() { # [port]
  openssl s_client -connect "127.0.0.1:${1:-$port}" -CAfile "$scratch/ca.pem" -verify_ip 127.0.0.1 \
    -verify_return_error </dev/null >/dev/null 2>&1
}
check "the serving certificate verifies against the CA for 127.0.0.1" verifies
first_cert=$(serving_cert)

# A second replica finds the CA Secret and signs its own serving certificate with the same CA.
secret_version() { k -n "$ns" get secret "$CA_SECRET" -o jsonpath='{.metadata.resourceVersion}'; }
version_before=$(secret_version)
port2=$(free_port)
healthz2=$(free_port)
"$BIN" webhook --kubeconfig "$scratch/webhook.kubeconfig" --bind-address 127.0.0.1 \
  --secure-port "$port2" --healthz-port "$healthz2" \
  --dynamic-serving-ca-secret-namespace "$ns" --dynamic-serving-ca-secret-name "$CA_SECRET" \
  --dynamic-serving-dns-names 127.0.0.1 >"$scratch/out2" 2>&1 &
pid2=$!
check "a second replica starts" eventually 20 curl -sf -o /dev/null "http://127.0.0.1:$healthz2/healthz"
check "its serving certificate verifies against the same CA" verifies "$port2"
check "it did not rewrite the CA Secret" test "$(secret_version)" = "$version_before"
kill -TERM "$pid2"; wait "$pid2"; pid2=""

# --- validation: one object per notable rule, refused with the field named ----------------------
csr() { # subject/SAN name, extra openssl req arguments...
  local name="$1"; shift
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/CN=$name" -addext "subjectAltName=DNS:$name" "$@" 2>/dev/null | base64 -w0
}
server_csr=$(csr web.example.com -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
  -addext "extendedKeyUsage=serverAuth")
meta() { printf 'metadata: {name: %s, namespace: %s, labels: {%s: %s}}' "$1" "$ns" "$LABEL" "$ns"; }
refused() { # expected message, manifest on stdin
  local want="$1" got
  got=$(k apply -f - 2>&1) && { echo "  admitted: $got"; return 1; }
  [[ "$got" == *"denied the request"*"$want"* ]] || { echo "  got: $got"; return 1; }
}
admitted() { # manifest on stdin
  local got
  got=$(k apply -f - 2>&1) || { echo "  refused: $got"; return 1; }
}
certificate() { # name, extra spec lines
  printf 'apiVersion: cert-manager.io/v1\nkind: Certificate\n%s\nspec:\n  secretName: %s-tls\n  dnsNames: [web.example.com]\n  issuerRef: {name: ca}\n%s\n' \
    "$(meta "$1")" "$1" "${2:-}"
}
check "Certificate: RSA key size 1000 refused" \
  refused "spec.privateKey.size: Invalid value: 1000" < <(certificate small "  privateKey: {algorithm: RSA, size: 1000}")
check "Certificate: duration under 1h refused" \
  refused "spec.duration: Invalid value: 30m0s: certificate duration must be greater than" \
  < <(certificate short "  duration: 30m")
check "Certificate: renewBefore with renewBeforePercentage refused" \
  refused "spec.renewBeforePercentage: Invalid value: 10: renewBefore and" \
  < <(certificate both "  renewBefore: 2h
  renewBeforePercentage: 10")
check "Certificate: valid one admitted" admitted < <(certificate good "  privateKey: {algorithm: ECDSA, size: 256}")
check "Certificate: valid update admitted" admitted < <(certificate good "  privateKey: {algorithm: ECDSA, size: 384}")
check "Certificate: invalid update refused" \
  refused "spec.privateKey.size: Unsupported value: 100" < <(certificate good "  privateKey: {algorithm: ECDSA, size: 100}")

check "Issuer: two issuer types refused" refused "may not specify more than one issuer type" <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
$(meta two)
spec: {selfSigned: {}, ca: {secretName: ca}}
EOF
check "Issuer: unparseable ACME caBundle refused" \
  refused "spec.acme.caBundle: Invalid value: \"\": cert bundle didn't contain any valid certificates: " <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
$(meta acme)
spec:
  acme:
    server: https://acme.example/directory
    privateKeySecretRef: {name: acme-account}
    caBundle: $(printf -- '-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n' | base64 -w0)
    solvers: [{http01: {ingress: {}}}]
EOF
check "Issuer: valid one admitted" admitted <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
$(meta ca)
spec: {ca: {secretName: ca-key-pair}}
EOF
warned() { # expected warning, manifest on stdin: admitted, with the warning printed by kubectl
  local got
  got=$(k apply -f - 2>&1) || { echo "  refused: $got"; return 1; }
  [[ "$got" == *"Warning: $1"* ]] || { echo "  got: $got"; return 1; }
}
check "Issuer: deprecated EAB keyAlgorithm admitted with a warning" \
  warned "ACME EAB keyAlgorithm field is deprecated" <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
$(meta eab)
spec:
  acme:
    server: https://acme.example/directory
    privateKeySecretRef: {name: acme-account}
    externalAccountBinding: {keyID: kid, keySecretRef: {name: eab, key: hmac}, keyAlgorithm: HS512}
    solvers: [{http01: {ingress: {}}}]
EOF
check "ClusterIssuer: ACME solver without a type refused" \
  refused "spec.acme.solvers[0]: Required value: no solver type configured" <<EOF
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: nosolver-$ns, labels: {$LABEL: $ns}}
spec:
  acme:
    server: https://acme.example/directory
    privateKeySecretRef: {name: acme-account}
    solvers: [{selector: {dnsNames: [a.example.com]}}]
EOF

request() { # name, request (base64), extra spec lines
  printf 'apiVersion: cert-manager.io/v1\nkind: CertificateRequest\n%s\nspec:\n  request: %s\n  issuerRef: {name: ca}\n%s\n' \
    "$(meta "$1")" "$2" "${3:-}"
}
check "CertificateRequest: unparseable CSR refused" \
  refused "spec.request: Invalid value: []byte{...}: failed to decode csr" \
  < <(request garbage "$(printf -- '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n' | base64 -w0)")
check "CertificateRequest: usages not matching the CSR refused" \
  refused "spec.usages: Invalid value: []string{\"client auth\"}" \
  < <(request mismatch "$server_csr" "  usages: [client auth]")
check "CertificateRequest: isCA not matching the CSR refused" \
  refused "spec.isCA: Invalid value: true" \
  < <(request isca "$server_csr" "  isCA: true
  usages: [digital signature, key encipherment, server auth, cert sign]")

# --- identity: set from the requester, whatever was sent ---------------------------------------
k apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: requesters, namespace: $ns}
rules:
  - apiGroups: [cert-manager.io]
    resources: [certificaterequests, certificaterequests/status]
    verbs: [create, get, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: requesters, namespace: $ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: requesters}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}
EOF
out=$(request web-1 "$server_csr" "  usages: [digital signature, key encipherment, server auth]
  username: mallory
  groups: [system:masters]" | k --as alice --as-group devs create -f - 2>&1)
check "CertificateRequest: valid one created by alice ($out)" test $? -eq 0
check "spec.username is the requester" \
  test "$(k -n "$ns" get certificaterequest web-1 -o jsonpath='{.spec.username}')" = alice
groups=$(k -n "$ns" get certificaterequest web-1 -o jsonpath='{.spec.groups}')
check "spec.groups are the requester's, not what was sent ($groups)" \
  test -n "$(grep devs <<<"$groups")" -a -z "$(grep masters <<<"$groups")"
out=$(k -n "$ns" patch certificaterequest web-1 --type merge -p '{"spec":{"username":"eve"}}' 2>&1)
check "changing the spec later is refused" test -n "$(grep 'spec.username: Forbidden' <<<"$out")"

# --- approval: only users who may approve the signer ----------------------------------------------
approve() { # user, condition type
  k --as "$1" -n "$ns" patch certificaterequest web-1 --subresource status --type merge \
    -p "{\"status\":{\"conditions\":[{\"type\":\"$2\",\"status\":\"True\",\"reason\":\"ByTest\",\"message\":\"by $1\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}}" 2>&1
}
out=$(approve bob Approved)
check "bob (no approve permission) cannot set Approved" \
  test -n "$(grep 'user "bob" does not have permissions' <<<"$out")"
k apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "webhook-test-approver:$ns"}
rules:
  - apiGroups: [cert-manager.io]
    resources: [signers]
    verbs: [approve]
    resourceNames: ["issuers.cert-manager.io/$ns.ca"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "webhook-test-approver:$ns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "webhook-test-approver:$ns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}]
EOF
can_approve() { approve carol Approved | grep -q patched; }
check "carol (approve on issuers.cert-manager.io/$ns.ca) sets Approved" eventually 5 can_approve
check "Approved is set" test "$(k -n "$ns" get certificaterequest web-1 \
  -o jsonpath='{.status.conditions[?(@.type=="Approved")].status}')" = True

# An external issuer kind (a CRD of its own group): the signer name comes from discovery.
ext_group="$ns.certkeeper.test"
k apply -f - >/dev/null <<EOF
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: "exampleissuers.$ext_group"}
spec:
  group: "$ext_group"
  names: {kind: ExampleIssuer, plural: exampleissuers, singular: exampleissuer, listKind: ExampleIssuerList}
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
EOF
k wait --for condition=Established --timeout=30s "crd/exampleissuers.$ext_group" >/dev/null
request web-2 "$server_csr" "  usages: [digital signature, key encipherment, server auth]" |
  sed "s/issuerRef: {name: ca}/issuerRef: {name: ext, kind: ExampleIssuer, group: $ext_group}/" |
  k --as alice create -f - >/dev/null
approve_ext() { # user
  k --as "$1" -n "$ns" patch certificaterequest web-2 --subresource status --type merge \
    -p '{"status":{"conditions":[{"type":"Approved","status":"True","reason":"ByTest","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}' 2>&1
}
out=$(approve_ext carol)
check "external issuer: carol (no approve on its signer) is refused" \
  test -n "$(grep "signers.cert-manager.io named \"exampleissuers.$ext_group/$ns.ext\"" <<<"$out")"
k apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "webhook-test-approver:$ns"}
rules:
  - apiGroups: [cert-manager.io]
    resources: [signers]
    verbs: [approve]
    resourceNames: ["issuers.cert-manager.io/$ns.ca", "exampleissuers.$ext_group/$ns.ext"]
EOF
can_approve_ext() { approve_ext carol | grep -q patched; }
check "external issuer: carol with approve on exampleissuers.$ext_group/$ns.ext sets Approved" \
  eventually 5 can_approve_ext

# --- Orders and Challenges: the update rules ----------------------------------------------------
k apply -f - >/dev/null <<EOF
apiVersion: acme.cert-manager.io/v1
kind: Order
$(meta order-1)
spec: {request: $server_csr, issuerRef: {name: ca}, dnsNames: [web.example.com]}
EOF
out=$(k -n "$ns" patch order order-1 --type merge -p "{\"spec\":{\"request\":\"$(csr other.example.com)\"}}" 2>&1)
check "Order: changing spec.request is refused" \
  test -n "$(grep 'spec.request: Forbidden: field is immutable once set' <<<"$out")"

k apply -f - >/dev/null <<EOF
apiVersion: acme.cert-manager.io/v1
kind: Challenge
$(meta challenge-1)
spec:
  url: https://acme.example/chall/1
  authorizationURL: https://acme.example/authz/1
  dnsName: web.example.com
  type: HTTP-01
  token: tok
  key: tok.thumb
  solver: {http01: {ingress: {}}}
  issuerRef: {name: acme}
EOF
out=$(k -n "$ns" patch challenge challenge-1 --type merge -p '{"spec":{"dnsName":"evil.example.com"}}' 2>&1)
check "Challenge: changing the spec is refused" \
  test -n "$(grep 'spec: Forbidden: challenge spec is immutable after creation' <<<"$out")"

# --- the caBundle comes back after a reset (helm upgrade) -------------------------------------------
k patch validatingwebhookconfiguration "$CONFIG" --type json \
  -p '[{"op":"remove","path":"/webhooks/0/clientConfig/caBundle"}]' >/dev/null
check "a reset caBundle is filled in again" eventually 10 has_bundle validatingwebhookconfiguration

# --- the serving certificate is replaced in place (15 s leaf, renewed at 2/3) ------------------------
replaced() { [[ "$(serving_cert)" != "$first_cert" ]]; }
check "the serving certificate is replaced within 20 s" eventually 20 replaced
check "the webhook was not restarted" kill -0 "$pid"
check "the new certificate verifies against the same CA" verifies
check "after the replacement, invalid objects are still refused" \
  refused "spec.privateKey.size: Invalid value: 1000" < <(certificate later "  privateKey: {algorithm: RSA, size: 1000}")
check "after the replacement, valid objects are still admitted" admitted < <(certificate later)

# --- a static serving certificate from files, reloaded when the files change ----------------------
static_pair() { # CN: a self-signed certificate for 127.0.0.1 into static.crt / static.key
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=$1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$scratch/static.key.new" \
    -out "$scratch/static.crt.new" 2>/dev/null &&
    mv "$scratch/static.key.new" "$scratch/static.key" && mv "$scratch/static.crt.new" "$scratch/static.crt"
}
static_pair first
port3=$(free_port)
"$BIN" webhook --kubeconfig "$scratch/webhook.kubeconfig" --bind-address 127.0.0.1 \
  --secure-port "$port3" --healthz-port "$(free_port)" \
  --tls-cert-file "$scratch/static.crt" --tls-private-key-file "$scratch/static.key" \
  >"$scratch/out3" 2>&1 &
pid3=$!
served_subject() {
  openssl s_client -connect "127.0.0.1:$port3" </dev/null 2>/dev/null | openssl x509 -noout -subject
}
subject_is() { [[ "$(served_subject)" == *"CN = $1"* ]]; }
check "static files: the given certificate is served" eventually 20 subject_is first
static_pair second
check "static files: a replaced pair is served within 10 s, no restart" eventually 10 subject_is second
check "static files: no CA Secret was touched" test "$(secret_version)" = "$version_before"
kill -TERM "$pid3"; wait "$pid3"; pid3=""

# --- a clean stop ---------------------------------------------------------------------------------
k delete validatingwebhookconfiguration "$CONFIG" >/dev/null
k delete mutatingwebhookconfiguration "$CONFIG" >/dev/null
kill -TERM "$pid"
wait "$pid"; rc=$?; pid=""
check "SIGTERM stops it with exit code 0 (got $rc)" test "$rc" -eq 0

echo "$fails failure(s)"
[[ $fails -eq 0 ]]
