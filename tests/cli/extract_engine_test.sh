#!/bin/sh
# `riptide extract --engine wasm|native` prints the same output: the sample article and several
# golden pages (different encodings, tables, code, modes) in JSON, Markdown and text. The only
# fields allowed to differ are stats.time_ms (the clock) and stats.memory_pages (guest memory,
# 0 natively). Also: the sandbox is the default engine, and an unknown engine is a usage error.
# usage: extract_engine_test.sh RIPTIDE SAMPLE_HTML GOLDEN_CASES_DIR
set -u
riptide="$1"
sample="$2"
cases="$3"
fail=0
tmp="${TMPDIR:-/tmp}/riptide_engine_test.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# Pretty JSON puts each stat on its own line; drop the two host-dependent ones.
strip_stats() { grep -v -e '"time_ms": ' -e '"memory_pages": ' "$1"; }

compare() {  # name, then the extract arguments
  name="$1"
  shift
  "$riptide" extract "$@" --engine native >"$tmp/native" 2>"$tmp/native.err" ||
    { echo "$name: native failed: $(cat "$tmp/native.err")"; fail=1; return; }
  "$riptide" extract "$@" --engine wasm >"$tmp/wasm" 2>"$tmp/wasm.err" ||
    { echo "$name: wasm failed: $(cat "$tmp/wasm.err")"; fail=1; return; }
  strip_stats "$tmp/native" >"$tmp/native.s"
  strip_stats "$tmp/wasm" >"$tmp/wasm.s"
  if ! cmp -s "$tmp/native.s" "$tmp/wasm.s"; then
    echo "$name: wasm and native output differ:"
    diff "$tmp/native.s" "$tmp/wasm.s" | head -n 20
    fail=1
  fi
}

compare sample "$sample" --url https://example.org/news/river-survey
compare sample-markdown "$sample" --format markdown
compare sample-text "$sample" --format text
compare sample-full "$sample" --mode full
compare sample-custom "$sample" --mode custom --selector table --selector h2
for c in blog_sourdough ja_news_shift_jis ru_article_koi8r table_nutrition_rowspan \
    code_python_tutorial forum_phpbb_tables zh_blog_gbk; do
  [ -f "$cases/$c/input.html" ] || { echo "missing golden case $c"; fail=1; continue; }
  compare "$c" "$cases/$c/input.html" --url "https://golden.example/$c/"
done

# The sandbox is the default and reports its guest memory; native reports none.
"$riptide" extract "$sample" >"$tmp/default" || { echo "default engine failed"; fail=1; }
grep -q '"memory_pages": [1-9]' "$tmp/default" ||
  { echo "default engine is not the sandbox (memory_pages is 0)"; fail=1; }
"$riptide" extract "$sample" --engine native >"$tmp/native" || fail=1
grep -q '"memory_pages": 0' "$tmp/native" || { echo "native reports guest memory"; fail=1; }

if "$riptide" extract "$sample" --engine v8 >/dev/null 2>"$tmp/err"; then
  echo "unknown engine accepted"; fail=1
fi
grep -q -- '--engine' "$tmp/err" || { echo "unknown engine: the error does not name --engine"; fail=1; }
exit $fail
