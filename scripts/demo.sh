#!/usr/bin/env bash
# The README's first command: sets up a fresh machine, builds riptide (release), extracts the
# bundled sample page once, then runs the service on http://127.0.0.1:8080 in the foreground with
# a freshly created API key, printing the curl calls to try. Ctrl-C (or SIGTERM) stops it
# gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release -j"${RIPTIDE_JOBS:-2}" --target riptide
riptide=./build/release/riptide

echo "== riptide extract on the bundled sample page"
"$riptide" extract samples/article.html --url https://example.org/news/river-survey --format markdown | head -n 12
echo "..."

data_dir="${RIPTIDE_DATA_DIR:-$PWD/.riptide-demo}"
port="${RIPTIDE_SERVER_PORT:-8080}"
key=$("$riptide" keys create --name demo --data-dir "$data_dir" 2>/dev/null)

cat <<MSG

== riptide serve on http://127.0.0.1:$port (data in $data_dir). In another terminal try:

  export RIPTIDE_KEY=$key
  curl -s localhost:$port/health
  curl -s localhost:$port/v1/extract -H "Authorization: Bearer \$RIPTIDE_KEY" \\
       -H 'Content-Type: application/json' \\
       -d '{"html": "<html><head><title>Hi</title></head><body><article><h1>Hi</h1><p>Hello, riptide. This paragraph is the article.</p></article></body></html>", "formats": ["markdown", "metadata"]}'
  curl -s localhost:$port/v1/extract -H "Authorization: Bearer \$RIPTIDE_KEY" \\
       -H 'Content-Type: application/json' -d '{"url": "https://example.org/"}'
  curl -sN localhost:$port/v1/batch -H "Authorization: Bearer \$RIPTIDE_KEY" \\
       -H 'Accept: application/x-ndjson' -H 'Content-Type: application/json' \\
       -d '{"urls": ["https://example.org/", "https://example.com/"]}'
  curl -s localhost:$port/metrics | head

Stop it with Ctrl-C.
MSG
exec "$riptide" serve --port "$port" --data-dir "$data_dir"
