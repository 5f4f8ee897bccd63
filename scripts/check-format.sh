#!/usr/bin/env bash
# Fails when a C++ source file in the repository is not clang-formatted.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r -d '' f; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=1
  fi
done < <(git ls-files -z -- '*.cc' '*.h' 2>/dev/null || find src tests bench -name '*.cc' -o -name '*.h' -print0)
exit $bad
