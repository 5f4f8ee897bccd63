// Fuzzes the guest ABI decoders (guest/abi.h): the host decodes whatever a possibly compromised
// guest leaves in its memory, and the guest decodes the host's requests. Any bytes must give a
// value or an error, never a crash or a read past the end. The encoding is canonical, so an
// accepted result or info block must re-encode to exactly the input bytes (nothing the decoder
// skipped or normalised went unchecked); an accepted request likewise, except that an input limit
// above the parser's is clamped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "guest/abi.h"

namespace {

void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "abi_decode_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace riptide;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto result = guest::decode_result(bytes);
  if (result.ok()) {
    std::string again;
    if (result->ok) {
      guest::encode_record(result->record, &again);
    } else {
      guest::encode_error(result->guest_error, &again);
    }
    check(again == bytes, "result does not re-encode to its input");
  } else {
    check(result.error().code() == ErrorCode::kInternal, "result error is not kInternal");
  }

  auto info = guest::decode_info(bytes);
  if (info.ok()) {
    std::string again;
    guest::encode_info(*info, &again);
    check(again == bytes, "info does not re-encode to its input");
  }

  auto request = guest::decode_request(bytes);
  if (request.ok()) {
    std::string again = guest::encode_request(request->html, request->options);
    check(again == bytes || request->options.max_input_bytes == limits::kMaxHtmlBytes,
          "request does not re-encode to its input");
    check(request->html.data() >= bytes.data() &&
              request->html.data() + request->html.size() <= bytes.data() + bytes.size(),
          "request html points outside the input");
  } else {
    ErrorCode code = request.error().code();
    check(code == ErrorCode::kInvalidArgument || code == ErrorCode::kUnsupported,
          "request error is neither kInvalidArgument nor kUnsupported");
  }
  return 0;
}
