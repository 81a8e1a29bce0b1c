#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds every libFuzzer target listed in tests/fuzz/CMakeLists.txt (clang-14, ASan + UBSan, in
# build-fuzz/) and runs each for a bounded time from its seed corpus tests/fuzz/corpus/<target>/.
# Offline; new inputs go to a scratch corpus, never into the repository. Crash inputs are kept in
# build-fuzz/fuzz-artifacts/. Ends with one line "fuzz: N passed, N failed" and exits non-zero if
# any target crashed or did not build.
# Usage: scripts/run-fuzz.sh [seconds-per-target, default 30]
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
jobs="${JOBS:-2}"

# Target names, in file order: every `sluice_fuzzer(<name> ...)` line.
mapfile -t targets < <(sed -nE 's/^[[:space:]]*sluice_fuzzer\(([A-Za-z0-9_]+).*/\1/p' \
  tests/fuzz/CMakeLists.txt)
if [ "${#targets[@]}" -eq 0 ]; then
  echo "run-fuzz: no targets in tests/fuzz/CMakeLists.txt" >&2
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi

sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if ! CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_BUILD_FUZZERS=ON -DSLUICE_BUILD_TESTS=ON \
    -DCMAKE_C_FLAGS="$sanitize -fsanitize=fuzzer-no-link" \
    -DCMAKE_CXX_FLAGS="$sanitize -fsanitize=fuzzer-no-link" \
    -DCMAKE_EXE_LINKER_FLAGS="$sanitize" >"$build_dir.configure.log" 2>&1; then
  cat "$build_dir.configure.log" >&2
  echo "run-fuzz: configure failed" >&2
  echo "fuzz: 0 passed, ${#targets[@]} failed"
  exit 1
fi

passed=0
failed=0
artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
for target in "${targets[@]}"; do
  if ! cmake --build "$build_dir" -j "$jobs" --target "$target" >"$artifacts/$target.build.log" 2>&1; then
    tail -40 "$artifacts/$target.build.log" >&2
    echo "run-fuzz: $target: build failed" >&2
    failed=$((failed + 1))
    continue
  fi
  scratch="$(mktemp -d)"
  seeds="tests/fuzz/corpus/$target"
  corpus_args=("$scratch")
  [ -d "$seeds" ] && corpus_args+=("$seeds")
  echo "run-fuzz: $target for ${seconds}s"
  if "$build_dir/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "${corpus_args[@]}" \
      >"$artifacts/$target.log" 2>&1; then
    echo "run-fuzz: $target: ok ($(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' \
      "$artifacts/$target.log" | grep -oE '[0-9]+$') runs)"
    passed=$((passed + 1))
  else
    tail -60 "$artifacts/$target.log" >&2
    echo "run-fuzz: $target: FAILED (crash input in $artifacts/)" >&2
    failed=$((failed + 1))
  fi
  rm -rf "$scratch"
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
