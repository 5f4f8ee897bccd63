#!/bin/sh
# `riptide serve` end to end: prints one "listening on" line with the real port (--port 0),
# answers the health routes, exits 0 on SIGTERM after logging each shutdown phase and flushing the
# store; an unusable address exits 1 with a message, a bad configuration value 2.
# Usage: serve_cli_test.sh RIPTIDE
riptide="$1"
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
failures=0
fail() {
  printf 'FAIL %s\n' "$1"
  failures=$((failures + 1))
}

"$riptide" serve --port 0 --data-dir "$dir/data" --no-auth >"$dir/out" 2>"$dir/err" &
pid=$!
# The sandbox pool warms up before the line appears; allow a slow machine 30 s.
i=0
while [ ! -s "$dir/out" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
line=$(cat "$dir/out")
case "$line" in
  "listening on http://127.0.0.1:"[0-9]*) ;;
  *) fail "listening line: '$line'"; cat "$dir/err"; exit 1 ;;
esac
port=${line##*:}
[ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || fail "stdout has more than one line"

body=$(curl -s "http://127.0.0.1:$port/health/live")
[ "$body" = '{"status":"ok"}' ] || fail "/health/live: $body"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")
[ "$code" = 200 ] || fail "/health/ready: $code"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^riptide_http_requests_total{' ||
  fail "/metrics has no riptide_http_requests_total"
grep -q '"event":"auth_disabled"' "$dir/err" || fail "--no-auth was not logged as a warning"

kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
  fail "still running 10 s after SIGTERM"
else
  wait "$pid"
  rc=$?
  [ "$rc" = 0 ] || fail "exit code after SIGTERM: $rc"
fi
for event in '"event":"signal"' '"msg":"in-flight requests finished"' '"msg":"stopped"' \
  '"event":"store_flushed"' '"event":"access"'; do
  grep -q "$event" "$dir/err" || fail "stderr lacks $event"
done
# Every stderr line is one JSON object.
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$dir/err" ||
    fail "stderr is not JSON lines"
fi

# A bad host is refused before serving.
"$riptide" serve --host not-an-ip --port 0 --data-dir "$dir/data" >"$dir/out2" 2>"$dir/err2"
rc=$?
[ "$rc" = 1 ] || fail "bad host: exit $rc"
grep -q 'host must be an IP address' "$dir/err2" || fail "bad host: no message"
[ ! -s "$dir/out2" ] || fail "bad host: printed a listening line"

# A configuration error (from cli/config_file.h) is a usage error.
"$riptide" serve --port 99999 --data-dir "$dir/data" >"$dir/out3" 2>"$dir/err3"
rc=$?
[ "$rc" = 2 ] || fail "bad port: exit $rc"
grep -q -- '--port' "$dir/err3" || fail "bad port: message does not name --port"

[ $failures = 0 ] && echo "serve_cli_test: ok"
exit $failures
