#!/usr/bin/env bash
# Builds the certkeeper container image from the Dockerfile at the repository root.
#
#   tools/image.sh build   make the base images (tools/image-base.sh), then docker build; tags
#                          certkeeper:<version> (the tag `certkeeper controller` gives HTTP-01
#                          solver Pods by default) and prints it as the last line
#   tools/image.sh tag     print that tag without building
#
# <version> is the project version in CMakeLists.txt, which is what `certkeeper version` prints.
# CK_IMAGE_JOBS sets the compile jobs inside the builder stage (default: the number of cores);
# CK_IMAGE_NAME the repository (default certkeeper); CK_IMAGE_BUILDER=classic forces the classic
# builder.
#
# BuildKit is used when the Docker client can drive it: through the buildx plugin, or through a
# client older than 23.0 (Debian 12's docker.io, /usr/bin/docker) with DOCKER_BUILDKIT=1, which
# talks to the daemon's built-in BuildKit. BuildKit keeps a ccache between builds in a cache
# mount, so a source change recompiles only what changed. Without either, the classic builder
# runs the same Dockerfile minus the cache mount. Docker's layer cache makes a build with no
# change to the sources take seconds either way.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="${CK_IMAGE_NAME:-certkeeper}"

die() { echo "image: $*" >&2; exit 1; }

version() {
  sed -n 's/^project(certkeeper VERSION \([0-9][0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt"
}

# Prints the client to run with DOCKER_BUILDKIT=1 and no buildx: the first one older than 23.0.
legacy_buildkit_client() {
  local c v
  while read -r c; do
    v=$("$c" version --format '{{.Client.Version}}' 2>/dev/null) || continue
    if [[ "${v%%.*}" =~ ^[0-9]+$ ]] && ((${v%%.*} < 23)); then
      echo "$c"
      return 0
    fi
  done < <(type -ap docker | awk '!seen[$0]++')
  return 1
}

docker_build() { # docker build arguments but -f... (the context last)
  local client
  if [[ "${CK_IMAGE_BUILDER:-}" == classic ]]; then
    classic_build "$@"
  elif docker buildx version >/dev/null 2>&1; then
    echo "image: BuildKit (buildx)" >&2
    DOCKER_BUILDKIT=1 docker build --progress=plain -f "$ROOT/Dockerfile" "$@"
  elif client=$(legacy_buildkit_client); then
    echo "image: BuildKit (the daemon's, through $client)" >&2
    DOCKER_BUILDKIT=1 "$client" build --progress=plain -f "$ROOT/Dockerfile" "$@"
  else
    classic_build "$@"
  fi
}

classic_build() { # docker build arguments...
  echo "image: classic builder (no ccache between builds)" >&2
  local classic rc=0
  classic=$(mktemp)
  sed 's/^RUN --mount=[^ ]* /RUN /' "$ROOT/Dockerfile" >"$classic"
  DOCKER_BUILDKIT=0 docker build -f "$classic" "$@" || rc=$?
  rm -f "$classic"
  return $rc
}

build() {
  local v tag commit start size
  v=$(version)
  [[ -n "$v" ]] || die "no project version in CMakeLists.txt"
  tag="$NAME:$v"
  commit=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  start=$(date +%s)
  local bases
  bases=$("$ROOT/tools/image-base.sh" ensure) || die "could not make the base images"
  local BUILDER_IMAGE RUNTIME_IMAGE
  eval "$bases"
  local previous
  previous=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  docker_build -t "$tag" \
    --build-arg "BUILDER_IMAGE=$BUILDER_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" \
    --build-arg "JOBS=${CK_IMAGE_JOBS:-$(nproc)}" --build-arg "VERSION=$v" \
    --build-arg "GIT_COMMIT=$commit" "$ROOT" >&2 || die "docker build failed"
  # The image this tag named before, now untagged, would only take space.
  if [[ -n "$previous" && "$previous" != "$(docker image inspect -f '{{.Id}}' "$tag")" ]]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
  fi
  size=$(docker image inspect -f '{{.Size}}' "$tag")
  echo "image: $tag built in $(($(date +%s) - start))s, $((size / 1000000)) MB ($size bytes)" >&2
  echo "$tag"
}

case "${1:-build}" in
  build) build ;;
  tag) echo "$NAME:$(version)" ;;
  *) die "unknown command '$1' (build | tag)" ;;
esac
