#!/usr/bin/env bash
# Sets up a fresh machine, builds riptide (release) and runs the main job on the bundled sample
# page (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release -j"${RIPTIDE_JOBS:-2}" --target riptide
./build/release/riptide extract samples/article.html --url https://example.org/news/river-survey
