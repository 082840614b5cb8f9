#!/usr/bin/env bash
# Builds the test tools (kube-apiserver, kube-controller-manager, kubectl, etcd, etcdctl, Pebble,
# pebble-challtestsrv, helm) and the benchmark peers (lego, cert-manager) from Go modules, once
# per version, into a cache outside the work tree.
#
#   tools/go-tools.sh ensure [TOOL...]   build what is missing (default: the test tools, not the
#                                        benchmark peers); print nothing else
#   tools/go-tools.sh pin TOOL           regenerate tools/go/TOOL/go.{mod,sum} from versions.env
#   tools/go-tools.sh bindir TOOL        print the cached bin directory of TOOL
#   tools/go-tools.sh env                print shell assignments CK_BIN_<NAME>=<path> for testenv
#
# TOOL is one of: k8s etcd pebble helm (the test tools: `ensure` and `env` without TOOL) or
# The benchmark peers, built only when named (`make bench` does, `make test` never does). Their
# wrappers have source of their own, so their cache keys also hash it: tools/go/lego/main.go
# (`lego-run`, a driver of the lego v5 library; its header says why not the lego CLI) and
# tools/go/cert-manager/main.go (`cert-manager-controller`, cert-manager's controllers wired up
# by us; its header says why not cert-manager's own main).
#
# CK_VERSIONS_FILE overrides tools/versions.env (the tools test uses it to pin a bogus version).
#
# Cache: ${CERTKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certkeeper}/tools/<tool>/<version>-<go>/
# holding bin/ and build.log. A directory is only used once its `.complete` marker exists, so an
# interrupted build is redone. Each tool has its own wrapper module under tools/go/<tool> so that
# minimal version selection never mixes one tool's dependencies into another's.
#
# No fallbacks: if a tool cannot be built this script exits non-zero naming the tool, the reason
# and the log file. (Debian's pebble 2.4.0 lacks ARI, profiles and Retry-After: not a substitute.)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_FILE="${CK_VERSIONS_FILE:-$ROOT/tools/versions.env}"
# shellcheck source=tools/versions.env
source "$VERSIONS_FILE"

export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=
CACHE_ROOT="${CERTKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certkeeper}"
ALL_TOOLS=(k8s etcd pebble helm)
BENCH_TOOLS=(lego cert-manager)

die() { echo "go-tools: $*" >&2; exit 1; }

go_version() {
  command -v go >/dev/null || die "Go is not installed (need go >= 1.26 on PATH; /usr/local/go/bin?)"
  go env GOVERSION
}

tool_version() {
  case "$1" in
    k8s) echo "$KUBERNETES_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    pebble) echo "$PEBBLE_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    lego) echo "$LEGO_VERSION" ;;
    cert-manager) echo "$CERT_MANAGER_VERSION" ;;
    *) die "unknown tool '$1' (known: ${ALL_TOOLS[*]} ${BENCH_TOOLS[*]})" ;;
  esac
}

