#!/bin/sh
# `riptide config`: prints the effective configuration as TOML with each layer applied (file <
# environment < flags), reads its own output back unchanged, and refuses mistakes with exit 2
# (unknown key, unknown RIPTIDE_* variable, bad flag value) or 1 (missing file).
# Usage: config_cli_test.sh RIPTIDE
riptide="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() {
  printf 'FAIL %s\n' "$1"
  failures=$((failures + 1))
}
# Only this test's variables: an unknown RIPTIDE_* variable from the caller would be refused.
run() { env -i HOME="$dir/home" PATH="$PATH" "$@"; }

run "$riptide" config >"$dir/defaults.toml" 2>"$dir/err" || fail "defaults: exit $?: $(cat "$dir/err")"
grep -qx "port = 8080" "$dir/defaults.toml" || fail "defaults: no 'port = 8080'"
grep -qx "data_dir = '$dir/home/.local/state/riptide'" "$dir/defaults.toml" ||
  fail "defaults: data_dir is not under HOME: $(grep data_dir "$dir/defaults.toml")"

printf '[server]\nport = 1000\nhost = "0.0.0.0"\n[log]\nlevel = "warn"\n' >"$dir/c.toml"
run RIPTIDE_SERVER_PORT=2000 RIPTIDE_LOG_LEVEL=error "$riptide" config --config "$dir/c.toml" \
  --log-level debug >"$dir/out" 2>"$dir/err" || fail "layers: exit $?: $(cat "$dir/err")"
grep -qx "port = 2000" "$dir/out" || fail "environment did not override the file's port"
grep -qx "host = '0.0.0.0'" "$dir/out" || fail "the file's host is missing"
grep -qx "level = 'debug'" "$dir/out" || fail "the flag did not override the log level"

# The printed file is a valid configuration that prints the same again.
run "$riptide" config --config "$dir/out" >"$dir/again" 2>"$dir/err" ||
  fail "reading the printed file: $(cat "$dir/err")"
cmp -s "$dir/out" "$dir/again" || fail "the printed configuration does not read back unchanged"

printf '[server]\nprot = 1\n' >"$dir/typo.toml"
run "$riptide" config --config "$dir/typo.toml" >/dev/null 2>"$dir/err"
[ $? = 2 ] || fail "unknown key: exit is not 2"
grep -q "typo.toml:2:1: unknown key 'server.prot' (did you mean 'port'?)" "$dir/err" ||
  fail "unknown key message: $(cat "$dir/err")"

run RIPTIDE_SERVER_PROT=1 "$riptide" config >/dev/null 2>"$dir/err"
[ $? = 2 ] || fail "unknown variable: exit is not 2"
grep -q "RIPTIDE_SERVER_PROT: unknown environment variable" "$dir/err" ||
  fail "unknown variable message: $(cat "$dir/err")"

run "$riptide" config --port 70000 >/dev/null 2>"$dir/err"
[ $? = 2 ] || fail "--port 70000: exit is not 2"
run "$riptide" config --config "$dir/missing.toml" >/dev/null 2>"$dir/err"
[ $? = 1 ] || fail "missing file: exit is not 1"

[ "$failures" = 0 ] || exit 1
echo "config cli: ok"
