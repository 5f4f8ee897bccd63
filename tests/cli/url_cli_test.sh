#!/bin/sh
# `riptide url` end to end: one JSON line per URL, --base, --normalize, errors and exit codes.
# Usage: url_cli_test.sh RIPTIDE
riptide="$1"
failures=0

expect() {  # expect NAME WANT_RC WANT_STDOUT -- ARGS...
  name="$1" want_rc="$2" want_out="$3"
  shift 4
  out=$("$riptide" url "$@" 2>/dev/null)
  rc=$?
  if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
    printf 'FAIL %s: rc=%s (want %s)\n--- stdout\n%s\n--- want\n%s\n' \
      "$name" "$rc" "$want_rc" "$out" "$want_out"
    failures=$((failures + 1))
  fi
}

nl='
'
full='{"href":"https://u:p@example.com:8443/b?q=1#f","protocol":"https:","username":"u","password":"p","host":"example.com:8443","hostname":"example.com","port":"8443","pathname":"/b","search":"?q=1","hash":"#f","origin":"https://example.com:8443"}'
expect components 0 "$full" -- 'HTTPS://u:p@Example.COM:8443/a/../b?q=1#f'
rel='{"href":"https://ex.com/a/c","protocol":"https:","username":"","password":"","host":"ex.com","hostname":"ex.com","port":"","pathname":"/a/c","search":"","hash":"","origin":"https://ex.com"}'
dash='{"href":"https://ex.com/a/-x","protocol":"https:","username":"","password":"","host":"ex.com","hostname":"ex.com","port":"","pathname":"/a/-x","search":"","hash":"","origin":"https://ex.com"}'
expect base 0 "${rel}${nl}${dash}" -- --base https://ex.com/a/b -- c -x
norm='{"href":"http://h/p?id=2","protocol":"http:","username":"","password":"","host":"h","hostname":"h","port":"","pathname":"/p","search":"?id=2","hash":"","origin":"http://h"}'
expect normalize 0 "$norm" -- --normalize -- 'http://H:80/p?utm_source=x&id=2#top'
err='{"input":"http://[::1","error":"invalid_argument: IPv6 address is missing its closing '"']'"': [::1"}'
ok='{"href":"http://xn--bcher-kva.de/","protocol":"http:","username":"","password":"","host":"xn--bcher-kva.de","hostname":"xn--bcher-kva.de","port":"","pathname":"/","search":"","hash":"","origin":"http://xn--bcher-kva.de"}'
expect one_bad_one_good 1 "${err}${nl}${ok}" -- 'http://[::1' 'http://Bücher.de'
expect relative_without_base 1 '{"input":"a/b","error":"invalid_argument: relative URL without a base: a/b"}' -- a/b
expect bad_base 1 '{"input":"nope","error":"invalid_argument: invalid base URL: relative URL without a base: nope"}' -- --base nope -- x

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "url cli: all passed"
