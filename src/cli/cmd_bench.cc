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

// Every page listed in DIR/pages.jsonl ("html": path relative to DIR), decoded to UTF-8.
Result<std::vector<std::string>> load_corpus(const std::string& dir) {
  std::ifstream in(dir + "/pages.jsonl");
  if (!in) return Error(ErrorCode::kIo, "cannot open " + dir + "/pages.jsonl");
  std::vector<std::string> pages;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_discarded() || !entry.contains("html") || !entry["html"].is_string()) {
      return Error(ErrorCode::kParseError, "pages.jsonl: line without an \"html\" path");
    }
    Result<std::string> bytes = read_page(dir + "/" + entry["html"].get<std::string>());
    if (!bytes.ok()) return bytes.error();
    Result<std::string> utf8 = fetch::decode_html(*bytes);
    if (!utf8.ok()) return utf8.error();
    pages.push_back(std::move(*utf8));
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

int bench_instantiation(const BenchArgs& args) {
  std::vector<double> create_us;
  std::vector<double> cycle_us;
  for (int i = 0; i < args.instantiations; ++i) {
    auto start = Clock::now();
    auto instance = sandbox::ExtractorInstance::create(default_limits());
    auto made = Clock::now();
    if (!instance.ok()) {
      std::fprintf(stderr, "riptide bench: %s\n", instance.error().to_string().c_str());
      return 1;
    }
    instance.value().reset();  // unique_ptr::reset: destroys the instance
    auto freed = Clock::now();
    create_us.push_back(micros(made - start));
    cycle_us.push_back(micros(freed - start));
  }
  std::printf("instantiation          median %8.1f us   p90 %8.1f us   (create, %d runs)\n",
              quantile(create_us, 0.5), quantile(create_us, 0.9), args.instantiations);
  std::printf("create + destroy       median %8.1f us   p90 %8.1f us\n", quantile(cycle_us, 0.5),
              quantile(cycle_us, 0.9));
  return 0;
}

int bench_call(const BenchArgs& args) {
  auto instance = sandbox::ExtractorInstance::create(default_limits());
  if (!instance.ok()) {
    std::fprintf(stderr, "riptide bench: %s\n", instance.error().to_string().c_str());
    return 1;
  }
  std::vector<double> us;
  us.reserve(static_cast<size_t>(args.calls));
  for (int i = 0; i < args.calls; ++i) {
    auto start = Clock::now();
    auto info = (*instance)->info();
    us.push_back(micros(Clock::now() - start));
    if (!info.ok()) {
      std::fprintf(stderr, "riptide bench: info: %s\n", info.error().to_string().c_str());
      return 1;
    }
  }
  std::printf(
      "per-call overhead      median %8.2f us   p90 %8.2f us   (info round trip, %d "
      "calls)\n",
      quantile(us, 0.5), quantile(us, 0.9), args.calls);
  return 0;
}

int bench_corpus(const BenchArgs& args) {
  Result<std::vector<std::string>> pages = load_corpus(args.corpus);
  if (!pages.ok()) {
    std::fprintf(stderr, "riptide bench: %s\n", pages.error().to_string().c_str());
    return 1;
  }
  auto instance = sandbox::ExtractorInstance::create(default_limits());
  if (!instance.ok()) {
    std::fprintf(stderr, "riptide bench: %s\n", instance.error().to_string().c_str());
    return 1;
  }
  extract::Extractor native;
  extract::Options options;
  std::vector<double> wasm_ms, native_ms, ratios;
  double wasm_total = 0, native_total = 0;
  size_t failed = 0;
  for (const std::string& page : *pages) {
    std::vector<double> w, n;
    bool ok = true;
    for (int r = 0; r < args.runs && ok; ++r) {
      // Interleaved, so both engines see the same machine load.
      auto t0 = Clock::now();
      auto a = native.extract(page, options);
      auto t1 = Clock::now();
      auto b = (*instance)->extract(page, options);
      auto t2 = Clock::now();
      ok = a.ok() && b.ok();
      n.push_back(micros(t1 - t0) / 1000);
      w.push_back(micros(t2 - t1) / 1000);
      if ((*instance)->dead()) {
        ok = false;
        instance = sandbox::ExtractorInstance::create(default_limits());
        if (!instance.ok()) return 1;
      }
    }
    if (!ok) {
      ++failed;
      continue;
    }
    double wm = quantile(w, 0.5), nm = quantile(n, 0.5);
    wasm_ms.push_back(wm);
    native_ms.push_back(nm);
    wasm_total += wm;
    native_total += nm;
    if (nm > 0) ratios.push_back(wm / nm);
  }
  std::printf("corpus                 %zu pages (%zu failed in either engine), %d runs each\n",
              wasm_ms.size(), failed, args.runs);
  std::printf("warm extraction wasm   median %8.3f ms   p90 %8.3f ms   total %9.1f ms\n",
              quantile(wasm_ms, 0.5), quantile(wasm_ms, 0.9), wasm_total);
  std::printf("extraction native      median %8.3f ms   p90 %8.3f ms   total %9.1f ms\n",
              quantile(native_ms, 0.5), quantile(native_ms, 0.9), native_total);
  std::printf("sandbox/native         total %.3fx   per-page median %.3fx   p90 %.3fx\n",
              native_total > 0 ? wasm_total / native_total : 0, quantile(ratios, 0.5),
              quantile(ratios, 0.9));
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
  if (int rc = bench_instantiation(args); rc != 0) return rc;
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
