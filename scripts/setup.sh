#!/usr/bin/env bash
# Installs every Debian package riptide needs to build, test and run. Idempotent; run as root on a
# fresh Debian 12 (bookworm). Nothing is downloaded during the build itself.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 lld-14 clang-format clang-tidy
  # wasm32-wasi cross build of the portable layers, and wasm2c for the sandbox
  wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32 wabt
  # fuzzing and sanitizers with clang
  libfuzzer-14-dev libclang-rt-14-dev
  # tests and benchmarks (gumbo is a benchmark baseline only, never linked into riptide)
  libgtest-dev libgmock-dev libbenchmark-dev libgumbo-dev
  # host libraries
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev zlib1g-dev libbrotli-dev libzstd-dev
  libboost-dev libsqlite3-dev libhiredis-dev redis-server libcld2-dev
  # metrics registry (src/sandbox/metrics.h; the server exposes it at /metrics)
  prometheus-cpp-dev
  # service: TOML config (header-only toml++), SHA-256 of API keys (libcrypto), load tests (wrk)
  libtomlplusplus-dev libssl-dev wrk
  # the README's "try it" calls
  curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: installed ${#missing[@]} packages"
