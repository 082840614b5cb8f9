#!/usr/bin/env bash
# `make demo`: certkeeper's main job on a local default, step by step, in plain words.
#
#   1. a local control plane (etcd, kube-apiserver, kube-controller-manager), BIND9 and Pebble;
#   2. the CRDs, the controller's RBAC and a ServiceAccount bound to exactly that;
#   3. the stand-ins for what this machine lacks (a kubelet that runs solver Pods as local
#      processes, an ingress controller on port 80) and a DNS name pointing at that ingress;
#   4. `certkeeper controller`, as that ServiceAccount;
#   5. an ACME ClusterIssuer (Pebble; HTTP-01 by default, DNS-01 over RFC 2136 for a wildcard)
#      and a Certificate for www.demo.<zone> and *.apps.demo.<zone>;
#   6. waits for Ready, then serves the Secret over HTTPS and fetches a page with a client that
#      trusts only Pebble's root;
#   7. shows `kubectl apply` of a mistake refused by `certkeeper webhook` (started beside the
#      controller, as its own ServiceAccount, writing its own caBundle), and the Certificate's
#      Prometheus metrics under cert-manager's names.
#
# Everything keeps running afterwards (`make demo-down`, i.e. `tools/demo.sh BUILD_DIR down`,
# stops it). Needs root (network
# namespaces for the kubelet stand-in).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${1:-build/dev}"
DEMO_DIR="$ROOT/build/demo"
STATE="$DEMO_DIR/state"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() { printf '    %s\n' "$*"; }
die() { printf '\n\033[1;31mdemo failed:\033[0m %s\n' "$*" >&2; exit 1; }

