#!/usr/bin/env bash
# Makes the two local base images the Dockerfile builds FROM, with debootstrap and `docker
# import`, because this machine (and CI) reaches Debian's packages but no container registry:
# nothing can be pulled, so nothing may be named in FROM that was not made here.
#
#   tools/image-base.sh ensure   make what is missing; print BUILDER_IMAGE=<tag> and
#                                RUNTIME_IMAGE=<tag> (shell assignments, for tools/image.sh)
#   tools/image-base.sh tags     print the same assignments without making anything
#
# builder  certkeeper-base/bookworm-build:<key>  minbase + what compiles certkeeper
#          (`tools/install-deps.sh --list build`) + ccache
# runtime  certkeeper-base/bookworm-run:<key>    minbase + the shared libraries the binary links
#          + ca-certificates, docs and apt lists removed, user nonroot 65532:65532
#
# <key> hashes the suite, the mirrors, the package list and RECIPE (bump it when the way a root
# filesystem is made changes), so a changed list makes a new image and an unchanged one is reused.
# Both are brought up to date from bookworm-updates and bookworm-security when made; to pick up
# later security updates, delete the cache directory (or set CK_IMAGE_BASE_EPOCH to anything new).
#
# Cache: ${CERTKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certkeeper}/image/<name>-<key>/
# holding rootfs.tar (what `docker import` reads), packages.txt (name and version of every
# package inside) and debootstrap.log; used only once its `.complete` marker exists. A run finds
# the image in Docker → nothing to do; else the tarball in the cache → `docker import` (seconds);
# else debootstrap (minutes: downloads every package) → tarball → import. Needs root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE=bookworm
MIRROR="${CK_IMAGE_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${CK_IMAGE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
RECIPE=1
CACHE_ROOT="${CERTKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certkeeper}/image"
NONROOT_UID=65532

mapfile -t BUILD_PACKAGES < <("$ROOT/tools/install-deps.sh" --list build)
BUILD_PACKAGES+=(ccache)
# What `ldd certkeeper` names beyond libc/libstdc++/libgcc (which minbase has); tests/tools/
# image_test.sh checks inside the image that nothing is missing.
RUNTIME_PACKAGES=(
  ca-certificates libssl3 libcurl4 libyaml-cpp0.7 libldns3 libspdlog1.10 libfmt9
  libprometheus-cpp-core1.0
)

die() { echo "image-base: $*" >&2; exit 1; }

key() { # packages...
  printf '%s\n' "$RECIPE" "$SUITE" "$MIRROR" "$SECURITY_MIRROR" "${CK_IMAGE_BASE_EPOCH:-}" "$@" |
    sha256sum | cut -c1-12
}
builder_tag() { echo "certkeeper-base/$SUITE-build:$(key "${BUILD_PACKAGES[@]}")"; }
runtime_tag() { echo "certkeeper-base/$SUITE-run:$(key "${RUNTIME_PACKAGES[@]}")"; }

# Removes what a container never reads: apt's lists and caches, logs, and (runtime only) docs,
# man pages and translations. The packages' copyright files stay: the image is redistributed.
trim() { # rootfs, kind
  local r="$1"
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* "$r"/var/cache/debconf/*-old \
    "$r"/var/log/* "$r"/tmp/* "$r"/etc/resolv.conf
  if [[ "$2" == runtime ]]; then
    find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
      "$r"/usr/share/lintian
  fi
}

# debootstrap → security and point updates → trim → rootfs.tar, in DIR.
make_rootfs() { # dir, kind, packages...
  local dir="$1" kind="$2"; shift 2
  local rootfs="$dir/rootfs" log="$dir/debootstrap.log" start
  rm -rf "$dir"
  mkdir -p "$dir"
  start=$(date +%s)
  echo "image-base: debootstrap $SUITE ($kind, $# packages) into $dir (log: $log)" >&2
  debootstrap --variant=minbase --include="$(IFS=,; echo "$*")" "$SUITE" "$rootfs" "$MIRROR" \
    >"$log" 2>&1 || die "debootstrap failed; last lines of $log:
$(tail -n 20 "$log")"
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  {
    chroot "$rootfs" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get -y -qq --no-install-recommends \
        dist-upgrade
  } >>"$log" 2>&1 || die "updating the $kind root filesystem failed; see $log"
  chroot "$rootfs" dpkg-query -W -f '${Package} ${Version}\n' >"$dir/packages.txt"
  if [[ "$kind" == runtime ]]; then
    echo "nonroot:x:$NONROOT_UID:$NONROOT_UID:nonroot:/home/nonroot:/usr/sbin/nologin" \
      >>"$rootfs/etc/passwd"
    echo "nonroot:x:$NONROOT_UID:" >>"$rootfs/etc/group"
    install -d -m 0750 -o "$NONROOT_UID" -g "$NONROOT_UID" "$rootfs/home/nonroot"
  fi
  trim "$rootfs" "$kind"
  # /dev, /proc and /sys are the container runtime's to fill.
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$dir/rootfs.tar" \
    --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* . ||
    die "could not pack $rootfs"
  rm -rf "$rootfs"
  echo "image-base: $kind root filesystem made in $(($(date +%s) - start))s," \
    "$(du -m "$dir/rootfs.tar" | cut -f1) MB" >&2
  touch "$dir/.complete"
}

ensure_image() { # tag, kind, packages...
  local tag="$1" kind="$2"; shift 2
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  local dir="$CACHE_ROOT/${tag#certkeeper-base/}"
  dir="${dir/:/-}"
  [[ -f "$dir/.complete" ]] || make_rootfs "$dir" "$kind" "$@"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.opencontainers.image.description=\"certkeeper $kind base, $SUITE\"" \
    "$dir/rootfs.tar" "$tag" >/dev/null || die "docker import of $dir/rootfs.tar failed"
  echo "image-base: imported $tag" >&2
}

cmd="${1:-ensure}"
case "$cmd" in
  tags) ;;
  ensure)
    [[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot)"
    command -v debootstrap >/dev/null || die "debootstrap is missing (tools/install-deps.sh)"
    mkdir -p "$CACHE_ROOT"
    # One maker at a time: two runs (make image beside the test) share the cache and the tags.
    exec 9>"$CACHE_ROOT/.lock"
    flock 9
    ensure_image "$(builder_tag)" builder "${BUILD_PACKAGES[@]}"
    ensure_image "$(runtime_tag)" runtime "${RUNTIME_PACKAGES[@]}"
    ;;
  *) die "unknown command '$cmd' (ensure | tags)" ;;
esac
echo "BUILDER_IMAGE=$(builder_tag)"
echo "RUNTIME_IMAGE=$(runtime_tag)"
