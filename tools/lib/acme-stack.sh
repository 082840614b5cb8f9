# Shell functions shared by `make demo` (tools/demo.sh), the end-to-end ACME suite
# (tests/tools/acme_e2e_test.sh) and the issuer benchmark (bench/acme-issuer/run.sh): the pieces
# around a running tools/testenv environment that turn it into a small cluster with an ACME
# ClusterIssuer — DNS names in BIND9, a Pebble of its own, the CRDs and RBAC, the controller
# process, and the test stand-ins for a kubelet and an ingress controller.
#
# Source it after the testenv env file (KUBECONFIG, CK_KUBECTL, CK_DNS_SERVER, CK_TSIG_*,
# CK_TESTENV_DIR). Functions print nothing on success unless they say so.

STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

stack_k() { "$CK_KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }

# stack_dns NAME TYPE VALUE | stack_dns_delete NAME TYPE: a TSIG-signed dynamic update to
# the environment's BIND9 (TTL 5 s).
stack_dns() {
  printf 'server %s %s\nupdate delete %s. %s\nupdate add %s. 5 %s %s\nsend\n' \
    "${CK_DNS_SERVER%:*}" "${CK_DNS_SERVER##*:}" "$1" "$2" "$1" "$2" "$3" |
    nsupdate -y "$CK_TSIG_ALGORITHM:$CK_TSIG_KEY_NAME:$CK_TSIG_SECRET"
}
stack_dns_delete() {
  printf 'server %s %s\nupdate delete %s. %s\nsend\n' \
    "${CK_DNS_SERVER%:*}" "${CK_DNS_SERVER##*:}" "$1" "$2" |
    nsupdate -y "$CK_TSIG_ALGORITHM:$CK_TSIG_KEY_NAME:$CK_TSIG_SECRET"
}
# The TXT values of NAME as BIND9 answers them, one per line, without quotes.
stack_txt() {
  dig +short @"${CK_DNS_SERVER%:*}" -p "${CK_DNS_SERVER##*:}" TXT "$1" | tr -d '"'
}

# stack_pebble NAME [tools/testenv pebble options]: starts one more Pebble and sets, from its env
# file (read without sourcing it, so the environment's own CK_* values stay as they are):
# PEBBLE_DIRECTORY, PEBBLE_CA_FILE (its HTTPS CA), PEBBLE_ROOT (its issuing root), PEBBLE_MGMT,
# PEBBLE_LOG, PEBBLE_EAB_KID, PEBBLE_EAB_HMAC.
stack_pebble() {
  local name="$1"; shift
  local env
  env=$("$STACK_ROOT/tools/testenv" pebble "$name" --dir "$CK_TESTENV_DIR" "$@" | tail -1) ||
    return 1
  val() { sed -n "s/^$1=//p" "$env" | tail -1; }
  PEBBLE_DIRECTORY=$(val CK_ACME_DIRECTORY) PEBBLE_CA_FILE=$(val CK_ACME_SERVER_CA_FILE)
  PEBBLE_ROOT=$(val CK_PEBBLE_ROOT_FILE) PEBBLE_MGMT=$(val CK_PEBBLE_MGMT_URL)
  PEBBLE_LOG=$(val CK_PEBBLE_LOG_FILE) PEBBLE_EAB_KID=$(val CK_PEBBLE_EAB_KID)
  PEBBLE_EAB_HMAC=$(val CK_PEBBLE_EAB_HMAC)
  [[ -n "$PEBBLE_DIRECTORY" ]]
}
stack_pebble_stop() { "$STACK_ROOT/tools/testenv" pebble-stop "$1" --dir "$CK_TESTENV_DIR"; }

# How many newOrder requests a Pebble log holds.
stack_count_new_orders() { grep -c 'POST /order-plz -> calling handler()' "$1" || true; }

stack_install_crds() {
  stack_k apply --server-side --force-conflicts -f "$STACK_ROOT/crds/" >/dev/null &&
    stack_k wait --for condition=Established --timeout=60s -f "$STACK_ROOT/crds/" >/dev/null
}

# stack_controller_start DIR KUBECONFIG [controller flags...]: runs `certkeeper controller`
# (CERTKEEPER_BIN) in the background, log DIR/controller.log (appended), pid DIR/controller.pid.
stack_controller_start() {
  local dir="$1" kubeconfig="$2"; shift 2
  mkdir -p "$dir"
  "$CERTKEEPER_BIN" controller --kubeconfig "$kubeconfig" --leader-elect=false \
    --internal-healthz-listen-address 127.0.0.1:0 --metrics-listen-address 127.0.0.1:0 \
    "$@" >>"$dir/controller.log" 2>&1 &
  echo $! >"$dir/controller.pid"
  disown  # no "Killed" job report when a test SIGKILLs it on purpose
}
# stack_controller_stop DIR [SIGNAL]: stops it (default TERM) and waits.
stack_controller_stop() {
  local pid
  pid=$(cat "$1/controller.pid" 2>/dev/null) || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$1/controller.pid"
}

# stack_acme_issuer KIND NAME NAMESPACE SERVER CA_FILE INGRESS_CLASS DNS01_ZONE [EXTRA_ACME_YAML]:
# an Issuer (NAMESPACE) or ClusterIssuer (NAMESPACE ignored; its Secrets live in the cluster
# resource namespace) for an ACME server whose HTTPS CA is CA_FILE: HTTP-01 through an Ingress of
# INGRESS_CLASS by default, DNS-01 over RFC 2136 to the environment's BIND9 for DNS01_ZONE and
# every name under it, wildcards included (TSIG secret: Secret `tsig`, see stack_tsig_secret).
# EXTRA_ACME_YAML: more spec.acme fields, each line indented by four spaces.
stack_acme_issuer() {
  local kind="$1" name="$2" ns="$3" server="$4" ca_file="$5" class="$6" zone="$7" extra="${8:-}"
  local meta="  name: $name"
  [[ "$kind" == Issuer ]] && meta+=$'\n'"  namespace: $ns"
  cat <<YAML
apiVersion: cert-manager.io/v1
kind: $kind
metadata:
$meta
spec:
  acme:
    server: $server
    email: e2e@$CK_DNS_ZONE
    caBundle: $(base64 -w0 <"$ca_file")
    privateKeySecretRef:
      name: $name-account-key
$extra
    solvers:
      - http01:
          ingress:
            ingressClassName: $class
      - selector:
          dnsZones: ["$zone"]
        dns01:
          rfc2136:
            nameserver: "$CK_DNS_SERVER"
            tsigKeyName: $CK_TSIG_KEY_NAME
            tsigAlgorithm: $(stack_tsig_algorithm)
            tsigSecretSecretRef:
              name: tsig
              key: secret
YAML
}

# cert-manager's spelling of the environment's TSIG algorithm (hmac-sha256 → HMACSHA256).
stack_tsig_algorithm() { echo "$CK_TSIG_ALGORITHM" | tr -d '-' | tr '[:lower:]' '[:upper:]'; }

# stack_tsig_secret NAMESPACE: the TSIG key as Secret `tsig` (key `secret`).
stack_tsig_secret() {
  stack_k -n "$1" create secret generic tsig --from-literal=secret="$CK_TSIG_SECRET" \
    --dry-run=client -o yaml | stack_k apply -f - >/dev/null
}
