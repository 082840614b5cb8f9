#!/usr/bin/env bash
# Issue 7 part 3: the controller's /metrics through the `certkeeper controller` binary, run as
# its deploy/rbac/ ServiceAccount in single-namespace mode against the real apiserver, the
# environment's Pebble and BIND9 (DNS-01 over RFC 2136, no stand-ins needed). The values scraped
# are checked against the objects: a SelfSigned Certificate's expiration/not_after/not_before/
# renewal gauges equal its status times as Unix seconds, ready_status has one series per
# condition, the Issuers are ready, an ACME Certificate's issuance shows up as request counts by
# cert-manager's action names with status labels, a Challenge that cannot pass shows its state,
# sync call counts grow, process and clock metrics are sane, a deleted Certificate's series go,
# and every scrape follows the text exposition format (tests/tools/prom_text.py).
#
# Usage: metrics_test.sh <certkeeper binary>   (CK_TESTENV_FILE set by ctest)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export CERTKEEPER_BIN="$BIN"
prom="$ROOT/tests/tools/prom_text.py"
scratch=$(mktemp -d)
ns="metrics-$$-$RANDOM"
sub="m$RANDOM"
dnszone="dns.$sub.$CK_DNS_ZONE"
cleanup() {
  stack_controller_stop "$scratch" KILL
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  "$ROOT/tests/support/rbac-identity.sh" --delete "$ns" >/dev/null 2>&1
  [[ $fails -eq 0 ]] && rm -rf "$scratch" || echo "kept logs in $scratch"
}
trap cleanup EXIT

jp() { k -n "$ns" get "$1" "$2" -o jsonpath="$3"; }
ready() { [[ $(jp "$1" "$2" '{.status.conditions[?(@.type=="Ready")].status}') == True ]]; }
epoch() { date -u -d "$1" +%s; }
scrape() { curl -sf "http://127.0.0.1:$port/metrics" -o "$scratch/metrics.txt"; }
# value NAME LABEL=VALUE...: the value of the one series matching (empty if none).
value() { "$prom" value "$scratch/metrics.txt" "$@"; }
sum() { value "$@" | awk '{s += $1} END {print s + 0}'; }
is() { # expected NAME LABEL=VALUE...: exactly one series, equal to expected (after a scrape)
  local want="$1"; shift
  local got
  got=$(value "$@")
  [[ "$got" == "$want" ]] || { echo "  $1: got '${got//$'\n'/,}', want '$want'"; return 1; }
}
positive() { (($(sum "$@") > 0)) || { echo "  $1 $*: sum $(sum "$@")"; return 1; }; }
absent() { [[ -z $(value "$@") ]]; }
scraped_is() { scrape && is "$@"; }
scraped_absent() { scrape && absent "$@"; }

k create namespace "$ns" >/dev/null
stack_install_crds || { echo "FAIL: CRDs"; exit 1; }
"$ROOT/tests/support/rbac-identity.sh" "$ns" "$scratch/controller.kubeconfig" ||
  { echo "FAIL: could not set up the controller's identity"; exit 1; }
stack_tsig_secret "$ns"

cat <<YAML | k apply -f - >/dev/null
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned, namespace: $ns}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ss, namespace: $ns}
spec:
  secretName: ss-tls
  commonName: ss.$sub.example.test
  dnsNames: [ss.$sub.example.test]
  duration: 2160h
  renewBefore: 360h
  issuerRef: {name: selfsigned, kind: Issuer, group: cert-manager.io}
YAML
stack_acme_issuer Issuer acme "$ns" "$CK_ACME_DIRECTORY" "$CK_ACME_SERVER_CA_FILE" none \
  "$dnszone" | k apply -f - >/dev/null
# An ACME server nobody answers: the issuers controller's syncs fail and are retried (sync
# errors), and its requests are counted with status 999.
stack_acme_issuer Issuer down "$ns" "https://127.0.0.1:1/dir" "$CK_ACME_SERVER_CA_FILE" none \
  "$dnszone" | k apply -f - >/dev/null
stack_controller_start "$scratch" "$scratch/controller.kubeconfig" --namespace "$ns" \
  --cluster-resource-namespace "$ns" --dns01-recursive-nameservers "$CK_DNS_SERVER" \
  --dns01-recursive-nameservers-only --dns01-check-retry-period 1s

metrics_port() { sed -n 's/.*metrics on port \([0-9][0-9]*\).*/\1/p' "$scratch/controller.log" | tail -1; }
has_port() { [[ -n $(metrics_port) ]]; }
eventually 20 has_port
port=$(metrics_port)
check "the controller logs its metrics port ($port)" test -n "$port"