if [[ "${2:-}" == down ]]; then
  # `make demo-down`: what the demo started beside the environment, then the environment.
  for pidfile in "$STATE/https.pid" "$STATE/controller.pid" "$STATE/webhook.pid"; do
    [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  "$ROOT/tests/support/standins.sh" stop "$STATE/standins" >/dev/null 2>&1 || true
  exec "$ROOT/tools/testenv" down --dir "$DEMO_DIR"
fi

export CERTKEEPER_BIN="$ROOT/$BUILD_DIR/cmd/certkeeper/certkeeper"
export CK_POD_RUNNER="$ROOT/$BUILD_DIR/tests/standins/ck-pod-runner"
export CK_INGRESS_ROUTER="$ROOT/$BUILD_DIR/tests/standins/ck-ingress-router"
for b in "$CERTKEEPER_BIN" "$CK_POD_RUNNER" "$CK_INGRESS_ROUTER"; do
  [[ -x "$b" ]] || die "$b is not built (make build)"
done
[[ $(id -u) -eq 0 ]] || die "the kubelet stand-in needs root (network namespaces)"

step "certkeeper $("$CERTKEEPER_BIN" version | head -1)"

if [[ -f "$DEMO_DIR/testenv.env" ]]; then
  step "Stopping the previous demo first (a clean start each time)"
  "$0" "$BUILD_DIR" down >/dev/null 2>&1 || true
fi
step "Starting a local control plane (etcd, kube-apiserver), BIND9 and Pebble on loopback"
"$ROOT/tools/testenv" up --dir "$DEMO_DIR" >/dev/null
set -a
# shellcheck disable=SC1091
source "$DEMO_DIR/testenv.env"
set +a
# shellcheck source=lib/acme-stack.sh
source "$ROOT/tools/lib/acme-stack.sh"
mkdir -p "$STATE"
say "Kubernetes API: $CK_KUBE_APISERVER_URL   DNS: BIND9 at $CK_DNS_SERVER for $CK_DNS_ZONE"

NS=demo
ROUTER=127.0.80.1
WWW="www.demo.$CK_DNS_ZONE"
WILD="*.apps.demo.$CK_DNS_ZONE"

step "Installing certkeeper's CRDs (cert-manager.io/v1, acme.cert-manager.io/v1) and RBAC"
stack_install_crds
stack_k create namespace "$NS" --dry-run=client -o yaml | stack_k apply -f - >/dev/null
"$ROOT/tests/support/rbac-identity.sh" "$NS" "$STATE/controller.kubeconfig"
say "the controller will run as ServiceAccount $NS/certkeeper-controller, bound to deploy/rbac/"

step "Standing in for a kubelet and an ingress controller (this machine has neither)"
"$ROOT/tests/support/standins.sh" stop "$STATE/standins" >/dev/null 2>&1 || true
"$ROOT/tests/support/standins.sh" start "$STATE/standins" "$NS" "$ROUTER" "$CERTKEEPER_BIN" >/dev/null
say "solver Pods in '$NS' run as local processes in their own network namespaces;"
say "Ingresses in '$NS' are served on $ROUTER:80"
stack_dns "$WWW" A "$ROUTER"
say "DNS: $WWW → $ROUTER (a TSIG-signed update to BIND9)"

step "Starting a Pebble ACME server that validates HTTP-01 on port 80"
stack_pebble demo --http01-port 80 --nonce-reject 0 >/dev/null
say "ACME directory: $PEBBLE_DIRECTORY"

step "Starting certkeeper controller"
stack_controller_stop "$STATE" 2>/dev/null || true
stack_tsig_secret kube-system
stack_controller_start "$STATE" "$STATE/controller.kubeconfig" \
  --cluster-resource-namespace kube-system \
  --acme-http01-solver-image certkeeper:dev \
  --acme-http01-solver-nameservers "$CK_DNS_SERVER" \
  --dns01-recursive-nameservers "$CK_DNS_SERVER" --dns01-recursive-nameservers-only \
  --dns01-check-retry-period 2s
say "log: $STATE/controller.log"

step "Starting certkeeper webhook (refuses invalid objects at kubectl apply)"
"$ROOT/tests/support/rbac-identity.sh" --webhook "$NS" "$STATE/webhook.kubeconfig"
WEBHOOK_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The configurations start without a caBundle: the webhook makes its own CA (Secret
# $NS/certkeeper-webhook-ca) and writes it into them. In a cluster the chart points them at the
# webhook's Service; here the API server calls the process on loopback.
stack_k apply -f - >/dev/null <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: certkeeper-webhook}
webhooks:
  - name: webhook.cert-manager.io
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    matchPolicy: Equivalent
    clientConfig: {url: "https://127.0.0.1:$WEBHOOK_PORT/validate"}
    rules:
      - {apiGroups: [cert-manager.io, acme.cert-manager.io], apiVersions: [v1], operations: [CREATE, UPDATE], resources: ["*/*"]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: certkeeper-webhook}
webhooks:
  - name: webhook.cert-manager.io
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    clientConfig: {url: "https://127.0.0.1:$WEBHOOK_PORT/mutate"}
    rules:
      - {apiGroups: [cert-manager.io], apiVersions: [v1], operations: [CREATE], resources: [certificaterequests]}
YAML
"$CERTKEEPER_BIN" webhook --kubeconfig "$STATE/webhook.kubeconfig" --bind-address 127.0.0.1 \
  --secure-port "$WEBHOOK_PORT" --healthz-port 0 \
  --dynamic-serving-ca-secret-namespace "$NS" --dynamic-serving-ca-secret-name certkeeper-webhook-ca \
  --dynamic-serving-dns-names 127.0.0.1,localhost \
  --validating-webhook-configuration-name certkeeper-webhook \
  --mutating-webhook-configuration-name certkeeper-webhook >>"$STATE/webhook.log" 2>&1 &
echo $! >"$STATE/webhook.pid"
disown
for _ in $(seq 100); do
  [[ -n "$(stack_k get validatingwebhookconfiguration certkeeper-webhook \
    -o jsonpath='{.webhooks[0].clientConfig.caBundle}')" ]] && break
  sleep 0.1
done
[[ -n "$(stack_k get validatingwebhookconfiguration certkeeper-webhook \
  -o jsonpath='{.webhooks[0].clientConfig.caBundle}')" ]] ||
  die "the webhook did not write its caBundle; its log is $STATE/webhook.log"
say "as ServiceAccount $NS/certkeeper-webhook on 127.0.0.1:$WEBHOOK_PORT; it wrote its CA into"
say "its webhook configurations itself. log: $STATE/webhook.log"

step "Applying a ClusterIssuer (ACME → Pebble) and a Certificate"
stack_acme_issuer ClusterIssuer pebble "" "$PEBBLE_DIRECTORY" "$PEBBLE_CA_FILE" standin \
  "apps.demo.$CK_DNS_ZONE" | tee "$STATE/clusterissuer.yaml" | stack_k apply -f -
cat >"$STATE/certificate.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: www
  namespace: $NS
spec:
  secretName: www-tls
  dnsNames: ["$WWW", "$WILD"]
  issuerRef: {name: pebble, kind: ClusterIssuer}
YAML
sed 's/^/    /' "$STATE/certificate.yaml"
stack_k apply -f "$STATE/certificate.yaml"
say "$WWW is proved over HTTP-01 (a solver Pod behind an Ingress);"
say "$WILD over DNS-01 (a TXT record in BIND9)"

step "Waiting for the Certificate to become Ready"
start=$SECONDS
if ! stack_k -n "$NS" wait --for=condition=Ready certificate/www --timeout=180s >/dev/null; then
  stack_k -n "$NS" get certificate,certificaterequest,order,challenge -o wide || true
  tail -30 "$STATE/controller.log" >&2
  die "the Certificate did not become Ready; the controller's log is $STATE/controller.log"
fi
say "Ready after $((SECONDS - start)) s"
stack_k -n "$NS" get certificate www
stack_k -n "$NS" get secret www-tls -o jsonpath='{.data.tls\.crt}' | base64 -d >"$STATE/tls.crt"
stack_k -n "$NS" get secret www-tls -o jsonpath='{.data.tls\.key}' | base64 -d >"$STATE/tls.key"
chmod 600 "$STATE/tls.key"
# openssl s_server sends what -cert and -cert_chain name: the leaf, then the intermediates.
awk -v d="$STATE" '/BEGIN CERT/{n++} {print > (d (n == 1 ? "/leaf.pem" : "/chain.pem"))}' "$STATE/tls.crt"
openssl x509 -in "$STATE/tls.crt" -noout -subject -issuer -enddate -ext subjectAltName | sed 's/^/    /'

step "Serving the Secret over HTTPS and fetching a page with a client that trusts only Pebble's root"
[[ -f "$STATE/https.pid" ]] && kill "$(cat "$STATE/https.pid")" 2>/dev/null || true
mkdir -p "$STATE/www"
echo "Hello from certkeeper: this page came over TLS with a certificate from Pebble." >"$STATE/www/index.html"
(cd "$STATE/www" && exec openssl s_server -quiet -accept "$ROUTER:8443" -cert "$STATE/leaf.pem" \
  -cert_chain "$STATE/chain.pem" -key "$STATE/tls.key" -WWW) >"$STATE/https.log" 2>&1 &
echo $! >"$STATE/https.pid"
for _ in $(seq 50); do
  curl -s -o /dev/null --cacert "$PEBBLE_ROOT" --resolve "$WWW:8443:$ROUTER" "https://$WWW:8443/index.html" && break
  sleep 0.1
done
say "curl --cacert $PEBBLE_ROOT https://$WWW:8443/index.html"
curl -sS --fail --cacert "$PEBBLE_ROOT" --resolve "$WWW:8443:$ROUTER" \
  "https://$WWW:8443/index.html" | sed 's/^/    /' || die "the HTTPS fetch failed"

step "A mistake is refused at kubectl apply, with the field at fault"
cat >"$STATE/mistake.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: mistake, namespace: $NS}
spec:
  secretName: mistake-tls
  dnsNames: ["$WWW"]
  privateKey: {algorithm: RSA, size: 1000}
  issuerRef: {name: pebble, kind: ClusterIssuer}
YAML
sed 's/^/    /' "$STATE/mistake.yaml"
if refused=$(stack_k apply -f "$STATE/mistake.yaml" 2>&1); then
  die "the webhook let an RSA key of 1000 bits through"
fi
say "kubectl apply: $refused"

step "Prometheus metrics, under cert-manager's names"
metrics_port=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$STATE/controller.log" | tail -1)
say "curl http://127.0.0.1:$metrics_port/metrics (the chart's ServiceMonitor scrapes the same)"
curl -sS "http://127.0.0.1:$metrics_port/metrics" |
  grep -E '^certmanager_certificate_(expiration_timestamp_seconds|ready_status)\{.*name="www"' |
  grep -v 'condition="\(False\|Unknown\)"' | sed 's/^/    /' ||
  die "no certificate metrics for www at 127.0.0.1:$metrics_port"

cat <<MSG

Done. Everything keeps running:
  export KUBECONFIG=$KUBECONFIG
  $CK_KUBECTL -n $NS get certificates,certificaterequests,orders,challenges,secrets
Logs: $STATE/controller.log, $STATE/webhook.log     Stop it all: make demo-down
MSG
