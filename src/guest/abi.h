#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/result.h"
#include "extract/extractor.h"
#include "extract/record.h"

// Guest ABI v2 (docs/abi.md): the binary encoding of what crosses the sandbox boundary — the
// request the host writes into guest memory, the result (record or structured error) and the
// info block the guest writes back. Little-endian, length-prefixed, no padding, no field names.
// Portable: the guest (wasm32-wasi) encodes results and decodes requests, the host does the
// opposite. Every decoder treats its input as hostile: lengths are checked against what remains,
// counts are capped, strings must be valid UTF-8, trailing bytes are an error.
namespace riptide::guest {

inline constexpr uint32_t kAbiVersion = 2;

// The first four bytes of each buffer: a tag and the ABI version.
inline constexpr char kRequestMagic[4] = {'R', 'T', 'Q', static_cast<char>(kAbiVersion)};
inline constexpr char kResultMagic[4] = {'R', 'T', 'R', static_cast<char>(kAbiVersion)};
inline constexpr char kInfoMagic[4] = {'R', 'T', 'I', static_cast<char>(kAbiVersion)};

// Structured error codes on the wire (docs/abi.md "Error codes"). Values are stable.
enum class WireError : uint8_t {
  kInvalidHtml = 1,      // ErrorCode::kInvalidInput
  kParseError = 2,       // ErrorCode::kParseError
  kResourceLimit = 3,    // ErrorCode::kResourceLimit
  kUnsupportedMode = 4,  // ErrorCode::kUnsupported
  kInternal = 5,         // ErrorCode::kInternal and anything without a wire code
  kInvalidArgument = 6,  // ErrorCode::kInvalidArgument (e.g. a bad custom selector)
};
WireError to_wire(ErrorCode code);
ErrorCode from_wire(WireError code);
std::string_view wire_error_name(WireError code);  // "invalid_html", ...

// Request flag bits.
inline constexpr uint8_t kFlagIncludeHtml = 0x01;
inline constexpr uint8_t kFlagPageLinks = 0x02;  // extract::Options::page_links (ABI 2)
// Link flag bits.
inline constexpr uint8_t kLinkNofollow = 0x01;
inline constexpr uint8_t kLinkUgc = 0x02;
inline constexpr uint8_t kLinkSponsored = 0x04;

// ---- Request (host → guest) ----

// The request without its HTML bytes, ending with the HTML's length: the host writes this and
// then the HTML straight into guest memory (no intermediate copy of the page). `html_size` must
// fit in 32 bits (the host checks its input limit first).
std::string encode_request_head(const extract::Options& options, size_t html_size);
// The whole request (head + HTML).
std::string encode_request(std::string_view html, const extract::Options& options);

// A decoded request. `html` points into the decoded buffer; it is passed to the parser as is
// (invalid UTF-8 in it is replaced by the parser, as in the native path).
struct RequestView {
  std::string_view html;
  extract::Options options;
};
// Errors: kUnsupported for a mode byte this guest does not know ("unsupported mode 9"),
// kInvalidArgument "invalid request: …" for anything malformed.
Result<RequestView> decode_request(std::string_view bytes);

// ---- Result (guest → host) ----

void encode_record(const extract::Record& record, std::string* out);
void encode_error(const Error& error, std::string* out);

// A well-formed result buffer: the guest's record, or its structured error.
struct DecodedResult {
  bool ok = false;
  extract::Record record;  // when ok
  Error guest_error;       // when !ok, the wire code mapped back to an ErrorCode
};
// Errors (the buffer is malformed): kInternal "invalid guest output: <field>: <what>".
Result<DecodedResult> decode_result(std::string_view bytes);

// ---- Info (guest → host) ----

struct GuestInfo {
  uint32_t abi_version = kAbiVersion;
  std::string version;               // riptide's version, "0.1.0"
  std::string build;                 // compiler and flags the guest was built with
  std::vector<extract::Mode> modes;  // the modes it supports, in Mode order
};
void encode_info(const GuestInfo& info, std::string* out);
// Errors: kInternal "invalid guest output: …".
Result<GuestInfo> decode_info(std::string_view bytes);

// The `modes` export's answer: bit i set when Mode(i) is supported.
uint32_t modes_mask(const std::vector<extract::Mode>& modes);
// Errors: kInternal "invalid guest output: …" for bits beyond the modes this host knows.
Result<std::vector<extract::Mode>> modes_from_mask(uint32_t mask);
// Every mode this build of riptide implements.
std::vector<extract::Mode> all_modes();

}  // namespace riptide::guest