# --- an ACME Certificate over DNS-01, and one whose HTTP-01 challenge cannot pass ---------------
cat <<YAML | k apply -f - >/dev/null
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: $ns}
spec:
  secretName: web-tls
  dnsNames: [a.$dnszone]
  privateKey: {algorithm: ECDSA}
  issuerRef: {name: acme}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: stuck, namespace: $ns}
spec:
  secretName: stuck-tls
  dnsNames: [stuck.$sub.example.test]
  privateKey: {algorithm: ECDSA}
  issuerRef: {name: acme}
YAML

check "the SelfSigned Certificate becomes Ready" eventually 30 ready certificate ss
check "the ACME Certificate (DNS-01) becomes Ready" eventually 60 ready certificate web
stuck_challenge() { [[ -n $(k -n "$ns" get challenges -o jsonpath='{.items[?(@.spec.dnsName=="stuck.'"$sub"'.example.test")].status.state}') ]]; }
check "the HTTP-01 Challenge that cannot pass has a state" eventually 30 stuck_challenge

check "GET /metrics answers" scrape
ctype=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/metrics")
check "  with the text format's Content-Type ($ctype)" \
  test "$ctype" = "text/plain; version=0.0.4; charset=utf-8"
check "  in the text exposition format" "$prom" check "$scratch/metrics.txt"
sed 's/^\(certmanager_certificate_ready_status{\)/\1bad="\\q",/' "$scratch/metrics.txt" >"$scratch/broken.txt"
check "  (the format check refuses a scrape with a bad escape)" bash -c "! '$prom' check '$scratch/broken.txt' >/dev/null"

# --- Certificate gauges against the object ------------------------------------------------------
ss=(name=ss "namespace=$ns" issuer_name=selfsigned issuer_kind=Issuer issuer_group=cert-manager.io)
not_after=$(epoch "$(jp certificate ss '{.status.notAfter}')")
not_before=$(epoch "$(jp certificate ss '{.status.notBefore}')")
renewal=$(epoch "$(jp certificate ss '{.status.renewalTime}')")
check "expiration_timestamp_seconds == status.notAfter ($not_after)" \
  is "$not_after" certmanager_certificate_expiration_timestamp_seconds "${ss[@]}"
check "not_after_timestamp_seconds == status.notAfter" \
  is "$not_after" certmanager_certificate_not_after_timestamp_seconds "${ss[@]}"
check "not_before_timestamp_seconds == status.notBefore ($not_before)" \
  is "$not_before" certmanager_certificate_not_before_timestamp_seconds "${ss[@]}"
check "renewal_timestamp_seconds == status.renewalTime ($renewal)" \
  is "$renewal" certmanager_certificate_renewal_timestamp_seconds "${ss[@]}"
check "  (renewal is 360h before expiry, as renewBefore says)" test $((not_after - renewal)) -eq 1296000
check "ready_status{condition=True} is 1" is 1 certmanager_certificate_ready_status "${ss[@]}" condition=True
check "ready_status{condition=False} is 0" is 0 certmanager_certificate_ready_status "${ss[@]}" condition=False
check "ready_status{condition=Unknown} is 0" is 0 certmanager_certificate_ready_status "${ss[@]}" condition=Unknown
web_after=$(epoch "$(jp certificate web '{.status.notAfter}')")
check "the ACME Certificate's expiration == its notAfter (issuer_kind, group empty as written)" \
  is "$web_after" certmanager_certificate_expiration_timestamp_seconds name=web "namespace=$ns" \
  issuer_name=acme issuer_kind= issuer_group=
check "the Certificate still issuing reports ready_status False or Unknown, not True" \
  is 0 certmanager_certificate_ready_status name=stuck "namespace=$ns" condition=True

# --- Issuers ---------------------------------------------------------------------------------------
check "issuer_ready_status{selfsigned, True} is 1" \
  is 1 certmanager_issuer_ready_status name=selfsigned "namespace=$ns" condition=True
check "issuer_ready_status{acme, True} is 1" \
  is 1 certmanager_issuer_ready_status name=acme "namespace=$ns" condition=True
check "issuer_ready_status{acme, False} is 0" \
  is 0 certmanager_issuer_ready_status name=acme "namespace=$ns" condition=False
check "issuer_ready_status{down, True} is 0" \
  is 0 certmanager_issuer_ready_status name=down "namespace=$ns" condition=True
check "single-namespace mode reports no ClusterIssuers" absent certmanager_clusterissuer_ready_status

# --- the Challenge -----------------------------------------------------------------------------
chal=$(k -n "$ns" get challenges -o jsonpath='{.items[?(@.spec.dnsName=="stuck.'"$sub"'.example.test")].metadata.name}')
state=$(jp challenge "$chal" '{.status.state}')
scrape
chal_labels=(name="$chal" "namespace=$ns" domain="stuck.$sub.example.test" type=HTTP-01)
check "challenge_status{status=$state} is 1 for Challenge $chal" \
  is 1 certmanager_certificate_challenge_status "${chal_labels[@]}" "status=$state"
