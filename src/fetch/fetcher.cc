#include "fetch/fetcher.h"

#include "fetch/address_guard.h"

namespace riptide::fetch {

Status FetchConfig::validate() const {
  Result<AddressGuard> guard = AddressGuard::create(allow_private_networks, allow_cidrs);
  if (!guard.ok()) return guard.error();
  return Status::ok_status();
}

}  // namespace riptide::fetch
