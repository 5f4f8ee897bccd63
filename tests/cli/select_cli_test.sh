#!/bin/sh
# `riptide select` end to end: output, exit codes, stdin, and decoding of a windows-1252 file.
# Usage: select_cli_test.sh RIPTIDE FIXTURE
riptide="$1"
page="$2"
failures=0

expect() {  # expect NAME WANT_RC WANT_STDOUT WANT_STDERR_SUBSTRING -- ARGS...
  name="$1" want_rc="$2" want_out="$3" want_err="$4"
  shift 5
  out=$("$riptide" select "$@" 2>/tmp/riptide_select_err.$$)
  rc=$?
  err=$(cat /tmp/riptide_select_err.$$)
  rm -f /tmp/riptide_select_err.$$
  if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
    printf 'FAIL %s: rc=%s (want %s)\n--- stdout\n%s\n--- want\n%s\n' \
      "$name" "$rc" "$want_rc" "$out" "$want_out"
    failures=$((failures + 1))
  elif [ -n "$want_err" ] && ! printf '%s' "$err" | grep -qF -- "$want_err"; then
    printf 'FAIL %s: stderr %s lacks %s\n' "$name" "$err" "$want_err"
    failures=$((failures + 1))
  fi
}

nl='
'
expect matches 0 "<li class=\"a\">One${nl}</li>${nl}<li class=\"a\">Café${nl}</li>" "" -- 'li.a' "$page"
expect document_order 0 "<title>Select fixture</title>${nl}<b>three</b>" "" -- 'b, title' "$page"
expect no_match 0 "" "" -- 'nav' "$page"
expect bad_selector 2 "" "unknown pseudo-class :hover at 2" -- 'li:hover' "$page"
expect bad_selector_first 2 "" "unexpected ')' at 3" -- 'div)' /nonexistent/file.html
expect unreadable 1 "" "cannot open /nonexistent/file.html" -- 'p' /nonexistent/file.html
out=$(printf '<div><p>a</p></div><div>b</div>' | "$riptide" select 'div:has(> p)' -)
if [ "$out" != "<div><p>a</p></div>" ]; then
  printf 'FAIL stdin: %s\n' "$out"
  failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "riptide select: all cases passed"
