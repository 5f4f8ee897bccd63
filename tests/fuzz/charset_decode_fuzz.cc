// Fuzzes encoding detection and decoding (fetch/charset.h), the first code to touch fetched
// bytes: detection must terminate on any input, and decoding in the detected encoding and in an
// input-chosen one must always produce valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/utf8.h"
#include "fetch/charset.h"

namespace {

void check_valid(const riptide::Result<std::string>& text) {
  // Every encoding this system's iconv supports must decode; invalid UTF-8 output is a bug.
  if (!text.ok() || !riptide::utf8::is_valid(*text)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_valid(riptide::fetch::decode_html(bytes));
  if (size > 0) {
    // The first byte picks an encoding for a direct decode of the rest.
    constexpr int kEncodings = static_cast<int>(riptide::fetch::Encoding::kXUserDefined) + 1;
    auto encoding = static_cast<riptide::fetch::Encoding>(data[0] % kEncodings);
    check_valid(riptide::fetch::to_utf8(bytes.substr(1), encoding));
    // The rest as a Content-Type value, as a server would send it.
    (void)riptide::fetch::encoding_from_content_type(bytes.substr(1, 64));
  }
  return 0;
}
