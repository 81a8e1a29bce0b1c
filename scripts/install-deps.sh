#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything Sluice needs to build, run and test on Debian 12 / Ubuntu.
# Idempotent: packages already present are skipped, so a second run costs a few seconds.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev nlohmann-json3-dev libssl-dev libsqlite3-dev
  libgtest-dev libgmock-dev
  clang-14 libclang-rt-14-dev
  python3 python3-boto3 python3-pytest awscli
  wrk  # HTTP load generator for `make bench` (bench/kinesis_compare.py)
  # Media: GStreamer pipelines (RTSP pull, test sources), FFmpeg libraries and CLI (tests make media).
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-tools gstreamer1.0-rtsp
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev ffmpeg
  # Consumers: OpenCV (face detection, Haar cascades from opencv-data); a photo with a face for tests.
  libopencv-dev opencv-data python-matplotlib-data
  # Browser tests of playback and the console (driven by playwright-core from npm).
  chromium
)
# Node.js (for the web console build and npm-installed test tools): use the machine's if present.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
