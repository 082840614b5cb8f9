#!/usr/bin/env bash
# Runs the test suites with ctest and ends with one line: "N passed, N failed".
#
#   tools/run-tests.sh [BUILD_DIR] [LABEL_REGEX]     (defaults: build/dev, unit|integration|lint|fuzz)
#
# Every ctest test counts once: each GoogleTest case, the testenv fixture's up/down steps and
# the lint checks. Per-test output is in BUILD_DIR/Testing/Temporary/LastTest.log; component
# logs of the integration run are in BUILD_DIR/testenv/logs.
set -uo pipefail

BUILD_DIR="${1:-build/dev}"
LABELS="${2:-unit|integration|lint|fuzz}"
JOBS="${CK_TEST_JOBS:-2}"
JUNIT="$BUILD_DIR/test-results.xml"

rm -f "$JUNIT"
ctest --test-dir "$BUILD_DIR" -L "$LABELS" -j "$JOBS" --output-on-failure \
  --output-junit "$(cd "$BUILD_DIR" && pwd)/test-results.xml" --timeout 900
rc=$?

if [[ ! -f "$JUNIT" ]]; then
  echo "tools/run-tests.sh: ctest wrote no results (exit $rc)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# ctest's JUnit report opens with <testsuite tests="T" failures="F" disabled="D" skipped="S" ...>,
# one attribute per line.
attr() { sed -n '/<testsuite/,/>/p' "$JUNIT" | grep -m1 -o "[[:space:]]$1=\"[0-9]*\"" | grep -o '[0-9]*'; }
total=$(attr tests); failures=$(attr failures); disabled=$(attr disabled); skipped=$(attr skipped)
total=${total:-0}; failures=${failures:-0}; disabled=${disabled:-0}; skipped=${skipped:-0}
passed=$((total - failures - disabled - skipped))
if ((skipped + disabled > 0)); then
  echo "($skipped skipped, $disabled disabled)"
fi
if ((rc != 0 && failures == 0)); then
  # ctest failed for a reason the report does not count (e.g. a test that could not start).
  failures=1
fi
echo "$passed passed, $failures failed"
((failures == 0))
