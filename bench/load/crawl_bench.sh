#!/usr/bin/env bash
# Crawl benchmark (bench/load/README.md, "Crawl"): `riptide crawl` over a generated local site of
# --pages articles (bench/load/crawl_site_server) with politeness delays at zero, end to end:
# fetch + extraction in the sandbox + writing JSONL. Not a CTest test: it wants a quiet machine.
# Reports, as a Markdown table: pages/s (output lines over the crawl's wall time), the CPU time
# and average CPU use of the crawl and of the site server, and whether the output has one line
# per page (the check fails the script).
#
# usage: bench/load/crawl_bench.sh [--pages N] [--host-concurrency N] [--runs N]
#                                  [--build-dir DIR] [--no-build] [--perf]
# Defaults: 10000 pages, --host-concurrency 16, 1 run, build/release built first.
# --perf records the crawl with `perf record -g` into crawl.perf.data in the current directory
# and prints the top of `perf report` (where the time goes when the rate falls short).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pages=10000
host_concurrency=16
runs=1
# Deep enough for the whole generated site (its articles form a 4-ary tree plus cross links:
# about 8 levels for 10 000 pages), so max-pages is what ends the crawl.
max_depth=50
build_dir="$repo/build/release"
build=1
perf=0
# How long the site server may take to print its address.
start_timeout_s=30

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages="$2"; shift 2 ;;
    --host-concurrency) host_concurrency="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --perf) perf=1; shift ;;
    -h|--help) usage ;;
    *) echo "crawl_bench.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
for n in "$pages" "$host_concurrency" "$runs"; do
  case "$n" in ''|*[!0-9]*|0) echo "crawl_bench.sh: '$n' is not a positive whole number" >&2; exit 2 ;; esac
done

. "$here/common.sh"
build_targets riptide crawl_site_server
riptide="$build_dir/riptide"
site_server="$build_dir/bench/load/crawl_site_server"
[ -x "$riptide" ] || { echo "crawl_bench.sh: no riptide binary at $riptide" >&2; exit 1; }
[ -x "$site_server" ] || { echo "crawl_bench.sh: no crawl_site_server at $site_server" >&2; exit 1; }

ticks_per_s=$(getconf CLK_TCK)

printf '| run | pages | wall s | pages/s | crawl CPU s | crawl CPU %% | site CPU s | site CPU %% |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for run in $(seq 1 "$runs"); do
  # A fresh site per run: its request log starts empty and its connections are new.
  "$site_server" --pages "$pages" --port 0 >"$tmp/site.out" 2>"$tmp/site.err" &
  server_pid=$!
  url=""
  for _ in $(seq 1 $((start_timeout_s * 10))); do
    url=$(sed -n 's/^listening on \(http:[^ ]*\) .*/\1/p' "$tmp/site.out")
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/site.err" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "crawl_bench.sh: the site server did not start" >&2; exit 1; }

  out="$tmp/crawl.jsonl"
  rm -f "$out"
  crawl=("$riptide" crawl "$url/" --max-pages "$pages" --delay 0
    --host-concurrency "$host_concurrency" --max-depth "$max_depth" --allow-private-networks
    --output "$out")
  if [ "$perf" -eq 1 ]; then
    crawl=(perf record -g -o crawl.perf.data -- "${crawl[@]}")
  fi
  site_before=$(cpu_ticks "$server_pid")
  start=$(date +%s.%N)
  # GNU time: the crawl's own user + system CPU seconds (children included: there are none).
  /usr/bin/time -f '%U %S' -o "$tmp/crawl.time" "${crawl[@]}" >"$tmp/crawl.out" 2>"$tmp/crawl.err" ||
    { echo "crawl_bench.sh: riptide crawl failed:" >&2; tail -20 "$tmp/crawl.err" >&2; exit 1; }
  end=$(date +%s.%N)
  site_after=$(cpu_ticks "$server_pid")
  kill -TERM "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""

  lines=$(wc -l <"$out")
  read -r user sys <"$tmp/crawl.time"
  awk -v run="$run" -v lines="$lines" -v start="$start" -v end="$end" -v user="$user" \
    -v sys="$sys" -v before="$site_before" -v after="$site_after" -v hz="$ticks_per_s" 'BEGIN {
      wall = end - start; crawl_cpu = user + sys; site_cpu = (after - before) / hz
      printf "| %d | %d | %.2f | %.0f | %.2f | %.0f | %.2f | %.0f |\n", run, lines, wall,
        lines / wall, crawl_cpu, 100 * crawl_cpu / wall, site_cpu, 100 * site_cpu / wall }'
  if [ "$lines" -ne "$pages" ]; then
    echo "crawl_bench.sh: the output has $lines lines, expected $pages" >&2
    exit 1
  fi
  # Every line must be a page with a record: a failed page would make the rate meaningless.
  failed=$(grep -vc '"error":null' "$out" || true)
  if [ "$failed" -ne 0 ]; then
    echo "crawl_bench.sh: $failed of $lines lines are errors" >&2
    grep -v -m3 '"error":null' "$out" | cut -c1-400 >&2
    exit 1
  fi
done
if [ "$perf" -eq 1 ]; then
  perf report -i crawl.perf.data --no-children --percent-limit 1.5 --stdio 2>/dev/null | head -60
fi
