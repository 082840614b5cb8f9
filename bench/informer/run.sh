#!/usr/bin/env bash
# Informer benchmark: certkeeper's lib/kube informer vs client-go (v0.36.3), same apiserver,
# same objects, same run. Prints a Markdown table of medians and ratios for docs/benchmarks.md.
#
#   bench/informer/run.sh [COUNT] [RUNS]     defaults: 10000 objects, 3 runs of each peer
#
# Modes: "crd" caches COUNT custom objects (Widget, about the size of a Certificate) whole;
# "secrets-metadata" caches COUNT 4 KiB Secrets metadata-only (PartialObjectMetadata).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
COUNT="${1:-10000}"
RUNS="${2:-3}"
export PATH="/usr/local/go/bin:$PATH"

# 1. certkeeper, optimised.
cmake --preset release >/dev/null
cmake --build --preset release --target informer_bench >/dev/null
CK="$ROOT/build/release/bench/informer_bench"

# 2. The client-go peer, built once per go.sum into the cache.
CACHE="${CERTKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certkeeper}/bench"
KEY=$(cat "$ROOT/bench/informer/clientgo/go.sum" "$ROOT/bench/informer/clientgo/main.go" |
  sha256sum | cut -c1-16)
PEER="$CACHE/informer-peer-$KEY"
if [[ ! -x "$PEER" ]]; then
  mkdir -p "$CACHE"
  (cd "$ROOT/bench/informer/clientgo" && GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS= \
    go build -trimpath -o "$PEER.tmp" . && mv "$PEER.tmp" "$PEER")
fi

# 3. A private environment.
ENV_DIR="$ROOT/build/bench-env"
"$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1 || true
"$ROOT/tools/testenv" up --dir "$ENV_DIR" >/dev/null
trap '"$ROOT/tools/testenv" down --dir "$ENV_DIR" >/dev/null 2>&1' EXIT
set -a; source "$ENV_DIR/testenv.env"; set +a

"$CK_KUBECTL" apply -f - >/dev/null <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.bench.certkeeper.test}
spec:
  group: bench.certkeeper.test
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
YAML
"$CK_KUBECTL" wait --for=condition=Established crd/widgets.bench.certkeeper.test >/dev/null

LABEL="b$(date +%s)"
echo "populating $COUNT widgets and $COUNT 4 KiB secrets..." >&2
"$CK" populate "$KUBECONFIG" crd "$COUNT" "$LABEL"
"$CK" populate "$KUBECONFIG" secrets "$COUNT" "$LABEL"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

echo "| mode | peer | objects | sync ms | RSS after sync (MiB) | RSS growth (MiB) | peak RSS (MiB) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for mode in crd secrets-metadata; do
  declare -A sync=() rss=() growth=() hwm=() objs=()
  for peer in certkeeper client-go; do
    s=""; r=""; g=""; h=""
    for _ in $(seq 1 "$RUNS"); do
      if [[ $peer == certkeeper ]]; then
        out=$("$CK" measure "$KUBECONFIG" "$mode" "$LABEL")
      else
        out=$("$PEER" -kubeconfig "$KUBECONFIG" -mode "$mode" -label "bench=$LABEL")
      fi
      objs[$peer]=$(field objects <<<"$out")
      s+="$(field sync_ms <<<"$out")"$'\n'
      r+="$(field rss_kb <<<"$out")"$'\n'
      g+="$(( $(field rss_kb <<<"$out") - $(field base_rss_kb <<<"$out") ))"$'\n'
      h+="$(field hwm_kb <<<"$out")"$'\n'
    done
    sync[$peer]=$(median <<<"${s%$'\n'}"); rss[$peer]=$(median <<<"${r%$'\n'}")
    growth[$peer]=$(median <<<"${g%$'\n'}"); hwm[$peer]=$(median <<<"${h%$'\n'}")
    printf '| %s | %s | %s | %s | %.1f | %.1f | %.1f |\n' "$mode" "$peer" "${objs[$peer]}" \
      "${sync[$peer]}" "$(bc -l <<<"${rss[$peer]}/1024")" "$(bc -l <<<"${growth[$peer]}/1024")" \
      "$(bc -l <<<"${hwm[$peer]}/1024")"
  done
  printf '| %s | **ratio client-go / certkeeper** | | %.2f× | %.2f× | %.2f× | %.2f× |\n' "$mode" \
    "$(bc -l <<<"${sync[client-go]}/${sync[certkeeper]}")" \
    "$(bc -l <<<"${rss[client-go]}/${rss[certkeeper]}")" \
    "$(bc -l <<<"${growth[client-go]}/${growth[certkeeper]}")" \
    "$(bc -l <<<"${hwm[client-go]}/${hwm[certkeeper]}")"
  unset sync rss growth hwm objs
done
