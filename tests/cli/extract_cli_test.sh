#!/bin/sh
# `riptide extract` on the bundled sample page (the README's main job): the JSON record carries the
# title, language and the visible text without scripts, styles or head content.
# usage: extract_cli_test.sh RIPTIDE SAMPLE_HTML
set -u
riptide="$1"
sample="$2"
fail=0
out=$("$riptide" extract "$sample" --url https://example.org/a) || { echo "extract failed"; exit 1; }
check() {
  if printf '%s' "$out" | grep -q -- "$1"; then :; else echo "missing: $1"; fail=1; fi
}
reject() {
  if printf '%s' "$out" | grep -q -- "$1"; then echo "unexpected: $1"; fail=1; fi
}
check '"url": "https://example.org/a"'
check '"title": "River survey finds otters back in the upper valley – The Valley Courier"'
check '"language": "en"'
check 'found fresh tracks & spraints at fourteen of them.'
check 'Mill to bridge 8 5'
reject 'window.analytics'
reject 'font-family'
text=$("$riptide" extract --format text < "$sample") || { echo "stdin extract failed"; exit 1; }
printf '%s' "$text" | grep -q '^Otters have returned' || { echo "text format: paragraph missing"; fail=1; }
if "$riptide" extract /nonexistent/file.html >/dev/null 2>&1; then
  echo "a missing file must fail"; fail=1
fi
exit $fail
