-- wrk script for bench/load/run.sh: an optional JSON POST body and API key from the environment,
-- and one machine-readable RESULT line at the end (wrk's own report stays human-only).
--   RIPTIDE_BODY  file whose bytes are POSTed as application/json (unset: GET)
--   RIPTIDE_KEY   API key sent as "Authorization: Bearer <key>" (unset: no header)
local body_path = os.getenv("RIPTIDE_BODY")
if body_path and body_path ~= "" then
  local file = assert(io.open(body_path, "rb"))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end
local key = os.getenv("RIPTIDE_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
