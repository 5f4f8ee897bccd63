#!/bin/sh
# CLI check for `riptide parse`: --tree output of every tests/cli/parse_tree/*.html must equal the
# html5lib tree format in the matching .tree file, and a missing file must fail with exit code 1
# and a message on stderr.
# Usage: parse_tree_test.sh RIPTIDE_BINARY CASES_DIR
set -u
riptide="$1"
dir="$2"
failures=0
tmp=$(mktemp)
for input in "$dir"/*.html; do
  expected="${input%.html}.tree"
  if ! "$riptide" parse --tree "$input" > "$tmp.out" 2> "$tmp.err"; then
    echo "FAIL $input: exit code $?"; cat "$tmp.err"; failures=$((failures + 1)); continue
  fi
  if ! diff -u "$expected" "$tmp.out"; then
    echo "FAIL $input: tree differs"; failures=$((failures + 1))
  fi
done
"$riptide" parse "$dir/does-not-exist.html" > "$tmp.out" 2> "$tmp.err"
code=$?
if [ "$code" -ne 1 ] || ! grep -q "does-not-exist.html" "$tmp.err"; then
  echo "FAIL missing file: exit code $code, stderr: $(cat "$tmp.err")"
  failures=$((failures + 1))
fi
"$riptide" parse "$dir/adoption.html" > "$tmp.out" || failures=$((failures + 1))
if ! grep -q "adoption.html: 17 bytes, 10 nodes" "$tmp.out"; then
  echo "FAIL summary line: $(cat "$tmp.out")"; failures=$((failures + 1))
fi
rm -f "$tmp.out" "$tmp.err"
[ "$failures" -eq 0 ] && echo "parse --tree: all cases passed"
exit "$failures"
