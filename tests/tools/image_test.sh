#!/usr/bin/env bash
# tools.image: builds the container image with tools/image.sh and runs it the ways a cluster does:
# `version`; `acmesolver` answering an HTTP-01 request through a published port; `controller`
# with an in-cluster configuration (ServiceAccount token, CA and namespace mounted where a
# kubelet puts them, KUBERNETES_SERVICE_HOST/PORT) against the testenv apiserver, as 65532 on a
# read-only root filesystem with every capability dropped, until a SelfSigned Certificate is
# Ready. Prints the build time and the image size. Needs root and a Docker daemon.
# The first build on a machine takes many minutes (base images, a Release compile); a second run
# with unchanged sources reuses Docker's layer cache and takes seconds.
# Usage: image_test.sh   (CK_TESTENV_FILE set by ctest)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scratch=$(mktemp -d)
ns="image-$$-$RANDOM"
containers=()
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
  k delete namespace "$ns" --wait=false >/dev/null 2>&1
  "$ROOT/tests/support/rbac-identity.sh" --delete "$ns" >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT
test_start=$(date +%s)
# The container's exit code once it has stopped (docker stop sends SIGTERM, then SIGKILL at 10 s).
stop_container() { # name → prints the exit code
  docker stop -t 10 "$1" >/dev/null 2>&1
  docker inspect -f '{{.State.ExitCode}}' "$1"
}
# The hardening a Pod spec asks for: non-root, read-only root filesystem, no capabilities.
HARDENED=(--read-only --cap-drop ALL --security-opt no-new-privileges --user 65532:65532)

# --- build --------------------------------------------------------------------------------------
build_start=$(date +%s)
if ! tag=$("$ROOT/tools/image.sh" build 2>"$scratch/build.log"); then
  tail -n 40 "$scratch/build.log"
  echo "FAIL: tools/image.sh build"
  exit 1
fi
build_seconds=$(($(date +%s) - build_start))
grep '^image' "$scratch/build.log"
size=$(docker image inspect -f '{{.Size}}' "$tag")
echo "image $tag: built in ${build_seconds}s; size $size bytes ($((size / 1000000)) MB)"
version="${tag##*:}"
check "the tag is certkeeper:<version> ($tag)" test "$tag" = "certkeeper:$("$ROOT/tools/image.sh" tag | cut -d: -f2)"

# --- the image itself ---------------------------------------------------------------------------
out=$(docker run --rm "$tag" version 2>&1)
rc=$?
echo "  $out"
# The dynamic loader resolves every DT_NEEDED library before main: a missing one fails here.
check "'version' runs (every shared library the binary links is in the image)" test "$rc" -eq 0
starts_with() { [[ "$1" == "$2"* ]]; }
check "'version' prints the version of the tag" starts_with "$out" "certkeeper $version (commit "
check "a Release build" grep -q "Release build" <<<"$out"
user=$(docker image inspect -f '{{.Config.User}}' "$tag")
check "the image's user is 65532:65532 (got '$user')" test "$user" = 65532:65532
entry=$(docker image inspect -f '{{json .Config.Entrypoint}}' "$tag")
check "the entrypoint is the one binary (got $entry)" test "$entry" = '["/usr/bin/certkeeper"]'
probe=$(docker create "$tag")
containers+=("$probe")
certs=$(docker cp "$probe:/etc/ssl/certs/ca-certificates.crt" - 2>/dev/null | tar -xO |
  grep -c 'BEGIN CERTIFICATE')
check "the CA bundle is there ($certs certificates)" test "${certs:-0}" -gt 100
docker run --rm --entrypoint /bin/sh "$tag" -c true >/dev/null 2>&1
check "there is no shell in the image" test $? -ne 0

# --- acmesolver: a published port, hardened ------------------------------------------------------
port=$(free_port)
solver="ck-image-solver-$$"
containers+=("$solver")
docker run -d --name "$solver" "${HARDENED[@]}" -p "127.0.0.1:$port:8089" "$tag" acmesolver \
  --domain a.example.test --token TOK --key TOK.THUMB >/dev/null
