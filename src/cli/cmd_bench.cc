// `riptide bench sandbox [--corpus DIR] [--runs N]`: what the WebAssembly sandbox costs
// (docs/sandbox.md "Benchmark"). Prints
//   - instantiation: ExtractorInstance::create (module instantiation, _initialize, memory cap,
//     ABI check) and create + destroy, median and p90 over --instantiations runs;
//   - per-call overhead: the guest ABI `info` round trip (enter the guest, encode a small
//     result, bounds-check and decode it on the host), median over --calls calls;
//   - on every page of the corpus (decoded to UTF-8 first, not timed), article mode with HTML as
//     `riptide extract` runs it: the warm extraction time per page in the sandbox (one instance
//     reused) and natively, each the median of --runs interleaved runs, and the sandbox/native
//     ratio of the total and the median of the per-page ratios.
// Targets (issue 4, release build): instantiation <= 200 us, per-call <= 5 us,
// sandbox/native <= 1.4x, warm median corpus page <= 1.5 ms.
#include <zlib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/io.h"
#include "extract/extractor.h"
#include "fetch/charset.h"
#include "sandbox/config.h"
#include "sandbox/instance.h"
#include "sandbox/runtime.h"

namespace riptide::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::string corpus = RIPTIDE_SHARED_DIR "/corpus";
  int runs = 3;
  int instantiations = 200;
  int calls = 10'000;
};

double micros(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

// CPU time of the calling thread in microseconds. The guest runs on the calling thread, so this
// counts exactly the work of one call (page faults included) and not the time the thread waited
// for a core, which on a shared machine can dominate wall time.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Wall and CPU time of one measured step.
struct Timing {
  double wall_us = 0;
  double cpu_us = 0;
};

class Stopwatch {
 public:
  Stopwatch() : wall_(Clock::now()), cpu_(thread_cpu_us()) {}
  Timing lap() {
    auto wall = Clock::now();
    double cpu = thread_cpu_us();
    Timing t{micros(wall - wall_), cpu - cpu_};
    wall_ = wall;
    cpu_ = cpu;
    return t;
  }

 private:
  Clock::time_point wall_;
  double cpu_;
};

// The q-quantile (0..1) of `values` by nearest rank; 0 for none.
double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

// A corpus page file, gunzipped when its name ends in ".gz".
Result<std::string> read_page(const std::string& path) {
  if (path.size() < 3 || path.compare(path.size() - 3, 3, ".gz") != 0) return read_input(path);
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Error(ErrorCode::kIo, "cannot open " + path);
  std::string out;
  std::vector<char> buf(1 << 16);
  int n;
  while ((n = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
    out.append(buf.data(), static_cast<size_t>(n));
  }
  gzclose(gz);
  if (n < 0) return Error(ErrorCode::kIo, "corrupt gzip data in " + path);
  return out;
}

struct Page {
  std::string name;
  std::string html;  // UTF-8
};

// Every page listed in DIR/pages.jsonl ("html": path relative to DIR), decoded to UTF-8.
Result<std::vector<Page>> load_corpus(const std::string& dir) {
  std::ifstream in(dir + "/pages.jsonl");
  if (!in) return Error(ErrorCode::kIo, "cannot open " + dir + "/pages.jsonl");
  std::vector<Page> pages;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_discarded() || !entry.contains("html") || !entry["html"].is_string()) {
      return Error(ErrorCode::kParseError, "pages.jsonl: line without an \"html\" path");
    }
    std::string name = entry["html"].get<std::string>();
    Result<std::string> bytes = read_page(dir + "/" + name);
    if (!bytes.ok()) return bytes.error();
    Result<std::string> utf8 = fetch::decode_html(*bytes);
    if (!utf8.ok()) return utf8.error();
    pages.push_back({std::move(name), std::move(*utf8)});
  }
  return pages;
}

sandbox::InstanceLimits default_limits() {
  sandbox::InstanceConfig config;
  sandbox::InstanceLimits limits;
  limits.max_pages = config.max_pages();
  limits.timeout = config.timeout;
  limits.max_input_bytes = config.max_input_bytes;
  limits.max_output_bytes = config.max_output_bytes;
  return limits;
}

