#!/usr/bin/env bash
# Checks tools/go-tools.sh: cached tools are reused, a version that cannot be built fails loudly
# naming the tool, and a failed pin leaves the committed wrapper module untouched.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GT="$ROOT/tools/go-tools.sh"
fails=0
check() { # description, condition...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# 1. Built tools are reused: ensure prints nothing and leaves the .complete marker in place.
out=$("$GT" ensure pebble 2>&1)
check "ensure of a cached tool is silent" test -z "$out"
bindir=$("$GT" bindir pebble)
source "$ROOT/tools/versions.env"
check "bindir is keyed by the pinned version" grep -q -- "$PEBBLE_VERSION" <<<"$bindir"
check "bindir is outside the work tree" bash -c "[[ '$bindir' != '$ROOT'/* ]]"
check "cached pebble binary exists" test -x "$bindir/pebble"

# 2. A version the proxy does not serve: non-zero exit naming the tool; no silent fallback.
sed "s/^PEBBLE_VERSION=.*/PEBBLE_VERSION=v2.0.99-certkeeper-does-not-exist/" \
  "$ROOT/tools/versions.env" >"$scratch/versions.env"
before=$(sha256sum "$ROOT/tools/go/pebble/go.mod" "$ROOT/tools/go/pebble/go.sum")
err=$(CK_VERSIONS_FILE="$scratch/versions.env" CERTKEEPER_CACHE="$scratch/cache" \
  "$GT" ensure pebble 2>&1)
rc=$?
check "unbuildable version exits non-zero" test "$rc" -ne 0
check "the error names the tool and the step" grep -q "pebble: pinning v2.0.99-certkeeper-does-not-exist failed" <<<"$err"
after=$(sha256sum "$ROOT/tools/go/pebble/go.mod" "$ROOT/tools/go/pebble/go.sum")
check "a failed pin leaves the wrapper module untouched" test "$before" = "$after"
check "no .complete marker for the failed build" \
  bash -c "! ls '$scratch'/cache/tools/pebble/*/.complete 2>/dev/null"

# 3. Benchmark peers (cert-manager) are built only when named: the default set and `env` (what
# make test and testenv use) leave them out.
env_out=$("$GT" env 2>&1)
check "env lists the test tools only, no benchmark peer" \
  bash -c "grep -q CK_TOOLS_PEBBLE= <<<'$env_out' && ! grep -qi cert.manager <<<'$env_out'"
check "the default ensure set has no benchmark peer" \
  bash -c "grep -q '^ALL_TOOLS=(k8s etcd pebble helm)\$' '$GT'"

# 4. Unknown tools are refused by name.
err=$("$GT" ensure nosuchtool 2>&1)
check "unknown tool is refused" grep -q "unknown tool 'nosuchtool'" <<<"$err"

exit $((fails > 0))
