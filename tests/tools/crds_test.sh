#!/usr/bin/env bash
# Checks crds/ against the real kube-apiserver from tools/testenv:
#   1. the six CRDs apply (server-side, idempotently) and become Established;
#   2. the manifests in tests/manifests/cert-manager-docs/ (the shapes cert-manager's
#      documentation shows) are all accepted, with strict field validation;
#   3. nothing is pruned: every spec reads back exactly as written (plus the CRD defaults);
#   4. the status subresource, printer columns, shortNames, categories and selectable fields;
#   5. clearly invalid objects are refused with a message naming the field.
# Each check prints "ok - ..." or "not ok - ..."; the exit code is 1 if any failed.
#
#   CK_TESTENV_FILE=<dir>/testenv.env tests/tools/crds_test.sh
# Without CK_TESTENV_FILE it starts a private environment and stops it at the end.
# The CRDs are left installed (other suites of the same run use them); the namespace and the
# ClusterIssuers this test creates are deleted.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CRDS="$ROOT/crds"
DOCS="$ROOT/tests/manifests/cert-manager-docs"
fails=0
check() { # description, command...
  local what="$1"; shift
  if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}
scratch=$(mktemp -d)
private_env=""
ns="crds-test-$$-$RANDOM"
cleanup() {
  if [[ -n "${KUBECONFIG:-}" ]]; then
    k delete namespace "$ns" --wait=false --ignore-not-found >/dev/null 2>&1
    k delete clusterissuer docs-selfsigned docs-letsencrypt-http01 docs-zerossl-dns01 \
      --ignore-not-found >/dev/null 2>&1
  fi
  if [[ -n "$private_env" ]]; then "$ROOT/tools/testenv" down --dir "$private_env" >/dev/null 2>&1; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

if [[ -z "${CK_TESTENV_FILE:-}" ]]; then
  private_env="$scratch/env"
  CK_TESTENV_FILE=$("$ROOT/tools/testenv" up --dir "$private_env" --owner-pid $$) || exit 1
fi
set -a
# shellcheck disable=SC1090
source "$CK_TESTENV_FILE"
set +a
# A private discovery cache, so new CRDs are seen at once and nothing leaks between runs.
k() { "$CK_KUBECTL" --kubeconfig "$KUBECONFIG" --cache-dir "$scratch/kube-cache" "$@"; }
# `has TEXT FILE`: FILE contains TEXT (fixed string).
has() { grep -qF -- "$1" "$2"; }
# `quiet CMD...` / `into FILE CMD...`: run CMD with its output discarded / kept in FILE (so that
# check's own "ok" line is not redirected with it).
quiet() { "$@" >/dev/null 2>&1; }
into() { local file="$1"; shift; "$@" >"$file" 2>&1; }
# The header words of a `kubectl get` table in FILE, one line.
header() { head -n1 "$1" | tr -s ' ' | sed 's/ *$//'; }

# --- 1. the CRDs --------------------------------------------------------------------------------
apply_crds() {
  k apply --server-side --force-conflicts --field-manager=certkeeper-crds -f "$CRDS" \
    >"$scratch/crds.out" 2>&1
}
check "crds/ applies server-side" apply_crds
check "six CRDs in crds/" test "$(grep -c 'serverside-applied' "$scratch/crds.out")" -eq 6
check "all six become Established" \
  quiet k wait --for=condition=Established --timeout=60s -f "$CRDS"
generations() { k get -f "$CRDS" -o jsonpath='{range .items[*]}{.metadata.generation} {end}'; }
before=$(generations)
check "applying crds/ again succeeds" apply_crds
check "and changes nothing (same generations: $before)" test "$(generations)" = "$before"

# --- 2. the documentation-shaped manifests ------------------------------------------------------
k create namespace "$ns" >/dev/null
for f in "$DOCS"/*.yaml; do
  check "accepted with strict validation: $(basename "$f")" into "$scratch/apply.out" \
    k apply --server-side --validate=strict --field-manager=docs-user -n "$ns" -f "$f"
  if ! grep -q serverside-applied "$scratch/apply.out"; then cat "$scratch/apply.out"; fi
done

# --- 3. nothing pruned --------------------------------------------------------------------------
k create --dry-run=client -o json -f "$DOCS" >"$scratch/written.json"
k get -n "$ns" -o json -f "$DOCS" >"$scratch/stored.json"
python3 - "$scratch/written.json" "$scratch/stored.json" >"$scratch/roundtrip.out" <<'EOF'
import json
import sys


def items(path):
    """The objects in PATH: one JSON document after another, or a List."""
    text, docs, at = open(path).read(), [], 0
    decoder = json.JSONDecoder()
    while text[at:].strip():
        doc, at = decoder.raw_decode(text, at + len(text[at:]) - len(text[at:].lstrip()))
        docs.extend(doc["items"] if doc.get("kind") == "List" else [doc])
    return docs


def with_crd_defaults(value):
    """The written spec plus the defaults our CRDs declare (cert-manager's only two)."""
    if isinstance(value, dict):
        out = {k: with_crd_defaults(v) for k, v in value.items()}
        acme = out.get("acme")
        if isinstance(acme, dict) and "server" in acme:
            acme.setdefault("renewalInformationSource", "ARI")
        route = out.get("gatewayHTTPRoute")
        if isinstance(route, dict):
            for ref in route.get("parentRefs", []):
                ref.setdefault("group", "gateway.networking.k8s.io")
                ref.setdefault("kind", "Gateway")
        return out
    if isinstance(value, list):
        return [with_crd_defaults(v) for v in value]
    return value


def first_difference(want, got, path="spec"):
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            if key not in got:
                return f"{path}.{key} was dropped"
            if key not in want:
                return f"{path}.{key} appeared: {json.dumps(got[key])}"
            found = first_difference(want[key], got[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got)):
            found = first_difference(w, g, f"{path}[{i}]")
            if found:
                return found
        return None
    if want != got or type(want) is not type(got):
        return f"{path}: wrote {json.dumps(want)}, read {json.dumps(got)}"
    return None


stored = {(o["kind"], o["metadata"]["name"]): o for o in items(sys.argv[2])}
written = items(sys.argv[1])
print(f"objects: {len(written)}")
for obj in written:
    key = (obj["kind"], obj["metadata"]["name"])
    if key not in stored:
        print(f"not ok - {key[0]} {key[1]} reads back: not found")
        continue
    diff = first_difference(with_crd_defaults(obj["spec"]), stored[key].get("spec"))
    print(f"{'not ok' if diff else 'ok'} - {key[0]} {key[1]}: spec reads back exactly"
          + (f" ({diff})" if diff else ""))
EOF
cat "$scratch/roundtrip.out" | grep -v '^objects:'
objects=$(sed -n 's/^objects: //p' "$scratch/roundtrip.out")
all_compared() {
  test "${objects:-0}" -ge 11 && test "$(grep -c '^ok - ' "$scratch/roundtrip.out")" -eq "$objects"
}
check "all ${objects:-0} manifest objects read back exactly" all_compared
fails=$((fails + $(grep -c '^not ok - ' "$scratch/roundtrip.out")))
ris=$(k get clusterissuer docs-letsencrypt-http01 -o jsonpath='{.spec.acme.renewalInformationSource}')
check "renewalInformationSource left out defaults to ARI (got '$ris')" test "$ris" = ARI
ris=$(k get clusterissuer docs-zerossl-dns01 -o jsonpath='{.spec.acme.renewalInformationSource}')
check "renewalInformationSource None is kept (got '$ris')" test "$ris" = None

# --- 4. status subresource ----------------------------------------------------------------------
status='{"status":{"revision":1,"notAfter":"2027-03-01T00:00:00Z","conditions":[{"type":"Ready",
"status":"True","reason":"Ready","message":"Certificate is up to date and has not expired",
"lastTransitionTime":"2026-12-01T00:00:00Z","observedGeneration":1}]}}'
check "a status patch through the status subresource is accepted" \
  quiet k patch certificate docs-every-field -n "$ns" --subresource=status --type=merge -p "$status"
got=$(k get certificate docs-every-field -n "$ns" \
  -o jsonpath='{.status.revision} {.status.conditions[0].type}={.status.conditions[0].status}')
check "the status sticks (got '$got')" test "$got" = "1 Ready=True"
k patch certificate docs-every-field -n "$ns" --type=merge \
  -p '{"spec":{"revisionHistoryLimit":5},"status":{"revision":99}}' >/dev/null 2>&1
got=$(k get certificate docs-every-field -n "$ns" \
  -o jsonpath='{.spec.revisionHistoryLimit} {.status.revision}')
check "a spec update changes spec and ignores status (got '$got', want '5 1')" test "$got" = "5 1"
k patch certificaterequest docs-request -n "$ns" --subresource=status --type=merge -p \
  '{"status":{"conditions":[{"type":"Approved","status":"True","reason":"cert-manager.io",
  "message":"Certificate request has been approved by cert-manager.io"}]}}' >/dev/null
check "an Approved condition sticks on a CertificateRequest" test \
  "$(k get cr docs-request -n "$ns" -o jsonpath='{.status.conditions[0].type}')" = Approved
k patch challenge docs-request-2714394855-1288566611 -n "$ns" --subresource=status \
  --type=merge -p '{"status":{"state":"pending","processing":true,"reason":"Waiting"}}' >/dev/null
k patch order docs-request-2714394855 -n "$ns" --subresource=status --type=merge \
  -p '{"status":{"state":"pending","url":"https://acme.example/order/1"}}' >/dev/null

# --- printer columns ----------------------------------------------------------------------------
k get certificates -n "$ns" >"$scratch/t" 2>&1
check "certificates columns: NAME READY SECRET AGE (got '$(header "$scratch/t")')" \
  test "$(header "$scratch/t")" = "NAME READY SECRET AGE"
check "certificates row shows Ready and the Secret" \
  grep -qE '^docs-every-field +True +docs-every-field-tls ' "$scratch/t"
k get certificates -n "$ns" -o wide >"$scratch/t" 2>&1
check "certificates -o wide adds ISSUER STATUS EXPIRATION (got '$(header "$scratch/t")')" \
  test "$(header "$scratch/t")" = "NAME READY SECRET ISSUER STATUS EXPIRATION AGE"
check "certificates -o wide row shows the issuer and the Ready message" \
  grep -qE '^docs-every-field .* docs-ca-issuer +Certificate is up to date' "$scratch/t"
k get certificaterequests -n "$ns" >"$scratch/t" 2>&1
check "certificaterequests columns (got '$(header "$scratch/t")')" \
  test "$(header "$scratch/t")" = "NAME APPROVED DENIED READY ISSUER REQUESTER AGE"
check "certificaterequests row shows Approved, issuer and requester" \
  grep -qE '^docs-request +True +docs-ca-issuer +jane@example.com ' "$scratch/t"
k get certificaterequests -n "$ns" -o wide >"$scratch/t" 2>&1
check "certificaterequests -o wide adds STATUS" \
  test "$(header "$scratch/t")" = "NAME APPROVED DENIED READY ISSUER REQUESTER STATUS AGE"
k get issuers -n "$ns" >"$scratch/t" 2>&1
check "issuers columns: NAME READY AGE" test "$(header "$scratch/t")" = "NAME READY AGE"
k get clusterissuers -o wide >"$scratch/t" 2>&1
check "clusterissuers -o wide: NAME READY STATUS AGE" \
  test "$(header "$scratch/t")" = "NAME READY STATUS AGE"
k get orders -n "$ns" -o wide >"$scratch/t" 2>&1
check "orders -o wide: NAME STATE ISSUER REASON AGE" \
  test "$(header "$scratch/t")" = "NAME STATE ISSUER REASON AGE"
check "orders row shows the state" grep -qE '^docs-request-2714394855 +pending ' "$scratch/t"
k get challenges -n "$ns" >"$scratch/t" 2>&1
check "challenges columns: NAME STATE DOMAIN AGE" \
  test "$(header "$scratch/t")" = "NAME STATE DOMAIN AGE"
check "challenges row shows state and domain" \
  grep -qE '^docs-request-2714394855-1288566611 +pending +www.example.com ' "$scratch/t"

# --- shortNames and categories ------------------------------------------------------------------
k get cert,cr,iss,ciss -n "$ns" -o name >"$scratch/t" 2>&1
check "kubectl get cert,cr,iss,ciss lists all four kinds" bash -c "
  grep -qx certificate.cert-manager.io/docs-every-field '$scratch/t' &&
  grep -qx certificaterequest.cert-manager.io/docs-request '$scratch/t' &&
  grep -qx issuer.cert-manager.io/docs-ca-issuer '$scratch/t' &&
  grep -qx clusterissuer.cert-manager.io/docs-selfsigned '$scratch/t'"
check "plural shortNames certs and crs work" quiet k get certs,crs -n "$ns" -o name
k get cert-manager -n "$ns" -o name >"$scratch/t" 2>&1
check "category cert-manager covers all six kinds" bash -c "
  for kind in certificate certificaterequest issuer clusterissuer order challenge; do
    grep -qE \"^\$kind[.](acme[.])?cert-manager[.]io/\" '$scratch/t' || exit 1
  done"
k get cert-manager-acme -n "$ns" -o name >"$scratch/t" 2>&1
check "category cert-manager-acme has orders and challenges only" bash -c "
  grep -q '^order.acme.cert-manager.io/' '$scratch/t' &&
  grep -q '^challenge.acme.cert-manager.io/' '$scratch/t' &&
  ! grep -q '^certificate' '$scratch/t'"

# --- selectable fields --------------------------------------------------------------------------
names() { k get "$1" -n "$ns" --field-selector "$2" -o name 2>&1 | sed 's|.*/||' | sort | xargs; }
got=$(names certificates spec.issuerRef.name=docs-ca-issuer)
check "certificates by spec.issuerRef.name (got '$got')" \
  test "$got" = "docs-every-field docs-literal-subject"
got=$(names certificates spec.issuerRef.kind=ClusterIssuer)
check "certificates by spec.issuerRef.kind (got '$got')" test "$got" = "docs-root-ca"
got=$(names certificaterequests spec.issuerRef.group=cert-manager.io)
check "certificaterequests by spec.issuerRef.group (got '$got')" test "$got" = "docs-request"
got=$(names challenges spec.issuerRef.name=docs-zerossl-dns01)
check "challenges by spec.issuerRef.name (got '$got')" \
  test "$got" = "docs-request-2714394855-3861937021"
got=$(names orders spec.issuerRef.kind=ClusterIssuer)
check "orders by spec.issuerRef.kind (got '$got')" test "$got" = "docs-request-2714394855"
check "a field that is not selectable is refused" \
  bash -c "! '$CK_KUBECTL' --kubeconfig '$KUBECONFIG' get certificates -n '$ns' \
    --field-selector spec.secretName=x >/dev/null 2>&1"

# --- 5. invalid objects are refused, naming the field -------------------------------------------
# refused NAME 'what the message must contain' <<< manifest
refused() {
  local name="$1" want="$2" out
  out=$(k apply --server-side --validate=strict --field-manager=docs-user -n "$ns" -f - 2>&1)
  local rc=$?
  if ((rc == 0)); then
    echo "  applied although invalid: $out"
    return 1
  fi
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "  message lacks '$want': $out"
    return 1
  fi
  return 0
}
cert() { # name, extra spec lines (YAML, 2-space indent under spec)
  printf 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: %s\nspec:\n%s\n' \
    "$1" "$2"
}
base='  secretName: bad-tls
  issuerRef:
    name: docs-ca-issuer
  dnsNames: [bad.example.com]'
check "privateKey.algorithm DSA is refused naming spec.privateKey.algorithm" \
  refused bad-algorithm 'spec.privateKey.algorithm: Unsupported value: "DSA"' \
  < <(cert bad-algorithm "$base
  privateKey:
    algorithm: DSA")
check "an unknown usage is refused naming spec.usages[0]" \
  refused bad-usage 'spec.usages[0]: Unsupported value: "world domination"' \
  < <(cert bad-usage "$base
  usages: [world domination]")
check "rotationPolicy Sometimes is refused" \
  refused bad-rotation 'spec.privateKey.rotationPolicy: Unsupported value' \
  < <(cert bad-rotation "$base
  privateKey:
    rotationPolicy: Sometimes")
check "a missing secretName is refused naming spec.secretName" \
  refused no-secret 'spec.secretName: Required value' \
  < <(cert no-secret '  issuerRef:
    name: docs-ca-issuer')
check "duration as a number is refused naming spec.duration" \
  refused bad-duration '.spec.duration: expected string' \
  < <(cert bad-duration "$base
  duration: 3600")
check "an unknown field is refused, not silently pruned" \
  refused unknown-field '.spec.privateKey.curve: field not declared in schema' \
  < <(cert unknown-field "$base
  privateKey:
    curve: P-256")
check "a CertificateRequest whose request is not base64 is refused naming spec.request" \
  refused bad-request 'spec.request' <<'EOF'
apiVersion: cert-manager.io/v1
kind: CertificateRequest
metadata:
  name: bad-request
spec:
  request: "-----BEGIN CERTIFICATE REQUEST----- not base64"
  issuerRef:
    name: docs-ca-issuer
EOF
check "a Venafi issuer with both tpp and cloud is refused" \
  refused bad-venafi 'set exactly one of tpp, cloud or ngts' <<'EOF'
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: bad-venafi
spec:
  venafi:
    zone: devops\cert-manager
    tpp:
      url: https://tpp.example.com/vedsdk
      credentialsRef:
        name: tpp-secret
    cloud:
      apiTokenSecretRef:
        name: cloud-secret
        key: apikey
EOF
check "a Challenge with type TLS-ALPN-01 is refused naming spec.type" \
  refused bad-challenge 'spec.type: Unsupported value: "TLS-ALPN-01"' <<'EOF'
apiVersion: acme.cert-manager.io/v1
kind: Challenge
metadata:
  name: bad-challenge
spec:
  url: https://acme.example/chall/1
  authorizationURL: https://acme.example/authz/1
  dnsName: example.com
  type: TLS-ALPN-01
  token: t
  key: k
  solver: {}
  issuerRef:
    name: x
EOF
left=$(k get certificates,certificaterequests,issuers,challenges -n "$ns" -o name | grep -c '/bad-')
check "no refused object was stored (found $left)" test "$left" -eq 0

if ((fails > 0)); then echo "crds_test: $fails check(s) failed"; fi
exit $((fails > 0))