// "median X us (cpu Y us)  p90 ..." for a list of timings.
void print_timings(const char* label, const std::vector<Timing>& timings, double scale,
                   const char* unit, const char* note) {
  std::vector<double> wall, cpu;
  for (const Timing& t : timings) {
    wall.push_back(t.wall_us * scale);
    cpu.push_back(t.cpu_us * scale);
  }
  std::printf("%-22s median %8.3f %s (cpu %8.3f)   p90 %8.3f %s (cpu %8.3f)   %s\n", label,
              quantile(wall, 0.5), unit, quantile(cpu, 0.5), quantile(wall, 0.9), unit,
              quantile(cpu, 0.9), note);
}

Result<std::unique_ptr<sandbox::ExtractorInstance>> new_instance() {
  return sandbox::ExtractorInstance::create(default_limits());
}

// `label` with the runtime's reservation cache holding up to `cache` freed reservations.
int bench_instantiation(const BenchArgs& args, const char* label, size_t cache) {
  sandbox::set_memory_cache_size(cache);
  std::vector<Timing> create, destroy;
  for (int i = 0; i < args.instantiations; ++i) {
    Stopwatch watch;
    auto instance = new_instance();
    create.push_back(watch.lap());
    if (!instance.ok()) {
      std::fprintf(stderr, "riptide bench: %s\n", instance.error().to_string().c_str());
      return 1;
    }
    instance.value().reset();  // unique_ptr::reset: destroys the instance
    destroy.push_back(watch.lap());
  }
  sandbox::set_memory_cache_size(0);
  std::string note = "(" + std::to_string(args.instantiations) + " runs)";
  print_timings(label, create, 1, "us", note.c_str());
  print_timings("  destroy", destroy, 1, "us", "");
  return 0;
}

int bench_call(const BenchArgs& args) {
  auto instance = new_instance();
  if (!instance.ok()) {
    std::fprintf(stderr, "riptide bench: %s\n", instance.error().to_string().c_str());
    return 1;
  }
  // Batches of 100 calls, so reading the clocks (a system call for CPU time) does not count.
  constexpr int kBatch = 100;
  std::vector<Timing> calls;
  for (int done = 0; done < args.calls; done += kBatch) {
    Stopwatch watch;
    for (int i = 0; i < kBatch; ++i) {
      auto info = (*instance)->info();
      if (!info.ok()) {
        std::fprintf(stderr, "riptide bench: info: %s\n", info.error().to_string().c_str());
        return 1;
      }
    }
    Timing t = watch.lap();
    calls.push_back({t.wall_us / kBatch, t.cpu_us / kBatch});
  }
  std::string note = "(info round trip, batches of " + std::to_string(kBatch) + ")";
  print_timings("per-call overhead", calls, 1, "us", note.c_str());
  return 0;
}

