#!/usr/bin/env bash
# Sets up a fresh machine, builds everything and runs all tests (the README's second command;
# .ci/run calls exactly this). Heavy runs (fuzzing, soak, load) are not part of it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
jobs="${RIPTIDE_JOBS:-2}"

echo "== format check"
bash scripts/check-format.sh

echo "== native build (dev preset, -Werror) and tests"
cmake --preset dev
cmake --build --preset dev -j"$jobs"
ctest --preset dev -j"$jobs" --label-exclude heavy

echo "== wasm32-wasi build of the portable layers"
cmake --preset wasm
cmake --build --preset wasm -j"$jobs"

echo "== all tests passed"
