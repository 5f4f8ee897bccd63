#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "server/api_request.h"
#include "server/extract_service.h"
#include "server/http.h"

// Many pages for one request (POST /v1/batch and the compatibility batch routes; docs/api.md
// "Batches and streams"): at most `concurrency` items in flight, each fetched on the fetch pool
// and extracted on the worker pool, answered as one JSON document at the end or streamed (NDJSON
// lines, SSE events) the moment each item is ready.
//
//   launch ─▶ while in flight < concurrency, items left, client there, and the writer's pending
//             bytes under stream_buffer_bytes: submit the next item
//             pending bytes too high ─▶ when_writable(launch)          (backpressure)
//             pool full ─▶ the item waits; retried when another finishes, or after
//                          kCapacityRetryDelay when none is in flight  (never failed for it)
//   an item finishes ─▶ its line/event is written (JSON: kept in its slot) ─▶ launch
//   last item ─▶ the summary (JSON, SSE), finish
//   client gone ─▶ nothing new is launched; in-flight items finish unseen
namespace riptide::server {

class WorkPool;

// How a batch answers.
enum class BatchOutput : uint8_t {
  kJson,    // one application/json body {results: [...in input order], summary} at the end
  kNdjson,  // application/x-ndjson: one line per item as it finishes
  kSse,     // text/event-stream: result / error / progress events, then "done"
};

// The output an Accept header asks for: text/event-stream → kSse, application/x-ndjson →
// kNdjson, anything else → `fallback` (the route's default).
BatchOutput batch_output(std::string_view accept, BatchOutput fallback);

// Between attempts to hand an item to a full pool when nothing else of the batch is in flight.
inline constexpr std::chrono::milliseconds kCapacityRetryDelay{10};

// Runs callbacks after a delay on a thread of its own: how a batch waits for pool capacity
// without blocking an I/O thread or a pool thread. Callbacks still waiting when it is destroyed
// are dropped (their batches are being torn down with the server).
class DelayedRunner {
 public:
  DelayedRunner();
  ~DelayedRunner();
  DelayedRunner(const DelayedRunner&) = delete;
  DelayedRunner& operator=(const DelayedRunner&) = delete;

  void run_after(std::chrono::milliseconds delay, std::function<void()> fn);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point due;
    std::function<void()> fn;
  };
  void loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Entry> entries_;
  bool stopping_ = false;
  std::thread thread_;
};

// What a batch uses; every member outlives the batches (the server drains its pools first).
struct BatchEnv {
  ExtractService& service;
  WorkPool& fetchers;
  WorkPool& workers;
  DelayedRunner& delayed;
  size_t stream_buffer_bytes = kStreamBufferBytes;
};

struct BatchTotals {
  uint32_t total = 0;
  uint32_t succeeded = 0;
  uint32_t failed = 0;
  uint32_t skipped = 0;  // never started because the client went away
  double elapsed_ms = 0;
  uint64_t bytes_in = 0;  // HTML bytes extracted (usage accounting)
};

// Starts `request` and answers it through `writer`; returns at once. `on_done` runs once, on
// whichever thread finished the last item (or noticed the client gone with nothing in flight).
void run_batch(const BatchEnv& env, BatchRequest request, BatchOutput output,
               std::shared_ptr<ResponseWriter> writer,
               std::function<void(const BatchTotals&)> on_done = {});

}  // namespace riptide::server
