// Fuzzes the SSRF guard's parsing (fetch/address_guard.h): CIDR blocks come from configuration
// and addresses from DNS. A parsed block must contain its own network address and print back to
// text that parses to the same block; any 16 bytes must be judged without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "fetch/address_guard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using riptide::fetch::CidrBlock;
  using riptide::fetch::IpAddress;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  riptide::Result<CidrBlock> block = riptide::fetch::parse_cidr(text);
  if (block.ok()) {
    if (!block->contains(block->network)) std::abort();
    // An IPv4 block prints in dotted form with a prefix counted over 32 bits.
    bool v4 = block->network.is_v4() && block->prefix_bits >= 96;
    unsigned prefix = v4 ? block->prefix_bits - 96u : block->prefix_bits;
    std::string again = block->network.to_string() + "/" + std::to_string(prefix);
    riptide::Result<CidrBlock> reparsed = riptide::fetch::parse_cidr(again);
    if (!reparsed.ok() || !(reparsed->network == block->network) ||
        reparsed->prefix_bits != block->prefix_bits) {
      std::abort();
    }
  }
  if (size >= 16) {
    IpAddress address;
    std::memcpy(address.bytes.data(), data, 16);
    (void)riptide::fetch::non_public_reason(address);
    riptide::fetch::AddressGuard guard(
        false, block.ok() ? std::vector<CidrBlock>{*block} : std::vector<CidrBlock>{});
    (void)guard.refusal(address);
  }
  return 0;
}
