#!/usr/bin/env bash
# Load benchmark of `riptide serve` on loopback with wrk (bench/load/README.md). Not a CTest test:
# it takes minutes and wants a quiet machine. Reports, as a Markdown table:
#   - GET /health/live requests/s
#   - POST /v1/extract with the median-size corpus page in the JSON body: requests/s and p50/p99
#     latency at --connections, for --duration seconds after a warm-up
#   - the server's RSS (VmRSS) idle, after the warm-up and after the run
#   - the CLI baseline: single-process pages/s of `riptide extract --format jsonl` on copies of
#     the same page, and the server's rate as a % of twice that (both cores)
#
# usage: bench/load/run.sh [--duration S] [--health-duration S] [--warmup S] [--connections N]
#                          [--few-connections N] [--threads N] [--cli-pages N]
#                          [--build-dir DIR] [--no-build]
# Defaults: the full run (300 s of extract load, 20 s of health, 64 connections, 2 wrk threads)
# on build/release, built first. A quick check: --duration 60.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
duration=300
health_duration=20
warmup=10
connections=64
# A second, short extract run with this few connections shows the latency of one request when
# requests do not queue behind each other (at 64 connections latency is mostly queueing: by
# Little's law, connections / throughput).
few_connections=2
threads=2
cli_pages=1000
build_dir="$repo/build/release"
build=1
shared_dir="${RIPTIDE_SHARED_DIR:-$repo/../shared}"
# How long the server may take to print its address (the sandbox pool warms up first).
start_timeout_s=60

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --health-duration) health_duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --few-connections) few_connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --cli-pages) cli_pages="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
for n in "$duration" "$health_duration" "$warmup" "$connections" "$few_connections" "$threads" \
  "$cli_pages"; do
  case "$n" in ''|*[!0-9]*) echo "run.sh: '$n' is not a whole number" >&2; exit 2 ;; esac
done
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (scripts/setup.sh)" >&2; exit 1; }

. "$here/common.sh"
build_targets riptide
riptide="$build_dir/riptide"
[ -x "$riptide" ] || { echo "run.sh: no riptide binary at $riptide" >&2; exit 1; }

# The page: the corpus page closest to the median size (gunzipped bytes) among those that are
# UTF-8 already (a JSON body carries text) and have a real URL (the base for links).
page_info=$(python3 - "$shared_dir/corpus" "$tmp" <<'EOF'
import gzip, json, os, sys
corpus, out = sys.argv[1], sys.argv[2]
pages = []
with open(os.path.join(corpus, "pages.jsonl"), encoding="utf-8") as lines:
    for line in lines:
        page = json.loads(line)
        path = os.path.join(corpus, page["html"])
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            raw = f.read()
        pages.append((len(raw), page, raw))
pages.sort(key=lambda p: p[0])
median = pages[len(pages) // 2][0]
def usable(p):
    try:
        p[2].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return p[1]["url"].startswith(("http://", "https://"))
size, page, raw = min(filter(usable, pages), key=lambda p: abs(p[0] - median))
with open(os.path.join(out, "page.html"), "wb") as f:
    f.write(raw)
with open(os.path.join(out, "body.json"), "w", encoding="utf-8") as f:
    json.dump({"html": raw.decode("utf-8"), "url": page["url"]}, f)
print(page["id"], size, median, page["url"])
EOF
)
read -r page_id page_bytes median_bytes page_url <<<"$page_info"
echo "page: $page_id ($page_bytes bytes; corpus median $median_bytes) $page_url" >&2

# A key whose limits never bind, so every request measures the service, not the 429 path.
data="$tmp/data"
key=$("$riptide" keys create --name load-bench --rate-per-minute 1000000000 --burst 1000000 \
  --concurrency 100000 --data-dir "$data" 2>/dev/null)

"$riptide" serve --port 0 --data-dir "$data" >"$tmp/serve.out" 2>"$tmp/serve.err" &
server_pid=$!
base=""
for _ in $(seq $((start_timeout_s * 10))); do
  base=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$tmp/serve.out")
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "run.sh: riptide serve did not start; its log:" >&2
  tail -n 20 "$tmp/serve.err" >&2
  exit 1
fi
echo "server: $base (pid $server_pid)" >&2

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }

