#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite over a built tree: every ctest test (unit suites and the end-to-end Python
# suites, two at a time), then each fuzz target for a bounded time. Ends with one summary line,
# "N passed, N failed", and exits non-zero if anything failed. Usage: scripts/run-tests.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/.."

build_dir="${1:-build}"
fuzz_seconds="${FUZZ_SECONDS:-20}"
passed=0
failed=0

if [ ! -f "$build_dir/CTestTestfile.cmake" ]; then
  echo "run-tests: $build_dir is not a configured build tree (run 'make build' first)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# --- ctest: unit and end-to-end suites --------------------------------------------------------
ctest_log="$(mktemp)"
trap 'rm -f "$ctest_log" "${fuzz_log:-}"' EXIT
ctest --test-dir "$build_dir" --output-on-failure -j2 2>&1 | tee "$ctest_log"
ctest_rc=${PIPESTATUS[0]}
# "100% tests passed, 0 tests failed out of 57" (ctest counts not-run tests as failed)
summary="$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$ctest_log" | tail -1)"
if [ -n "$summary" ]; then
  total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")"
  ctest_failed="$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")"
  passed=$((passed + total - ctest_failed))
  failed=$((failed + ctest_failed))
  if [ "$ctest_rc" -ne 0 ] && [ "$ctest_failed" -eq 0 ]; then failed=$((failed + 1)); fi
elif [ "$ctest_rc" -ne 0 ] || grep -q 'No tests were found' "$ctest_log"; then
  echo "run-tests: ctest ran no tests or did not finish (exit $ctest_rc)" >&2
  failed=$((failed + 1))
fi

# --- fuzz targets, each for a bounded time -----------------------------------------------------
if [ -f scripts/run-fuzz.sh ]; then
  fuzz_log="$(mktemp)"
  bash scripts/run-fuzz.sh "$fuzz_seconds" 2>&1 | tee "$fuzz_log"
  fuzz_rc=${PIPESTATUS[0]}
  # run-fuzz.sh ends with its own "N passed, N failed" line (one count per target).
  fuzz_summary="$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$fuzz_log" | tail -1)"
  if [ -n "$fuzz_summary" ]; then
    fuzz_passed="$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"$fuzz_summary")"
    fuzz_failed="$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$fuzz_summary")"
    passed=$((passed + fuzz_passed))
    failed=$((failed + fuzz_failed))
    if [ "$fuzz_rc" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then failed=$((failed + 1)); fi
  elif [ "$fuzz_rc" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
