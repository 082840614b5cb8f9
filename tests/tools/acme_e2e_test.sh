#!/usr/bin/env bash
# Issue 6's acceptance run: ACME Issuers end to end through the `certkeeper controller` binary,
# as a ServiceAccount bound to deploy/rbac/, against the real apiserver, Pebbles of the suite's
# own (validating HTTP-01 on port 80 of what BIND9 answers), BIND9 (DNS-01 over RFC 2136) and the
# test stand-ins for a kubelet and an ingress controller (tests/standins/README.md).
#
# Covered: HTTP-01 for two names; DNS-01 for a wildcard plus its apex (TXT records gone after);
# an IP-address certificate over HTTP-01; a profile; an EAB-only Pebble; 50 % nonce rejection;
# ARI: Pebble's renewal-info override makes certkeeper replace a certificate early, with
# `replaces`; the controller SIGKILLed during a challenge completes the same Order (one newOrder);
# a solver that cannot succeed ends in a clear failed state and is not retried in a loop;
# deleting a Certificate mid-issuance removes its solver Pods, Services, Ingresses and TXT
# records. Every issued chain verifies against its Pebble's root.
#
# Usage: acme_e2e_test.sh <certkeeper binary>   (CK_TESTENV_FILE set by ctest; needs root)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export CERTKEEPER_BIN="$BIN"
scratch=$(mktemp -d)
ns="e2e-$$-$RANDOM"
router=127.0.66.$((RANDOM % 200 + 20))
sub="e2e$RANDOM"                        # names: <x>.$sub.example.test
dnszone="dns.$sub.$CK_DNS_ZONE"        # DNS-01 names live under this one
pebbles=()
cleanup() {
  stack_controller_stop "$scratch" KILL
  "$ROOT/tests/support/standins.sh" stop "$scratch/standins" >/dev/null 2>&1
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  "$ROOT/tests/support/rbac-identity.sh" --delete "$ns" >/dev/null 2>&1
  for p in "${pebbles[@]}"; do stack_pebble_stop "$p" >/dev/null 2>&1; done
  for n in a b kill gone ari nonce eab prof; do stack_dns_delete "$n.$sub.$CK_DNS_ZONE" A >/dev/null 2>&1; done
  [[ $fails -eq 0 ]] && rm -rf "$scratch" || echo "kept logs in $scratch"
}
trap cleanup EXIT