check "  and its eight states sum to 1" \
  test "$(sum certmanager_certificate_challenge_status "${chal_labels[@]}")" -eq 1
check "  with eight series" test "$(value certmanager_certificate_challenge_status "${chal_labels[@]}" | wc -l)" -eq 8

# --- ACME requests -----------------------------------------------------------------------------
hostport=${CK_ACME_DIRECTORY#https://}; hostport=${hostport%%/*}
acme=(certmanager_http_acme_client_request_count scheme=https "host=$hostport")
check "ACME requests: register_account (201) counted" positive "${acme[@]}" action=register_account status=201
check "ACME requests: authorize_order (newOrder, 201) counted" positive "${acme[@]}" action=authorize_order method=POST status=201
check "ACME requests: get_authorization counted" positive "${acme[@]}" action=get_authorization status=200
check "ACME requests: accept_challenge counted" positive "${acme[@]}" action=accept_challenge status=200
check "ACME requests: create_order_cert (finalize) counted" positive "${acme[@]}" action=create_order_cert status=200
check "ACME requests: fetch_cert counted" positive "${acme[@]}" action=fetch_cert status=200
check "ACME requests to a server that does not answer: status 999" positive \
  certmanager_http_acme_client_request_count scheme=https host=127.0.0.1:1 status=999
check "ACME request durations: a summary with quantiles for newOrder" positive \
  certmanager_http_acme_client_request_duration_seconds_count scheme=https "host=$hostport" action=authorize_order
check "  (quantile 0.99 series present)" test -n "$(value certmanager_http_acme_client_request_duration_seconds action=authorize_order quantile=0.99)"

# --- sync counts, process and clock ------------------------------------------------------------
for c in issuers orders challenges certificates-readiness certificaterequests-issuer-selfsigned; do
  check "controller_sync_call_count{controller=$c} > 0" positive certmanager_controller_sync_call_count controller=$c
done
scrape
check "controller_sync_error_count{controller=issuers} > 0 (the unreachable server)" \
  positive certmanager_controller_sync_error_count controller=issuers
now=$(date +%s)
clock=$(value certmanager_clock_time_seconds_gauge)
check "clock_time_seconds_gauge is now ($clock vs $now)" test $((clock - now)) -le 2 -a $((now - clock)) -le 2
check "clock_time_seconds (the deprecated counter) is present" test -n "$(value certmanager_clock_time_seconds)"
check "process_resident_memory_bytes > 0" positive process_resident_memory_bytes
check "process_open_fds > 0" positive process_open_fds
pid=$(cat "$scratch/controller.pid")
started=$(value process_start_time_seconds); started=${started%.*}
boot=$(awk '/^btime/ {print $2}' /proc/stat)
expected=$((boot + $(awk '{print int($22 / '"$(getconf CLK_TCK)"')}' "/proc/$pid/stat")))
check "process_start_time_seconds is the controller's start ($started vs $expected)" \
  test $((started - expected)) -le 1 -a $((expected - started)) -le 1

# --- the dashboard and the docs name only metrics that are exported ------------------------------
exported() { # FILE: every certmanager_/process_ name in FILE is in the scrape (ClusterIssuers
  # excepted: single-namespace mode has none)
  local name missing=""
  for name in $(grep -o '\(certmanager\|process\)_[a-z_]*' "$1" | sort -u); do
    [[ $name == certmanager_clusterissuer_ready_status || $name == *venafi* ]] && continue
    grep -q "^$name[{ ]" "$scratch/metrics.txt" || missing+=" $name"
  done
  [[ -z $missing ]] || { echo "  not exported:$missing"; return 1; }
}
check "every metric the Grafana dashboard queries is exported" \
  exported "$ROOT/charts/certkeeper/dashboards/certkeeper.json"
check "every metric docs/metrics.md names is exported" exported "$ROOT/docs/metrics.md"

# --- a deleted Certificate's series go -----------------------------------------------------------
k -n "$ns" delete certificate ss >/dev/null
check "a deleted Certificate's series disappear" eventually 15 scraped_absent \
  certmanager_certificate_expiration_timestamp_seconds name=ss "namespace=$ns"
check "  (the others stay)" is "$web_after" certmanager_certificate_expiration_timestamp_seconds \
  name=web "namespace=$ns"
check "  and the scrape is still well-formed" "$prom" check "$scratch/metrics.txt"

echo "$fails failed"
[[ $fails -eq 0 ]]