url="http://a.example.test:$port/.well-known/acme-challenge"
resolve=(--resolve "a.example.test:$port:127.0.0.1")
body=""
for _ in $(seq 1 100); do
  body=$(curl -s "${resolve[@]}" "$url/TOK") && [[ -n "$body" ]] && break
  sleep 0.1
done
check "acmesolver answers the challenge with the key authorization (got '$body')" \
  test "$body" = TOK.THUMB
code=$(curl -s "${resolve[@]}" -o /dev/null -w '%{http_code}' "$url/OTHER")
check "acmesolver answers 404 for another token" test "$code" = 404
stop_start=$(date +%s%N)
rc=$(stop_container "$solver")
stop_ms=$((($(date +%s%N) - stop_start) / 1000000))
check "acmesolver (PID 1) stops on SIGTERM with exit code 0 (got $rc after ${stop_ms} ms)" \
  test "$rc" = 0 -a "$stop_ms" -lt 5000

# --- controller: in-cluster configuration, hardened, host network --------------------------------
k create namespace "$ns" >/dev/null
stack_install_crds ||
  { echo "FAIL: could not install the CRDs"; exit 1; }
"$ROOT/tests/support/rbac-identity.sh" "$ns" "$scratch/unused.kubeconfig" ||
  { echo "FAIL: could not set up the controller's identity"; exit 1; }
# What a kubelet mounts for a Pod's ServiceAccount: readable by the container's user.
sa="$scratch/serviceaccount"
mkdir -p "$sa"
chmod 0755 "$scratch" "$sa"
k -n "$ns" create token certkeeper-controller --duration 1h >"$sa/token"
cp "$CK_KUBE_CA_FILE" "$sa/ca.crt"
printf '%s' "$ns" >"$sa/namespace"
chmod 0644 "$sa"/*
api_port="${CK_KUBE_APISERVER_URL##*:}"
hport=$(free_port)
mport=$(free_port)
controller="ck-image-controller-$$"
containers+=("$controller")
# The apiserver listens on 127.0.0.1 with a serving certificate for IP:127.0.0.1, so the host's
# network namespace and KUBERNETES_SERVICE_HOST=127.0.0.1 verify as a cluster's Service IP would.
docker run -d --name "$controller" "${HARDENED[@]}" --network host \
  -e KUBERNETES_SERVICE_HOST=127.0.0.1 -e KUBERNETES_SERVICE_PORT="$api_port" \
  -v "$sa:/var/run/secrets/kubernetes.io/serviceaccount:ro" "$tag" controller \
  --namespace "$ns" --leader-election-namespace "$ns" \
  --internal-healthz-listen-address "127.0.0.1:$hport" \
  --metrics-listen-address "127.0.0.1:$mport" >/dev/null
ready=""
for _ in $(seq 1 150); do
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hport/readyz")
  [[ "$ready" == 200 ]] && break
  sleep 0.2
done
check "the controller in the container answers /readyz 200 (got $ready)" test "$ready" = 200
metrics=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/metrics")
check "the controller in the container serves /metrics (got $metrics)" test "$metrics" = 200

k -n "$ns" apply -f - >/dev/null <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web}
spec:
  secretName: web-tls
  dnsNames: [web.example.test]
  issuerRef: {name: selfsigned, kind: Issuer}
EOF
k -n "$ns" wait --for condition=Ready --timeout=90s certificate/web >/dev/null 2>&1
check "the SelfSigned Certificate becomes Ready" test $? -eq 0
san=$(k -n "$ns" get secret web-tls -o jsonpath='{.data.tls\.crt}' 2>/dev/null | base64 -d |
  openssl x509 -noout -ext subjectAltName 2>/dev/null)
check "its Secret holds a certificate for web.example.test" grep -q "DNS:web.example.test" <<<"$san"
rc=$(stop_container "$controller")
check "the controller stops on SIGTERM with exit code 0 (got $rc)" test "$rc" = 0

if ((fails > 0)); then
  echo "--- controller log ---"; docker logs "$controller" 2>&1 | tail -n 40
  echo "$fails check(s) failed"; exit 1
fi
echo "image size: $size bytes; build ${build_seconds}s; whole test $(($(date +%s) - test_start))s"
echo "all checks passed"
