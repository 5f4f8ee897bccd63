#!/bin/sh
# `riptide extract` end to end. The README's main job: the bundled sample article as JSON with its
# metadata and the article as Markdown and text, without the navigation, cookie banner, related
# links or footer. Also the other formats and modes, stdin, jsonl over several files, and the
# argument errors (unknown mode, invalid selector) with their exit codes.
# usage: extract_cli_test.sh RIPTIDE SAMPLE_HTML
set -u
riptide="$1"
sample="$2"
fail=0
out=$("$riptide" extract "$sample" --url https://example.org/news/river-survey) ||
  { echo "extract failed"; exit 1; }
check() {
  if printf '%s' "$out" | grep -q -- "$1"; then :; else echo "missing: $1"; fail=1; fi
}
reject() {
  if printf '%s' "$out" | grep -q -- "$1"; then echo "unexpected: $1"; fail=1; fi
}
check '"url": "https://example.org/news/river-survey"'
check '"title": "River survey finds otters back in the upper valley"'
check '"byline": "Mara Lindqvist"'
check '"published": "2026-11-20T08:30:00Z"'
check '"site_name": "The Valley Courier"'
check '"language": "en"'
check '"markdown": "Otters have returned to the upper reaches'
check 'found fresh tracks & spraints at fourteen of them.'
check '## What changed'
check '| Mill to bridge | 8 | 5 |'
check '"word_count": '
check '"quality_score": '
check '"input_bytes": '
for boilerplate in 'We use cookies' 'Herons nest early' 'Privacy' 'Sport' 'window.analytics' \
    'font-family'; do
  reject "$boilerplate"
done

# Formats; standard input when no file is given.
out=$("$riptide" extract --format text < "$sample") || { echo "stdin extract failed"; exit 1; }
printf '%s' "$out" | head -n 1 | grep -q '^Otters have returned' ||
  { echo "text format: first paragraph missing"; fail=1; }
reject '##'
out=$("$riptide" extract - --format markdown < "$sample") || { echo "markdown failed"; exit 1; }
check '^## What changed$'
check '^- Two weirs were fitted with fish passes in 2019.$'

# Modes.
out=$("$riptide" extract "$sample" --mode metadata) || { echo "metadata mode failed"; exit 1; }
check '"markdown": ""'
check '"title": "River survey finds otters back in the upper valley"'
out=$("$riptide" extract "$sample" --mode full --format text) || { echo "full mode failed"; exit 1; }
check 'Sport'
check 'Otters have returned'
out=$("$riptide" extract "$sample" --mode custom --selector 'table' --selector 'h2' \
  --format markdown) || { echo "custom mode failed"; exit 1; }
check '^## What changed$'
check '| Stretch | Sites | Sites with tracks |'
reject 'Otters'

# Several files: one JSON line each; a failing file reports its error and sets exit code 1.
out=$("$riptide" extract --format jsonl "$sample" /nonexistent/file.html "$sample")
code=$?
[ "$code" = 1 ] || { echo "jsonl with a missing file: exit $code, want 1"; fail=1; }
[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || { echo "jsonl: want 3 lines"; fail=1; }
printf '%s\n' "$out" | sed -n 2p | grep -q '"file":"/nonexistent/file.html","error":{"code":"io"' ||
  { echo "jsonl: error line wrong"; fail=1; }
printf '%s\n' "$out" | sed -n 3p | grep -q '"title":"River survey finds otters' ||
  { echo "jsonl: files after a failure must still be processed"; fail=1; }

# Argument errors.
"$riptide" extract "$sample" --mode readability >/dev/null 2>/tmp/riptide_extract_err.$$
code=$?
[ "$code" = 2 ] || { echo "unknown mode: exit $code, want 2"; fail=1; }
grep -q unsupported_mode /tmp/riptide_extract_err.$$ || { echo "unknown mode: no unsupported_mode"; fail=1; }
"$riptide" extract "$sample" --mode custom --selector 'p:hover' >/dev/null 2>/tmp/riptide_extract_err.$$
code=$?
[ "$code" = 2 ] || { echo "invalid selector: exit $code, want 2"; fail=1; }
grep -q 'p:hover' /tmp/riptide_extract_err.$$ || { echo "invalid selector not named"; fail=1; }
rm -f /tmp/riptide_extract_err.$$
if "$riptide" extract /nonexistent/file.html >/dev/null 2>&1; then
  echo "a missing file must fail"; fail=1
fi
exit $fail
