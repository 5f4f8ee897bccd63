#!/bin/sh
# `riptide keys create|list|revoke` end to end on a temporary data directory: the key printed
# once on stdout and never stored, --json, the table and JSON listing, revocation by id and by
# prefix, the data directory from --data-dir, RIPTIDE_DATA_DIR or --config (as serve finds it),
# and the error exits.
# usage: keys_cli_test.sh RIPTIDE
set -u
riptide="$1"
fail=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
data="$dir/data"
err="$dir/stderr"
failed() { echo "FAIL: $*"; fail=1; }

# create: exactly the key on one stdout line; the notice on stderr.
key=$("$riptide" keys create --name "ci bot" --data-dir "$data" 2>"$err") || failed "create exit"
printf '%s\n' "$key" | grep -Eqx 'rt_[A-Za-z0-9_-]{43}' || failed "create printed '$key'"
[ "$(printf '%s\n' "$key" | wc -l)" -eq 1 ] || failed "create printed more than one line"
grep -q "only time the key is shown" "$err" || failed "create: no shown-once notice on stderr"
# Only the SHA-256 is stored: the key is nowhere in the data directory, its hash is.
if grep -rqF "$key" "$data"; then failed "the plaintext key was written to $data"; fi
hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
grep -rqF "$hash" "$data" || failed "the key's SHA-256 is not in $data"

# create --json: one JSON object with the key and its record.
json=$("$riptide" keys create --name ops --admin --rate-per-minute 120 --burst 10 \
  --concurrency 3 --json --data-dir "$data" 2>/dev/null) || failed "create --json exit"
admin_id=$(printf '%s' "$json" | python3 -c '
import json, re, sys
k = json.load(sys.stdin)
assert re.fullmatch(r"rt_[A-Za-z0-9_-]{43}", k["key"]), k
assert re.fullmatch(r"key_[0-9a-f]{8}", k["id"]), k
assert k["prefix"] == k["key"][:8] and k["name"] == "ops" and k["admin"] is True, k
assert (k["rate_per_minute"], k["burst"], k["concurrency"]) == (120, 10, 3), k
assert k["revoked_at"] is None and k["last_used_at"] is None, k
print(k["id"])') || failed "create --json output: $json"

# list: a header and one row per key; --json has the usage counters; RIPTIDE_DATA_DIR works.
table=$("$riptide" keys list --data-dir "$data") || failed "list exit"
[ "$(printf '%s\n' "$table" | wc -l)" -eq 3 ] || failed "list rows: $table"
printf '%s\n' "$table" | head -n 1 | grep -q '^ID  *NAME  *PREFIX  *ADMIN  *CREATED' ||
  failed "list header: $table"
printf '%s\n' "$table" | grep "ci bot" | grep -q " no .* never " || failed "list ci bot row"
printf '%s\n' "$table" | grep "$admin_id" | grep -q " yes " || failed "list admin row"
env_table=$(RIPTIDE_DATA_DIR="$data" "$riptide" keys list) || failed "list with env exit"
[ "$env_table" = "$table" ] || failed "RIPTIDE_DATA_DIR listed something else: $env_table"
printf '[store]\ndata_dir = "%s"\n' "$data" > "$dir/riptide.toml"
config_table=$("$riptide" keys list --config "$dir/riptide.toml") || failed "list --config exit"
[ "$config_table" = "$table" ] || failed "--config listed something else: $config_table"
printf '[store]\ndata_dirr = "x"\n' > "$dir/typo.toml"
"$riptide" keys list --config "$dir/typo.toml" >/dev/null 2>"$err" && failed "config typo accepted"
grep -q "data_dirr" "$err" || failed "config typo: $(cat "$err")"

check_list() {  # check_list PYTHON_ASSERTIONS (on `keys`, the parsed list)
  "$riptide" keys list --json --data-dir "$data" | python3 -c "
import json, sys
keys = {k['name']: k for k in json.load(sys.stdin)}
assert all(set(k['usage']) == {'requests', 'pages', 'errors', 'bytes_in', 'bytes_out'}
           for k in keys.values()), keys
$1" || failed "list --json: $1"
}
check_list "assert sorted(keys) == ['ci bot', 'ops'] and keys['ops']['id'] == '$admin_id'
assert keys['ci bot']['revoked_at'] is None and keys['ops']['revoked_at'] is None"

# revoke by id, then by the other key's shown prefix.
out=$("$riptide" keys revoke "$admin_id" --data-dir "$data") || failed "revoke by id exit"
[ "$out" = "revoked $admin_id" ] || failed "revoke printed '$out'"
check_list "assert keys['ops']['revoked_at'] is not None and keys['ci bot']['revoked_at'] is None"
prefix=$(printf '%s' "$key" | cut -c1-8)
"$riptide" keys revoke "$prefix" --data-dir "$data" >/dev/null || failed "revoke by prefix exit"
check_list "assert keys['ci bot']['revoked_at'] is not None"

# Errors: a clear message and exit code, nothing created.
"$riptide" keys revoke key_00000000 --data-dir "$data" >/dev/null 2>"$err" &&
  failed "revoke of an unknown id succeeded"
grep -q "not_found" "$err" || failed "revoke unknown: $(cat "$err")"
"$riptide" keys create --data-dir "$data" >/dev/null 2>&1 && failed "create without --name"
"$riptide" keys create --name "$(printf 'a\tb')" --data-dir "$data" >/dev/null 2>"$err" &&
  failed "create with a control character in the name"
grep -q "invalid_argument" "$err" || failed "bad name: $(cat "$err")"
"$riptide" keys create --name x --burst 0 --data-dir "$data" >/dev/null 2>&1 &&
  failed "create with --burst 0"
[ "$("$riptide" keys list --data-dir "$data" | wc -l)" -eq 3 ] || failed "a failed create stored a key"
touch "$dir/file"
"$riptide" keys list --data-dir "$dir/file" >/dev/null 2>"$err" && failed "list on a file as data dir"
grep -q "riptide keys list: " "$err" || failed "unusable data dir: $(cat "$err")"

if [ "$fail" -ne 0 ]; then exit 1; fi
echo "keys cli: all passed"
