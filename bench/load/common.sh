# Shared by the load benchmarks (run.sh, crawl_bench.sh); sourced, not run. Callers set `repo`,
# `build_dir` and `build` (1: build first) before sourcing.

# build_targets TARGET...: builds the targets in $build_dir when $build is 1 (the release preset,
# configured first, when $build_dir is the preset's).
build_targets() {
  [ "$build" -eq 1 ] || return 0
  if [ "$build_dir" = "$repo/build/release" ]; then
    (cd "$repo" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target "$@")
  else
    cmake --build "$build_dir" -j2 --target "$@"
  fi
}

# A temporary directory and the server under test (set server_pid once started), both cleaned up
# on exit: the server gets SIGTERM and is waited for.
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# cpu_ticks PID: the process's CPU time so far (user + system, clock ticks; proc(5) stat fields 14
# and 15, counted after the parenthesised command name, which may contain spaces).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
