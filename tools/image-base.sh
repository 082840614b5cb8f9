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
# runtime  certkeeper-base/bookworm-run:<key>    only the files of the packages the binary needs
#          at run time (the libraries it links and their dependencies, base-files,
#          ca-certificates): no shell, no package manager; user nonroot 65532:65532
#
# <key> hashes the suite, the mirrors, the package list and the kind's recipe number (bumped when
# the way its root filesystem is made changes), so a changed list makes a new image and an unchanged one is reused.
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
# Bump the recipe of a kind when the way its root filesystem is made changes.
BUILDER_RECIPE=1
RUNTIME_RECIPE=2
CACHE_ROOT="${CERTKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certkeeper}/image"
NONROOT_UID=65532

mapfile -t BUILD_PACKAGES < <("$ROOT/tools/install-deps.sh" --list build)
BUILD_PACKAGES+=(ccache)
# The packages whose files the binary needs at run time (`ldd certkeeper`: these and what they
# depend on); tests/tools/image_test.sh runs the binary in the image, which fails if one is
# missing.
RUNTIME_LIBRARIES=(
  libc6 libstdc++6 libgcc-s1 libssl3 libcurl4 libyaml-cpp0.7 libldns3 libspdlog1.10 libfmt9
  libprometheus-cpp-core1.0
)
RUNTIME_PACKAGES=(ca-certificates "${RUNTIME_LIBRARIES[@]}")
# Depended on only for their maintainer scripts, which never run in the image.
NOT_AT_RUNTIME=(debconf perl-base dpkg install-info)

die() { echo "image-base: $*" >&2; exit 1; }

key() { # recipe, packages...
  printf '%s\n' "$1" "$SUITE" "$MIRROR" "$SECURITY_MIRROR" "${CK_IMAGE_BASE_EPOCH:-}" "${@:2}" |
    sha256sum | cut -c1-12
}
builder_tag() { echo "certkeeper-base/$SUITE-build:$(key "$BUILDER_RECIPE" "${BUILD_PACKAGES[@]}")"; }
runtime_tag() { echo "certkeeper-base/$SUITE-run:$(key "$RUNTIME_RECIPE" "${RUNTIME_PACKAGES[@]}")"; }

# Removes what a container never reads from the builder: apt's lists and caches, logs.
trim() { # rootfs
  local r="$1"
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* "$r"/var/cache/debconf/*-old \
    "$r"/var/log/* "$r"/tmp/* "$r"/etc/resolv.conf
}

# Prints the installed packages that PACKAGES need, themselves included: Depends and Pre-Depends
# followed through the dpkg database in ADMIN, the first installed alternative of each.
closure() { # admin dir, packages...
  local admin="$1"; shift
  local -A seen=()
  local queue=("$@") p group d skip
  while ((${#queue[@]} > 0)); do
    p="${queue[0]}"
    queue=("${queue[@]:1}")
    [[ -z "${seen[$p]:-}" ]] || continue
    seen[$p]=1
    while read -r group; do
      for d in $group; do
        if [[ "$(dpkg-query --admindir "$admin" -W -f '${db:Status-Abbrev}' "$d" 2>/dev/null)" == ii* ]]; then
          for skip in "${NOT_AT_RUNTIME[@]}"; do [[ "$d" != "$skip" ]] || continue 2; done
          queue+=("$d")
          break
        fi
      done
    done < <(dpkg-query --admindir "$admin" -W -f '${Depends}, ${Pre-Depends}\n' "$p" |
      sed 's/([^)]*)//g; s/:any//g; s/|/ /g' | tr ',' '\n')
  done
  printf '%s\n' "${!seen[@]}" | sort
}

# The runtime root filesystem: the files of the packages the binary needs (RUNTIME_LIBRARIES and
# what they depend on), base-files (os-release) and ca-certificates, copied out of the
# debootstrapped tree SRC into DST. No shell, no package manager, no docs but the copyright files,
# as distroless images are; /var/lib/dpkg/status still lists what is inside, for scanners.
distill() { # src, dst, packages.txt
  local src="$1" dst="$2" admin="$1/var/lib/dpkg" pkgs
  mapfile -t pkgs < <({ closure "$admin" base-files "${RUNTIME_LIBRARIES[@]}"
    echo ca-certificates; } | sort -u)
  mkdir -p "$dst"/etc/ssl "$dst"/var/lib/dpkg "$dst"/usr/{bin,sbin,lib,lib64}
  cp -a "$src"/{bin,sbin,lib,lib64} "$dst/"  # the merged-/usr symlinks
  dpkg-query --admindir "$admin" -L "${pkgs[@]}" | sort -u |
    awk -F/ '!/^\/usr\/share\/(man|info|locale|lintian|bug)\// &&
             !(/^\/usr\/share\/doc\// && (NF > 6 || NF == 6 && $NF != "copyright"))' |
    while read -r f; do
      if [[ -L "$src$f" || (-e "$src$f" && ! -d "$src$f") ]]; then echo "${f#/}"; fi
    done >"$dst.files"
  tar -C "$src" --no-recursion -cf - -T "$dst.files" |
    tar -C "$dst" --keep-directory-symlink -xf - || die "could not copy the runtime files"
  rm -f "$dst.files"
  cp -a "$src/etc/ssl/certs" "$dst/etc/ssl/"  # made by update-ca-certificates, in no package
  cp -a "$src/etc/nsswitch.conf" "$dst/etc/"
  # OpenSSL's default CA directory (OPENSSLDIR/certs), a symlink Debian's openssl package makes.
  mkdir -p "$dst/usr/lib/ssl"
  ln -s /etc/ssl/certs "$dst/usr/lib/ssl/certs"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/usr/sbin/nologin\n' \
    "$NONROOT_UID" "$NONROOT_UID" >"$dst/etc/passwd"
  printf 'root:x:0:\nnonroot:x:%s:\n' "$NONROOT_UID" >"$dst/etc/group"
  install -d -m 1777 "$dst/tmp"
  install -d -m 0750 -o "$NONROOT_UID" -g "$NONROOT_UID" "$dst/home/nonroot"
  dpkg-query --admindir "$admin" -s "${pkgs[@]}" >"$dst/var/lib/dpkg/status"
  ldconfig -r "$dst"
  dpkg-query --admindir "$admin" -W -f '${Package} ${Version}\n' "${pkgs[@]}" >"$3"
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
  if [[ "$kind" == runtime ]]; then
    distill "$rootfs" "$dir/slim" "$dir/packages.txt"
    rm -rf "$rootfs"
    mv "$dir/slim" "$rootfs"
  else
    chroot "$rootfs" dpkg-query -W -f '${Package} ${Version}\n' >"$dir/packages.txt"
    trim "$rootfs"
  fi
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