# One request first: a load test of error responses would measure nothing useful.
status=$(python3 - "$base/v1/extract" "$key" "$tmp/body.json" "$tmp/first.json" <<'EOF'
import sys, urllib.error, urllib.request
url, key, body, out = sys.argv[1:]
with open(body, "rb") as f:
    request = urllib.request.Request(url, data=f.read(), method="POST", headers={
        "Authorization": "Bearer " + key, "Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        status, data = response.status, response.read()
except urllib.error.HTTPError as error:
    status, data = error.code, error.read()
with open(out, "wb") as f:
    f.write(data)
print(status)
EOF
)
if [ "$status" != 200 ]; then
  echo "run.sh: POST /v1/extract answered $status:" >&2
  head -c 500 "$tmp/first.json" >&2
  echo >&2
  exit 1
fi

# run_wrk NAME SECONDS PATH [BODY [CONNECTIONS]]: prints the RESULT line's fields; wrk's report
# goes to NAME.txt.
run_wrk() {
  local c="${5:-$connections}"
  RIPTIDE_BODY="${4:-}" RIPTIDE_KEY="$key" wrk -t"$((threads < c ? threads : c))" -c"$c" -d"$2"s \
    --timeout 10s -s "$here/report.lua" "$base$3" >"$tmp/$1.txt" 2>&1 || {
    echo "run.sh: wrk failed:" >&2; cat "$tmp/$1.txt" >&2; exit 1; }
  sed -n 's/^RESULT //p' "$tmp/$1.txt"
}
# field NAME FIELDS: the value of NAME=... in a RESULT line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
per_second() { awk -v n="$(field requests "$1")" -v us="$(field duration_us "$1")" \
  'BEGIN {printf "%.0f", n / (us / 1e6)}'; }
ms() { awk -v us="$(field "$1" "$2")" 'BEGIN {printf "%.1f", us / 1000}'; }

rss_idle=$(rss_kib)
echo "GET /health/live for ${health_duration}s..." >&2
health=$(run_wrk health "$health_duration" /health/live)
echo "POST /v1/extract warm-up ${warmup}s..." >&2
run_wrk warmup "$warmup" /v1/extract "$tmp/body.json" >/dev/null
# RSS during the run: one reading every rss_every seconds. The allocator's footprint swings by a
# few percent from second to second under this load, so one reading at each end can show growth
# that is not there; the start and end values are the medians of the first and last sixth of the
# readings.
rss_every=5
cpu_before=$(cpu_ticks "$server_pid")
(while kill -0 "$server_pid" 2>/dev/null; do rss_kib; sleep "$rss_every"; done) \
  >"$tmp/rss.txt" 2>/dev/null &
sampler_pid=$!
echo "POST /v1/extract for ${duration}s..." >&2
extract=$(run_wrk extract "$duration" /v1/extract "$tmp/body.json")
cpu_after=$(cpu_ticks "$server_pid")
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
median() { sort -n | awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : 0)}'; }
rss_samples=$(grep -c . "$tmp/rss.txt" || true)
if [ "${rss_samples:-0}" -ge 2 ]; then
  rss_window=$((rss_samples / 6 > 0 ? rss_samples / 6 : 1))
  rss_before=$(head -n "$rss_window" "$tmp/rss.txt" | median)
  rss_after=$(tail -n "$rss_window" "$tmp/rss.txt" | median)
else
  rss_window=1
  rss_before=$(rss_kib)
  rss_after=$rss_before
fi
echo "POST /v1/extract at $few_connections connections for ${health_duration}s..." >&2
few=$(run_wrk few "$health_duration" /v1/extract "$tmp/body.json" "$few_connections")
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""

# CLI baseline: one process extracting cli_pages copies of the page, one after another.
mkdir "$tmp/copies"
for i in $(seq "$cli_pages"); do ln -s "$tmp/page.html" "$tmp/copies/$i.html"; done
echo "CLI baseline: riptide extract --format jsonl on $cli_pages copies..." >&2
TIMEFORMAT='%R %U %S'
cli_times=$( { time "$riptide" extract --format jsonl --url "$page_url" "$tmp/copies/"*.html \
  >"$tmp/cli.jsonl" 2>"$tmp/cli.err"; } 2>&1) || {
  echo "run.sh: riptide extract failed:" >&2; head -n 5 "$tmp/cli.err" >&2; exit 1; }
read -r cli_wall cli_user cli_sys <<<"$cli_times"
cli_lines=$(wc -l <"$tmp/cli.jsonl")
[ "$cli_lines" -eq "$cli_pages" ] || { echo "run.sh: CLI printed $cli_lines records" >&2; exit 1; }
cli_rate=$(awk -v n="$cli_pages" -v t="$cli_wall" 'BEGIN {printf "%.0f", n / t}')
# Per CPU-second: what the work costs, whatever else the machine was doing meanwhile.
cli_cpu_rate=$(awk -v n="$cli_pages" -v u="$cli_user" -v s="$cli_sys" \
  'BEGIN {printf "%.0f", n / (u + s)}')

health_rate=$(per_second "$health")
extract_rate=$(per_second "$extract")
share=$(awk -v s="$extract_rate" -v c="$cli_rate" 'BEGIN {printf "%.0f", 100 * s / (2 * c)}')
server_cpu_rate=$(awk -v n="$(field requests "$extract")" -v a="$cpu_before" -v b="$cpu_after" \
  -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", n / ((b - a) / hz)}')
growth=$(awk -v a="$rss_before" -v b="$rss_after" 'BEGIN {printf "%+.1f", 100 * (b - a) / a}')
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+dirty" || true)

cat <<EOF

riptide load benchmark — commit $commit$dirty, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end
page: $page_id ($page_bytes bytes, corpus median $median_bytes); wrk -t$threads -c$connections

| measure | result | target |
|---|---|---|
| GET /health/live (${health_duration} s) | $health_rate req/s (non-2xx $(field non2xx "$health"), socket errors $(field socket_errors "$health")) | ≥ 20 000 req/s |
| POST /v1/extract (${duration} s) | $extract_rate req/s (non-2xx $(field non2xx "$extract"), socket errors $(field socket_errors "$extract")) | |
| CLI \`riptide extract\`, one process | $cli_rate pages/s ($cli_cpu_rate per CPU-second) | |
| /v1/extract vs 2 × CLI | $share % | ≥ 70 % |
| server requests per CPU-second (vs the CLI's pages per CPU-second) | $server_cpu_rate ($cli_cpu_rate) | |
| /v1/extract latency p50 / p90 / p99 / max | $(ms p50_us "$extract") / $(ms p90_us "$extract") / $(ms p99_us "$extract") / $(ms max_us "$extract") ms | p99 ≤ 50 ms |
| the same at $few_connections connections (${health_duration} s, $(per_second "$few") req/s) | $(ms p50_us "$few") / $(ms p90_us "$few") / $(ms p99_us "$few") / $(ms max_us "$few") ms | |
| server RSS idle / start / end of the ${duration} s run (medians of $rss_window of $rss_samples readings, every ${rss_every} s) | $(mib "$rss_idle") / $(mib "$rss_before") / $(mib "$rss_after") MiB ($growth %) | ≤ +10 % |
EOF
