// The extractor guest: src/extract behind the guest ABI v2 exports (docs/abi.md), built for
// wasm32-wasi as a reactor (the host calls `_initialize` once after instantiation, then any
// export). The host owns the request buffer (riptide_alloc / riptide_free); the guest owns the
// result buffer, valid until the next call of an export that writes it.
//
// The Guest below is this module's one piece of global mutable state: a wasm instance is a
// process of its own, so one instance = one Guest, and the host never calls it concurrently.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "extract/extractor.h"
#include "guest/abi.h"

#ifndef RIPTIDE_VERSION
#define RIPTIDE_VERSION "unknown"
#endif
#ifndef RIPTIDE_GUEST_BUILD
#define RIPTIDE_GUEST_BUILD "unknown"
#endif

#define RIPTIDE_EXPORT(name) extern "C" __attribute__((export_name(#name)))

namespace {

using riptide::Error;
using riptide::ErrorCode;
namespace extract = riptide::extract;
namespace guest = riptide::guest;

struct Guest {
  // Kept across calls so the parser's and document's buffers are reused (extractor.h).
  extract::Extractor extractor;
  // The last result or info block; its capacity is reused across calls.
  std::string result;
};

Guest* g_guest = nullptr;

Guest& state() {
  if (g_guest == nullptr) g_guest = new Guest();
  return *g_guest;
}

// 0 when `out` holds a record, else the wire error code (mirrors the result's status byte).
uint32_t run_extract(Guest& g, std::string_view request) {
  auto req = guest::decode_request(request);
  if (!req.ok()) {
    guest::encode_error(req.error(), &g.result);
    return static_cast<uint32_t>(guest::to_wire(req.error().code()));
  }
  auto record = g.extractor.extract(req->html, req->options);
  if (!record.ok()) {
    guest::encode_error(record.error(), &g.result);
    return static_cast<uint32_t>(guest::to_wire(record.error().code()));
  }
  guest::encode_record(*record, &g.result);
  return 0;
}

}  // namespace

RIPTIDE_EXPORT(riptide_abi_version) uint32_t riptide_abi_version() {
  return guest::kAbiVersion;
}

// A buffer of `size` bytes for the host to write a request into; 0 when memory is exhausted.
RIPTIDE_EXPORT(riptide_alloc) uint32_t riptide_alloc(uint32_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p));
}

RIPTIDE_EXPORT(riptide_free) void riptide_free(uint32_t ptr) {
  std::free(reinterpret_cast<void*>(static_cast<uintptr_t>(ptr)));
}

// Extracts the request at [ptr, ptr + len). Returns 0 (record) or the wire error code; either
// way the encoded result is at riptide_result_ptr() / riptide_result_len().
RIPTIDE_EXPORT(riptide_extract) uint32_t riptide_extract(uint32_t ptr, uint32_t len) {
  const char* data = reinterpret_cast<const char*>(static_cast<uintptr_t>(ptr));
  return run_extract(state(), std::string_view(data, len));
}

RIPTIDE_EXPORT(riptide_result_ptr) uint32_t riptide_result_ptr() {
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(state().result.data()));
}

RIPTIDE_EXPORT(riptide_result_len) uint32_t riptide_result_len() {
  return static_cast<uint32_t>(state().result.size());
}

// Writes the info block (version, build, modes) to the result buffer; returns 0.
RIPTIDE_EXPORT(riptide_info) uint32_t riptide_info() {
  guest::GuestInfo info;
  info.version = RIPTIDE_VERSION;
  info.build = RIPTIDE_GUEST_BUILD;
  info.modes = guest::all_modes();
  guest::encode_info(info, &state().result);
  return 0;
}

// Bit i set when extract::Mode(i) is supported.
RIPTIDE_EXPORT(riptide_modes) uint32_t riptide_modes() {
  return guest::modes_mask(guest::all_modes());
}

// 0 when the guest can extract: a small built-in page must give its title and text back. Leaves
// the result buffer empty.
RIPTIDE_EXPORT(riptide_health) uint32_t riptide_health() {
  Guest& g = state();
  extract::Options options;
  options.mode = extract::Mode::kFull;
  auto record = g.extractor.extract("<title>health</title><p>ok</p>", options);
  g.result.clear();
  return record.ok() && record->title == "health" && record->text == "ok" ? 0 : 1;
}

// Drops the extractor (its parser and document buffers) and the result buffer; the next call
// starts from a fresh Guest. Returns 0.
RIPTIDE_EXPORT(riptide_reset) uint32_t riptide_reset() {
  delete g_guest;
  g_guest = nullptr;
  return 0;
}
