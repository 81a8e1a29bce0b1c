#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make bench`: the engine micro-benchmarks built from bench/*.cc, then the Kinesis comparison
# against kinesalite and moto (bench/kinesis_compare.py). Prints figures; never fails on timing.
# Usage: bench/run-all.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"

shopt -s nullglob
for b in "$build"/bench/*; do
  if [ -f "$b" ] && [ -x "$b" ]; then
    echo "== $(basename "$b")"
    timeout 300 "$b" || echo "$(basename "$b") exited with $?"
  fi
done

# kinesalite comes from npm, pinned by bench/package.json, into bench/.npm (git-ignored).
if command -v npm >/dev/null 2>&1; then
  mkdir -p bench/.npm
  cp bench/package.json bench/.npm/package.json
  if [ ! -f bench/.npm/node_modules/kinesalite/cli.js ]; then
    npm install --prefix bench/.npm --no-audit --no-fund --loglevel=error \
      || echo "npm install failed: kinesalite will be skipped"
  fi
else
  echo "npm not found: kinesalite will be skipped"
fi

/usr/bin/python3 bench/kinesis_compare.py --sluice "$build/sluice" "${@:2}"
if command -v ffmpeg >/dev/null 2>&1; then /usr/bin/python3 bench/camera_bench.py --sluice "$build/sluice" || echo "camera_bench.py exited with $?"; else echo "ffmpeg not found: camera_bench.py skipped"; fi
if command -v ffmpeg >/dev/null 2>&1; then /usr/bin/python3 bench/playback_bench.py --sluice "$build/sluice" || echo "playback_bench.py exited with $?"; else echo "ffmpeg not found: playback_bench.py skipped"; fi
if command -v ffmpeg >/dev/null 2>&1; then /usr/bin/python3 bench/face_detect_bench.py --sluice "$build/sluice" || echo "face_detect_bench.py exited with $?"; else echo "ffmpeg not found: face_detect_bench.py skipped"; fi
