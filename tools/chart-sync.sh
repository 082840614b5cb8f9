#!/usr/bin/env bash
# Keeps charts/certkeeper in step with its sources of truth, which live outside the chart (Helm
# can only read files inside it):
#   crds/*.yaml                          → charts/certkeeper/files/crds/   (byte-identical copies)
#   deploy/rbac/controller-*.yaml        → charts/certkeeper/files/rbac/   (byte-identical copies)
#   project(certkeeper VERSION x.y.z) in CMakeLists.txt → Chart.yaml version and appVersion
# The version has one source, CMakeLists.txt, which `certkeeper version` also reports.
#
#   tools/chart-sync.sh          refresh the copies and Chart.yaml (`make chart-sync`)
#   tools/chart-sync.sh --check  change nothing; list what differs and exit 1 if anything does
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="$ROOT/charts/certkeeper"
check=0
[[ "${1:-}" == --check ]] && check=1

version=$(sed -nE 's/^project\(certkeeper VERSION ([0-9A-Za-z.+-]+).*/\1/p' "$ROOT/CMakeLists.txt")
[[ -n "$version" ]] || { echo "chart-sync: no project version in CMakeLists.txt" >&2; exit 1; }

differs=0
sync_dir() { # source glob dir, pattern, destination dir
  local src="$1" pattern="$2" dst="$3" f name
  for f in "$src"/$pattern; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$dst/$name"; then
      differs=1
      if ((check)); then echo "chart-sync: $dst/$name differs from $f"; else cp "$f" "$dst/$name"; fi
    fi
  done
  for f in "$dst"/*.yaml; do
    [[ -e "$f" ]] || continue
    name=$(basename "$f")
    if [[ ! -e "$src/$name" ]]; then
      differs=1
      if ((check)); then echo "chart-sync: $f has no source in $src"; else rm "$f"; fi
    fi
  done
}
mkdir -p "$CHART/files/crds" "$CHART/files/rbac"
sync_dir "$ROOT/crds" '*.yaml' "$CHART/files/crds"
sync_dir "$ROOT/deploy/rbac" 'controller-*.yaml' "$CHART/files/rbac"

for key in version appVersion; do
  have=$(sed -nE "s/^$key: \"?([^\"]*)\"?$/\1/p" "$CHART/Chart.yaml")
  if [[ "$have" != "$version" ]]; then
    differs=1
    if ((check)); then
      echo "chart-sync: Chart.yaml $key is '$have', CMakeLists.txt says '$version'"
    else
      sed -i -E "s/^$key: .*/$key: \"$version\"/" "$CHART/Chart.yaml"
    fi
  fi
done
if ((check && differs)); then
  echo "chart-sync: run tools/chart-sync.sh (make chart-sync) to refresh the chart" >&2
  exit 1
fi
exit 0
