#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/api_request.h"

// The building blocks of the strict request decoders (api_request.cc, crawl_jobs.cc): every
// refusal is a kInvalidArgument whose message names the field, so all routes word their 400s the
// same way.
namespace riptide::server::request_json {

using Json = nlohmann::json;

Error invalid(std::string message);

// `s` in double quotes, cut to a bounded length on a UTF-8 character boundary (a caller's value
// quoted back in an error message).
std::string quote(std::string_view s);

// The body as a JSON object: refuses bodies nested deeper than kMaxRequestJsonDepth (before the
// parser allocates), malformed JSON and anything but an object.
Result<Json> parse_object(std::string_view body);

// kV1: a member of `object` not in `known` is an error naming it (`where` prefixes the name,
// e.g. "items[3]."). kCompat: ignored.
Status check_fields(const Json& object, std::initializer_list<std::string_view> known,
                    Dialect dialect, std::string_view where = {});

// The member `name` of `object`, or null.
const Json* member(const Json& object, std::string_view name);

// An absolute http(s) URL as url::parse serializes it.
Result<std::string> decode_url(const Json& value, const std::string& field);

// A whole number in [min, max], or an error "<field> must be a whole number from min to max".
Result<uint64_t> decode_count(const Json& value, const std::string& field, uint64_t min,
                              uint64_t max);

// The members every extraction request may carry: mode, selectors, formats, max_age. `prefix`
// names where they sit ("options." in a crawl body).
Status decode_options(const Json& object, const std::string& prefix, ExtractOptions* out);

}  // namespace riptide::server::request_json