# Waits up to $1 seconds for "$2..." to succeed.
ready() { [[ $(k -n "$ns" get certificate "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]; }
jp() { k -n "$ns" get "$1" "$2" -o jsonpath="$3"; }
# verify SECRET ROOT: the Secret's chain verifies against ROOT; prints the leaf's SANs.
verify() {
  local d="$scratch/verify-$1"
  mkdir -p "$d"
  jp secret "$1" '{.data.tls\.crt}' | base64 -d >"$d/chain.pem" || return 1
  awk -v d="$d" '/BEGIN CERT/{n++} {print > (d "/c" n ".pem")}' "$d/chain.pem"
  cat "$d"/c[2-9].pem >"$d/intermediates.pem" 2>/dev/null || : >"$d/intermediates.pem"
  openssl verify -CAfile "$2" -untrusted "$d/intermediates.pem" "$d/c1.pem" >/dev/null || return 1
}
sans() { openssl x509 -noout -ext subjectAltName -in "$scratch/verify-$1/c1.pem" | tail -1 | tr -d ' '; }
has_san() { [[ $(sans "$1") == *"$2"* ]]; }
issuer_ready() { [[ $(jp issuer "$1" '{.status.conditions[?(@.type=="Ready")].status}') == True ]]; }
no_solver_resources() { # none left in the namespace
  [[ -z $(k -n "$ns" get pods,services,ingresses -l acme.cert-manager.io/http01-solver=true \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}') ]]
}
solver_resources() { # at least N exist
  [[ $(k -n "$ns" get pods,services,ingresses -l acme.cert-manager.io/http01-solver=true -o name | wc -l) -ge $1 ]]
}
txt_of() { dig +short @"${CK_DNS_SERVER%:*}" -p "${CK_DNS_SERVER##*:}" TXT "_acme-challenge.$1"; }
no_txt() { [[ -z $(txt_of "$1") ]]; }
has_txt() { [[ -n $(txt_of "$1") ]]; }
orders_valid_no_challenges() {
  [[ $(k -n "$ns" get orders -o jsonpath='{.items[*].status.state}') == valid &&
     -z $(k -n "$ns" get challenges -o name) ]]
}
challenge_for() { k -n "$ns" get challenges -o jsonpath='{.items[*].spec.dnsName}' | grep -q "$1"; }
no_challenge_for() { ! challenge_for "$1"; }
field_is() { [[ $(jp "$1" "$2" "$3") == "$4" ]]; }      # kind name jsonpath value
field_has() { [[ $(jp "$1" "$2" "$3") == *"$4"* ]]; }   # kind name jsonpath substring
list_has() { [[ $(k -n "$ns" get "$1" -o jsonpath="$2") == *"$3"* ]]; }  # kind jsonpath substring
serial_of() { jp secret "$1" '{.data.tls\.crt}' | base64 -d | openssl x509 -noout -serial; }
serial_changed() { [[ $(serial_of "$1") != "$2" ]]; }
certificate() { # name issuer dnsNames-yaml [extra spec yaml]
  cat <<YAML | k apply -f - >/dev/null
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: $1, namespace: $ns}
spec:
  secretName: $1-tls
  issuerRef: {name: $2}
  privateKey: {algorithm: ECDSA}
  $3
${4:-}
YAML
}

# --- the cluster: namespace, identity, stand-ins, names, Pebble, controller ---------------------
k create namespace "$ns" >/dev/null
stack_install_crds || { echo "FAIL: CRDs"; exit 1; }
"$ROOT/tests/support/rbac-identity.sh" "$ns" "$scratch/controller.kubeconfig" ||
  { echo "FAIL: could not set up the controller's identity"; exit 1; }
stack_tsig_secret "$ns"
"$ROOT/tests/support/standins.sh" start "$scratch/standins" "$ns" "$router" "$BIN" >/dev/null ||
  { echo "FAIL: stand-ins did not start"; cat "$scratch"/standins/*.log; exit 1; }
for n in a b kill gone ari nonce eab prof; do stack_dns "$n.$sub.$CK_DNS_ZONE" A "$router"; done
stack_dns "fail.$sub.$CK_DNS_ZONE" A 127.0.0.2  # nothing answers HTTP there

stack_pebble "e2e-$ns" --http01-port 80 --nonce-reject 0 || { echo "FAIL: pebble"; exit 1; }
pebbles+=("e2e-$ns")
main_root=$PEBBLE_ROOT main_log=$PEBBLE_LOG main_mgmt=$PEBBLE_MGMT
stack_acme_issuer Issuer pebble "$ns" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin "$dnszone" |
  k apply -f - >/dev/null
stack_acme_issuer Issuer shortlived "$ns" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin "$dnszone" \
  "    profile: shortlived" | k apply -f - >/dev/null

controller_flags=(--namespace "$ns" --cluster-resource-namespace "$ns"
  --acme-http01-solver-image certkeeper:dev
  --acme-http01-solver-nameservers "$CK_DNS_SERVER"
  --dns01-recursive-nameservers "$CK_DNS_SERVER" --dns01-recursive-nameservers-only
  --dns01-check-retry-period 2s --acme-ari-poll-interval 3s)
stack_controller_start "$scratch" "$scratch/controller.kubeconfig" "${controller_flags[@]}"
check "the ACME issuer becomes Ready" eventually 60 issuer_ready pebble

# --- HTTP-01 for two names -----------------------------------------------------------------------
certificate two pebble "dnsNames: [a.$sub.$CK_DNS_ZONE, b.$sub.$CK_DNS_ZONE]"
check "HTTP-01 for two names: Ready" eventually 90 ready two
check "  its chain verifies against Pebble's root" verify two-tls "$main_root"
check "  both names are in the certificate" has_san two-tls "a.$sub."
check "  (both)" has_san two-tls "b.$sub."
check "  its Order is valid and its Challenges are gone" eventually 30 orders_valid_no_challenges
check "  no solver Pod, Service or Ingress is left" eventually 30 no_solver_resources

# --- DNS-01 for a wildcard and its apex ----------------------------------------------------------
certificate wild pebble "dnsNames: [\"$dnszone\", \"*.$dnszone\"]"
check "DNS-01 for a wildcard and its apex: Ready" eventually 120 ready wild
check "  its chain verifies" verify wild-tls "$main_root"
check "  the TXT records are removed" eventually 30 no_txt "$dnszone"

# --- an IP address over HTTP-01 ------------------------------------------------------------------
certificate ip pebble "ipAddresses: [\"$router\"]"
check "an IP-address certificate over HTTP-01: Ready" eventually 90 ready ip
check "  its chain verifies" verify ip-tls "$main_root"
check "  the IP is its SAN" has_san ip-tls "IPAddress:$router"

# --- a profile -----------------------------------------------------------------------------------
certificate prof shortlived "dnsNames: [prof.$sub.$CK_DNS_ZONE]"
check "the shortlived profile: Ready" eventually 90 ready prof
check "  its chain verifies" verify prof-tls "$main_root"
check "  its certificate lives under 7 days" bash -c \
  "! openssl x509 -checkend $((7 * 86400)) -noout -in '$scratch/verify-prof-tls/c1.pem' >/dev/null"
check "  the Order asked for it" list_has orders '{.items[*].spec.profile}' shortlived

# --- ARI: the CA asks for early replacement ------------------------------------------------------
certificate ari pebble "dnsNames: [ari.$sub.$CK_DNS_ZONE]"
check "ARI: the certificate is Ready" eventually 90 ready ari
check "  status.acme.ari holds the CA's window" eventually 30 field_has certificate ari '{.status.acme.ari.suggestedWindow.start}' T
old_serial=$(serial_of ari-tls)
past_start=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ) past_end=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
leaf=$(jp secret ari-tls '{.data.tls\.crt}' | base64 -d | awk '/BEGIN/{n++} n==1')
body=$(jq -n --arg c "$leaf" --arg r "{\"suggestedWindow\":{\"start\":\"$past_start\",\"end\":\"$past_end\"}}" '{Certificate: $c, ARIResponse: $r}')
check "  Pebble takes the override" curl -sf --cacert "$CK_ACME_SERVER_CA_FILE" -X POST -d "$body" "$main_mgmt/set-renewal-info/"
check "  certkeeper replaces it, with no human step" eventually 60 serial_changed ari-tls "$old_serial"
check "  the renewal Order carried replaces" list_has orders '{.items[*].spec.replaces}' .
check "  Ready again" eventually 30 ready ari

# An Issuer like "pebble" whose solvers skip the self-check and ask the CA to validate after a
# fixed wait instead (waitInsteadOfSelfCheck).
impatient() { # issuer name, wait
  stack_acme_issuer Issuer "$1" "$ns" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin "$dnszone" |
    sed "s/^      - http01:/      - waitInsteadOfSelfCheck: $2\n        http01:/; s/^        dns01:/        waitInsteadOfSelfCheck: $2\n        dns01:/" |
    k apply -f - >/dev/null
}

# --- SIGKILL during a challenge: the same Order completes ----------------------------------------
# The Challenge waits 5 s before it is accepted, so the test sees it before the CA validates it
# (with the self-check, Pebble issues in under a second and there may be nothing to see).
orders_before=$(stack_count_new_orders "$main_log")
impatient patient 5s
certificate kill patient "dnsNames: [kill.$sub.$CK_DNS_ZONE]"
check "SIGKILL: a Challenge for the Certificate exists" eventually 60 challenge_for "kill.$sub"
stack_controller_stop "$scratch" KILL
stack_controller_start "$scratch" "$scratch/controller.kubeconfig" "${controller_flags[@]}"
check "  after the restart the Certificate is Ready" eventually 90 ready kill
check "  with exactly one newOrder for it" \
  test "$(($(stack_count_new_orders "$main_log") - orders_before))" -eq 1

# --- a solver that cannot succeed ----------------------------------------------------------------
# The CA is asked to validate after one second (waitInsteadOfSelfCheck) and finds nothing at
# 127.0.0.2:80: the Challenge and Order go invalid, the request fails, and the Certificate backs
# off (1 h) instead of ordering again.
impatient impatient 1s
certificate fail impatient "dnsNames: [fail.$sub.$CK_DNS_ZONE]"
check "a failing solver: the Certificate records the failed issuance" eventually 90 \
  field_is certificate fail '{.status.failedIssuanceAttempts}' 1
check "  Issuing=False with reason Failed" \
  field_is certificate fail '{.status.conditions[?(@.type=="Issuing")].reason}' Failed
failed_at=$SECONDS
check "  its Order is invalid" list_has orders \
  '{range .items[*]}{.spec.dnsNames[0]}={.status.state} {end}' "fail.$sub.$CK_DNS_ZONE=invalid"

# --- deleting a Certificate mid-issuance ---------------------------------------------------------
impatient waiting 1h  # presented, then waits: never validated while the test looks
certificate gone waiting "dnsNames: [gone.$sub.$CK_DNS_ZONE, \"gone.$dnszone\"]"
check "mid-issuance: the solver Pod, Service and Ingress exist" eventually 60 solver_resources 3
check "  and the TXT record is published" eventually 60 has_txt "gone.$dnszone"
k -n "$ns" delete certificate gone --wait=false >/dev/null
check "  deleting the Certificate removes the solver resources" eventually 60 no_solver_resources
check "  and the TXT record" eventually 60 no_txt "gone.$dnszone"
check "  and its Challenges (finalizers released)" eventually 60 no_challenge_for "gone."

# --- an EAB-only Pebble --------------------------------------------------------------------------
stack_pebble "eab-$ns" --http01-port 80 --nonce-reject 0 --eab-required || { echo "FAIL: pebble"; exit 1; }
pebbles+=("eab-$ns")
k -n "$ns" create secret generic eab --from-literal=hmac="$PEBBLE_EAB_HMAC" >/dev/null
stack_acme_issuer Issuer eab "$ns" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin "$dnszone" \
  "    externalAccountBinding: {keyID: $PEBBLE_EAB_KID, keySecretRef: {name: eab, key: hmac}}" |
  k apply -f - >/dev/null
certificate eab eab "dnsNames: [eab.$sub.$CK_DNS_ZONE]"
check "an EAB-only CA: Ready" eventually 90 ready eab
check "  its chain verifies against that Pebble's root" verify eab-tls "$PEBBLE_ROOT"

# --- 50 % nonce rejection ------------------------------------------------------------------------
stack_pebble "nonce-$ns" --http01-port 80 --nonce-reject 50 || { echo "FAIL: pebble"; exit 1; }
pebbles+=("nonce-$ns")
stack_acme_issuer Issuer nonce "$ns" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin "$dnszone" |
  k apply -f - >/dev/null
for i in 1 2 3 4 5; do certificate "nonce$i" nonce "dnsNames: [nonce.$sub.$CK_DNS_ZONE, \"n$i.$dnszone\"]"; done
for i in 1 2 3 4 5; do
  check "50 % badNonce: certificate $i Ready" eventually 120 ready "nonce$i"
  check "  its chain verifies" verify "nonce$i-tls" "$PEBBLE_ROOT"
done

# --- the failing solver did not loop -------------------------------------------------------------
# At least a minute after the failure (the rest of the suite runs meanwhile): still one Order, as
# the Certificate waits out its backoff (1 h) instead of ordering again.
((SECONDS - failed_at < 60)) && sleep $((60 - (SECONDS - failed_at)))
check "the failing Certificate made one Order in all that time" \
  test "$(k -n "$ns" get orders -o jsonpath='{.items[*].spec.dnsNames}' | grep -o "fail.$sub" | wc -l)" -eq 1

echo "$fails failed"
[[ $fails -eq 0 ]]
