#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang-14, ASan+UBSan) and runs each for a while.
#   scripts/fuzz.sh [SECONDS] [FUZZER...]   default: 600 s each, every fuzzer in tests/fuzz, in turn
# The seed corpus in tests/fuzz/corpus/<name> is copied to fuzz-out/<name>/corpus, so new inputs
# never pollute the repository; crashes land in fuzz-out/<name>/. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
fuzzers=("$@")
if [ ${#fuzzers[@]} -eq 0 ]; then
  mapfile -t fuzzers < <(sed -n 's/^riptide_fuzzer(\([a-z_0-9]*\).*/\1/p' tests/fuzz/CMakeLists.txt)
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"${RIPTIDE_JOBS:-2}" --target "${fuzzers[@]}"
for f in "${fuzzers[@]}"; do
  out="fuzz-out/$f"
  mkdir -p "$out/corpus"
  cp -n tests/fuzz/corpus/"$f"/* "$out/corpus/" 2>/dev/null || true
  echo "== $f for ${seconds}s"
  (cd "$out" && "../../build/fuzz/tests/fuzz/$f" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 corpus 2>&1 | tail -n 20) \
    | tee "$out/last-run.txt" | grep -E "stat::number_of_executed_units|Done|ERROR|SUMMARY" || true
done
