#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang-14, ASan + UBSan) and runs each for a
# bounded time. A crash, leak or sanitizer report fails the run and leaves the reproducer in
# build/fuzz/artifacts/. Corpora grow in build/fuzz/corpus/<target>, seeded from
# tests/fuzz/seeds/<target>.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 20 s, every target
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_PER="${1:-20}"
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(pem_der jws kube_stream acme_json)

cd "$ROOT"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target $(printf '%s_fuzz ' "${TARGETS[@]}") >/dev/null
mkdir -p build/fuzz/artifacts
for t in "${TARGETS[@]}"; do
  corpus="build/fuzz/corpus/$t"
  mkdir -p "$corpus"
  echo "fuzz: $t for ${SECONDS_PER}s"
  "build/fuzz/tests/fuzz/${t}_fuzz" "$corpus" "tests/fuzz/seeds/$t" \
    -max_total_time="$SECONDS_PER" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build/fuzz/artifacts/${t}-" -print_final_stats=1 2>&1 |
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true
  # libFuzzer exits non-zero on any finding; PIPESTATUS keeps that through the grep.
  rc=${PIPESTATUS[0]}
  if [[ $rc -ne 0 ]]; then
    echo "fuzz: $t FAILED (exit $rc); reproducer in build/fuzz/artifacts/" >&2
    exit 1
  fi
done
echo "fuzz: all targets clean"
