// Placeholder: replaced by the real fuzz target when its parser lands.
#include <cstddef>
#include <cstdint>
extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) {
  return 0;
}