int bench_corpus(const BenchArgs& args) {
  Result<std::vector<Page>> pages = load_corpus(args.corpus);
  if (!pages.ok()) {
    std::fprintf(stderr, "riptide bench: %s\n", pages.error().to_string().c_str());
    return 1;
  }
  auto instance = new_instance();
  if (!instance.ok()) {
    std::fprintf(stderr, "riptide bench: %s\n", instance.error().to_string().c_str());
    return 1;
  }
  extract::Extractor native;
  extract::Options options;
  // Per page: the median run of each engine.
  std::vector<Timing> wasm, host;
  struct Ratio {
    double cpu;
    const Page* page;
  };
  std::vector<Ratio> ratios;
  Timing wasm_total, host_total;
  size_t failed = 0;
  for (const Page& page : *pages) {
    std::vector<Timing> w, n;
    bool ok = true;
    for (int r = 0; r < args.runs && ok; ++r) {
      // Interleaved, so both engines see the same machine load.
      Stopwatch watch;
      auto a = native.extract(page.html, options);
      n.push_back(watch.lap());
      auto b = (*instance)->extract(page.html, options);
      w.push_back(watch.lap());
      ok = a.ok() && b.ok();
      if ((*instance)->dead()) {
        ok = false;
        instance = new_instance();
        if (!instance.ok()) return 1;
      }
    }
    if (!ok) {
      ++failed;
      continue;
    }
    auto by_cpu = [](const Timing& x, const Timing& y) { return x.cpu_us < y.cpu_us; };
    std::sort(w.begin(), w.end(), by_cpu);
    std::sort(n.begin(), n.end(), by_cpu);
    const Timing& wm = w[w.size() / 2];
    const Timing& nm = n[n.size() / 2];
    wasm.push_back(wm);
    host.push_back(nm);
    wasm_total.wall_us += wm.wall_us;
    wasm_total.cpu_us += wm.cpu_us;
    host_total.wall_us += nm.wall_us;
    host_total.cpu_us += nm.cpu_us;
    if (nm.cpu_us > 0) ratios.push_back({wm.cpu_us / nm.cpu_us, &page});
  }
  std::printf("corpus                 %zu pages (%zu failed in either engine), median of %d runs\n",
              wasm.size(), failed, args.runs);
  print_timings("warm extraction wasm", wasm, 1e-3, "ms", "");
  print_timings("extraction native", host, 1e-3, "ms", "");
  std::vector<double> r;
  for (const Ratio& x : ratios) r.push_back(x.cpu);
  std::printf(
      "sandbox/native         total %.3fx (cpu %.3fx)   per-page cpu median %.3fx   p90 "
      "%.3fx\n",
      host_total.wall_us > 0 ? wasm_total.wall_us / host_total.wall_us : 0,
      host_total.cpu_us > 0 ? wasm_total.cpu_us / host_total.cpu_us : 0, quantile(r, 0.5),
      quantile(r, 0.9));
  std::sort(ratios.begin(), ratios.end(),
            [](const Ratio& x, const Ratio& y) { return x.cpu > y.cpu; });
  for (size_t i = 0; i < ratios.size() && i < 5; ++i) {
    std::printf("  highest ratio %6.2fx  %s (%zu bytes)\n", ratios[i].cpu,
                ratios[i].page->name.c_str(), ratios[i].page->html.size());
  }
  return 0;
}

int run_bench_sandbox(const BenchArgs& args) {
  sandbox::init_runtime();
#ifdef NDEBUG
  std::printf("riptide bench sandbox (optimised build)\n");
#else
  std::printf("riptide bench sandbox (DEBUG build: host-side numbers are not representative)\n");
#endif
  std::printf(
      "targets: instantiation <= 200 us, per-call <= 5 us, sandbox/native <= 1.4x, "
      "warm median page <= 1.5 ms\n");
  // Cold: every instance faults its memory in afresh. Pooled: what a replacement after a
  // recycle or a discard costs with the engine's default reservation cache.
  if (int rc = bench_instantiation(args, "instantiation cold", 0); rc != 0) return rc;
  if (int rc = bench_instantiation(args, "instantiation pooled", sandbox::kDefaultReservationCache);
      rc != 0) {
    return rc;
  }
  if (int rc = bench_call(args); rc != 0) return rc;
  return bench_corpus(args);
}

}  // namespace

void register_bench(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<BenchArgs>();
  auto* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  auto* cmd = bench->add_subcommand(
      "sandbox", "Sandbox instantiation time, per-call overhead and sandbox/native time");
  cmd->add_option("--corpus", args->corpus, "Corpus directory with pages.jsonl")
      ->default_val(args->corpus);
  cmd->add_option("--runs", args->runs, "Runs per page and engine (the median counts)")
      ->check(CLI::Range(1, 100))
      ->default_val(3);
  cmd->add_option("--instantiations", args->instantiations, "Instances to create and destroy")
      ->check(CLI::Range(1, 1'000'000))
      ->default_val(200);
  cmd->add_option("--calls", args->calls, "Guest calls for the per-call overhead")
      ->check(CLI::Range(1, 10'000'000))
      ->default_val(10'000);
  cmd->callback([args, &exit_code] { exit_code = run_bench_sandbox(*args); });
}

}  // namespace riptide::cli
