#!/usr/bin/env bash
# Installs every Debian 12 package certkeeper needs to build, test and run its test environment.
# Debian packages only: no vendored copies, no FetchContent. Idempotent and quiet when nothing is
# missing, so `make demo` / `make test` call it every time.
#
#   tools/install-deps.sh          install what is missing (needs root or sudo)
#   tools/install-deps.sh --check  exit 1 and list what is missing, install nothing
#   tools/install-deps.sh --list build   print the packages that compile the certkeeper binary,
#                                        one a line (the image's builder stage installs these)
set -euo pipefail

# What compiling the certkeeper binary needs, and nothing more (tools/image-base.sh reads it).
BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config
  # libraries (see docs/architecture.md for which library uses which)
  libssl-dev libcurl4-openssl-dev libboost-dev nlohmann-json3-dev libyaml-cpp-dev
  prometheus-cpp-dev libldns-dev libspdlog-dev libfmt-dev libcli11-dev libexpected-dev
)
if [[ "${1:-}" == "--list" ]]; then
  [[ "${2:-}" == build ]] || { echo "install-deps: --list takes 'build'" >&2; exit 2; }
  printf '%s\n' "${BUILD_PACKAGES[@]}"
  exit 0
fi

PACKAGES=(
  "${BUILD_PACKAGES[@]}"
  # the rest of the toolchain: make, the format/tidy tools, clang for the fuzz targets
  make clang-format-14 clang-tidy-14 clang-14 libclang-rt-14-dev
  # test and benchmark libraries
  libgtest-dev libgmock-dev libbenchmark-dev
  # jq: tools.chart compares the chart's rendered RBAC rules and CRDs with deploy/rbac/ and crds/
  jq
  # test environment: BIND9 (authoritative DNS + nsupdate/dig), openssl CLI for the test PKI,
  # curl for readiness probes, iproute2 for network namespaces, GNU time for build figures,
  # python3 (standard library only) for small helpers in the shell suites
  bind9 bind9-dnsutils openssl curl iproute2 time ca-certificates bc python3
  # the container image's base images (tools/image-base.sh)
  debootstrap
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  echo "install-deps: missing: ${missing[*]}" >&2
  exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The bind9 package starts a system `named` on port 53; our tests run their own instance on a
# high loopback port and need nothing from the system one.
if command -v systemctl >/dev/null && systemctl is-active --quiet named 2>/dev/null; then
  "${SUDO[@]}" systemctl disable --now named >/dev/null 2>&1 || true
fi
echo "install-deps: done" >&2
