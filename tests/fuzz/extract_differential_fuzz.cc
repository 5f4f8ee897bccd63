// Fuzzes the native extractor against the sandboxed one (STYLE.md 9: "Fuzz the native and
// sandboxed extractors against each other"): any bytes, in every mode, must give the same record
// (byte-identical JSON, host-dependent stats aside) or the same error code from both, and must
// never kill the guest (a trap or timeout on input the native code handles is a guest-only bug:
// a smaller stack, a libc++ difference).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "extract/extractor.h"
#include "sandbox/instance.h"
#include "sandbox/runtime.h"
#include "tests/support/record_json.h"

namespace {

using riptide::extract::Mode;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "extract_differential_fuzz: %s\n", what.c_str());
  std::abort();
}

std::unique_ptr<riptide::sandbox::ExtractorInstance> new_instance() {
  auto made = riptide::sandbox::ExtractorInstance::create(riptide::sandbox::InstanceLimits{});
  if (!made.ok()) fail("cannot create a guest instance: " + made.error().to_string());
  return std::move(*made);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One of each for the whole run, reused as the server reuses them: state carried from one
  // document to the next must not make the engines drift apart either.
  static riptide::extract::Extractor native;
  static std::unique_ptr<riptide::sandbox::ExtractorInstance> guest = [] {
    riptide::sandbox::init_runtime();
    return new_instance();
  }();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  riptide::extract::Options options;
  options.url = "https://fuzz.example/dir/page.html?q=1";
  options.selectors = {"article p, h1 + p", "div.content > :is(ul, ol) li:nth-child(2n+1)"};
  for (Mode mode : {Mode::kArticle, Mode::kFull, Mode::kMetadata, Mode::kCustom}) {
    options.mode = mode;
    std::string where = std::string(riptide::extract::mode_name(mode)) + " mode: ";
    auto a = native.extract(input, options);
    auto b = guest->extract(input, options);
    if (guest->dead()) {
      fail(where + "the guest died on input the native extractor " +
           (a.ok() ? "extracts" : "rejects") + ": " +
           (b.ok() ? std::string("(no error)") : b.error().to_string()));
    }
    if (a.ok() != b.ok()) {
      fail(where + (a.ok() ? "only the guest failed: " + b.error().to_string()
                           : "only native failed: " + a.error().to_string()));
    }
    if (!a.ok()) {
      if (a.error().code() != b.error().code()) {
        fail(where + "errors differ: " + a.error().to_string() + " vs " + b.error().to_string());
      }
      continue;
    }
    std::string ja = riptide::testing::comparable_json(std::move(*a));
    std::string jb = riptide::testing::comparable_json(std::move(*b));
    if (ja != jb) fail(where + "records differ\n  native: " + ja + "\n  wasm:   " + jb);
  }
  return 0;
}