tool_dir() {
  local key src
  key="$(tool_version "$1")-$(go_version)"
  src=("$ROOT/tools/go/$1"/*.go)
  [[ -f "${src[0]}" ]] && key+="-$(cat "${src[@]}" | sha256sum | cut -c1-12)"
  echo "$CACHE_ROOT/tools/$1/$key"
}

# The module each wrapper requires, at the pinned version.
tool_module() {
  case "$1" in
    k8s) echo "k8s.io/kubernetes" ;;
    etcd) echo "go.etcd.io/etcd/server/v3" ;;
    pebble) echo "github.com/letsencrypt/pebble/v2" ;;
    helm) echo "helm.sh/helm/v3" ;;
    lego) echo "github.com/go-acme/lego/v5" ;;
    cert-manager) echo "github.com/cert-manager/cert-manager" ;;
  esac
}

# Whether the committed wrapper module requires exactly the pinned version.
wrapper_matches() {
  local mod="$ROOT/tools/go/$1/go.mod"
  [[ -f "$mod" && -f "$ROOT/tools/go/$1/go.sum" ]] || return 1
  grep -Eq "^[[:space:]]*(require[[:space:]]+)?$(tool_module "$1")[[:space:]]+$(tool_version "$1")([[:space:]]|$)" "$mod"
}

pin_k8s() {
  local kv="$KUBERNETES_VERSION" minor patch sv modfile staging gd
  IFS=. read -r _ minor patch <<<"${kv#v}"
  sv="v0.${minor}.${patch}"
  # The published go.mod requires every staging module at v0.0.0 and maps it to ./staging; Go
  # honours replace only in the main module, so this wrapper replaces each with its real tag.
  modfile=$(go mod download -json "k8s.io/kubernetes@${kv}" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [[ -f "$modfile" ]] || { echo "k8s: could not download k8s.io/kubernetes@${kv}"; return 1; }
  staging=$(awk '
    $1 ~ /^k8s\.io\// && $2 == "v0.0.0"                            { print $1 }
    $1 ~ /^k8s\.io\// && $2 == "=>" && $3 ~ /^\.\/staging\//       { print $1 }
    $1 == "replace" && $2 ~ /^k8s\.io\// && $4 ~ /^\.\/staging\//  { print $2 }
  ' "$modfile" | sort -u)
  for m in $staging; do go mod edit "-replace=${m}=${m}@${sv}" || return 1; done
  gd=$(awk '$1=="godebug"{print $2}' "$modfile")
  if [[ -n "$gd" ]]; then go mod edit "-godebug=${gd}" || return 1; fi
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@${kv}" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@${kv}" "k8s.io/kubernetes/cmd/kubectl@${kv}"
}

# Regenerates the wrapper module in a scratch directory and replaces the committed go.mod/go.sum
# only on success, so a failed pin (a version the proxy does not serve) leaves the tree intact.
pin() {
  local tool="$1" dir="$ROOT/tools/go/$1" scratch
  scratch=$(mktemp -d)
  # Every step is chained with || exit: `set -e` does not apply inside a function called from
  # an `||` list, which is how ensure_one calls this.
  if (
    if compgen -G "$dir/*.go" >/dev/null; then cp "$dir"/*.go "$scratch/" || exit 1; fi
    cd "$scratch" || exit 1
    go mod init "certkeeper.local/tools/$tool" >/dev/null 2>&1 || exit 1
    case "$tool" in
      k8s) pin_k8s || exit 1 ;;
      etcd) go get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" \
        "go.etcd.io/etcd/etcdctl/v3@${ETCD_VERSION}" || exit 1 ;;
      pebble) go get -tool "github.com/letsencrypt/pebble/v2/cmd/pebble@${PEBBLE_VERSION}" \
        "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@${PEBBLE_VERSION}" || exit 1 ;;
      helm) go get -tool "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" || exit 1 ;;
      lego) go get "github.com/go-acme/lego/v5/lego@${LEGO_VERSION}" || exit 1 ;;
      cert-manager) go get "github.com/cert-manager/cert-manager@${CERT_MANAGER_VERSION}" || exit 1 ;;
      *) exit 1 ;;
    esac
    go mod tidy || exit 1
  ); then
    mkdir -p "$dir"
    cp "$scratch/go.mod" "$scratch/go.sum" "$dir/"
    rm -rf "$scratch"
  else
    rm -rf "$scratch"
    return 1
  fi
}

build_cmds() {
  local tool="$1" out="$2" bd ldf minor
  bd=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  case "$tool" in
    k8s)
      IFS=. read -r _ minor _ <<<"${KUBERNETES_VERSION#v}"
      ldf="-s -w"
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ldf+=" -X $p.gitVersion=${KUBERNETES_VERSION} -X $p.gitMajor=1 -X $p.gitMinor=${minor}"
        ldf+=" -X $p.gitTreeState=clean -X $p.buildDate=${bd}"
      done
      go build -p "${GO_BUILD_P:-2}" -trimpath -tags=notest -ldflags "$ldf" -o "$out/" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kubectl
      ;;
    etcd)
      go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
      go build -trimpath -ldflags "-s -w" -o "$out/etcdctl" go.etcd.io/etcd/etcdctl/v3
      ;;
    pebble)
      go build -trimpath -ldflags "-s -w" -o "$out/" \
        github.com/letsencrypt/pebble/v2/cmd/pebble \
        github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv
      ;;
    helm)
      IFS=. read -r _ minor _ <<<"${KUBERNETES_VERSION#v}"
      go build -trimpath -o "$out/helm" -ldflags "-s -w \
        -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} \
        -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
        -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${minor} \
        -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
        -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${minor}" helm.sh/helm/v3/cmd/helm
      ;;
    lego)
      go build -trimpath -ldflags "-s -w -X main.version=${LEGO_VERSION}" -o "$out/lego-run" .
      ;;
    cert-manager)
      go build -p "${GO_BUILD_P:-2}" -trimpath -o "$out/cert-manager-controller" -ldflags "-s -w \
        -X github.com/cert-manager/cert-manager/pkg/util.AppVersion=${CERT_MANAGER_VERSION}" .
      ;;
  esac
}

# Smoke-run each binary so a build that links but cannot start is caught here, not in a test.
check_bins() {
  local tool="$1" bin="$2"
  case "$tool" in
    k8s) "$bin/kube-apiserver" --version && "$bin/kube-controller-manager" --version &&
      "$bin/kubectl" version --client ;;
    etcd) "$bin/etcd" --version && "$bin/etcdctl" version ;;
    pebble) [[ -x "$bin/pebble" && -x "$bin/pebble-challtestsrv" ]] ;;
    helm) "$bin/helm" version --short ;;
    lego) "$bin/lego-run" --version ;;
    cert-manager) "$bin/cert-manager-controller" --version ;;
  esac
}

ensure_one() {
  local tool="$1" dir log start
  dir=$(tool_dir "$tool")
  [[ -f "$dir/.complete" ]] && return 0
  rm -rf "$dir"
  mkdir -p "$dir/bin"
  log="$dir/build.log"
  echo "go-tools: building $tool $(tool_version "$tool") with $(go_version) into $dir (log: $log)" >&2
  start=$(date +%s)
  if ! wrapper_matches "$tool"; then
    echo "go-tools: $tool: wrapper module does not match versions.env; re-pinning" >&2
    pin "$tool" >>"$log" 2>&1 || die "$tool: pinning $(tool_version "$tool") failed; see $log"
  fi
  (cd "$ROOT/tools/go/$tool" && /usr/bin/time -v -o "$dir/time.log" bash -c "set -euo pipefail; $(declare -f build_cmds); \
    source '$VERSIONS_FILE'; build_cmds '$tool' '$dir/bin'") >>"$log" 2>&1 ||
    die "$tool: go build failed; last lines of $log:
$(tail -n 20 "$log")"
  check_bins "$tool" "$dir/bin" >>"$log" 2>&1 ||
    die "$tool: built binaries do not run; see $log"
  echo "go-tools: $tool built in $(($(date +%s) - start))s;" \
    "$(grep -E 'Maximum resident set size' "$dir/time.log" | sed 's/^[[:space:]]*//')" >&2
  touch "$dir/.complete"
}

cmd="${1:-ensure}"
shift || true
case "$cmd" in
  ensure)
    tools=("$@")
    [[ ${#tools[@]} -gt 0 ]] || tools=("${ALL_TOOLS[@]}")
    for t in "${tools[@]}"; do ensure_one "$t"; done
    ;;
  pin) pin "${1:?usage: pin TOOL}" ;;
  bindir) echo "$(tool_dir "${1:?usage: bindir TOOL}")/bin" ;;
  env)
    for t in "${ALL_TOOLS[@]}"; do
      d="$(tool_dir "$t")"
      [[ -f "$d/.complete" ]] || die "$t is not built; run tools/go-tools.sh ensure $t"
      echo "CK_TOOLS_${t^^}=$d/bin"
    done
    ;;
  *) die "unknown command '$cmd' (ensure | pin | bindir | env)" ;;
esac
