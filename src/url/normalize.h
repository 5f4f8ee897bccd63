#pragma once

#include <span>
#include <string_view>

#include "url/url.h"

// URL normalisation for crawling: maps URLs that name the same resource to one key, so that the
// frontier and the dedup store see each page once.
namespace riptide::url {

struct NormalizeOptions {
  // Drop "#fragment": fragments never reach the server.
  bool remove_fragment = true;
  // Drop query parameters named in kTrackingParameters (and every utm_* parameter), or in
  // `tracking_parameters` when that is non-empty.
  bool remove_tracking_parameters = true;
  // A caller's own list of tracking parameter names, replacing the built-in one (the crawler makes
  // it configurable). Compared ASCII case-insensitively; an entry ending in '*' matches every name
  // starting with the text before it ("utm_*"). The viewed strings must outlive the call.
  std::span<const std::string_view> tracking_parameters;
  // Sort query parameters by name (stable, so repeated names keep their relative order). Off by
  // default: some servers give parameter order meaning.
  bool sort_query_parameters = false;
  // Drop empty "&&" pieces of the query, and the query itself when nothing is left ("/p?" -> "/p").
  bool remove_empty_query = true;
  // Decode percent-encoded unreserved characters (ALPHA DIGIT - . _ ~, RFC 3986 6.2.2.2) and
  // upper-case the hex digits of the remaining escapes (6.2.2.1), in the path and query.
  bool normalize_percent_encoding = true;
};

// Query parameter names that only carry click or campaign tracking (compared ASCII
// case-insensitively); any name starting with "utm_" is treated the same way.
inline constexpr std::string_view kTrackingParameters[] = {
    "gclid",      "gclsrc",  "dclid",       "gbraid",     "wbraid",  "fbclid",
    "msclkid",    "mc_cid",  "mc_eid",      "yclid",      "_ga",     "_gl",
    "igshid",     "twclid",  "ttclid",      "li_fat_id",  "mkt_tok", "_hsenc",
    "_hsmi",      "hsa_acc", "oly_anon_id", "oly_enc_id", "vero_id", "wickedid",
    "rb_clickid", "s_cid",   "srsltid",     "epik",       "ref_src",
};

// True when a query parameter called `name` (still percent-encoded) is a tracking parameter.
bool is_tracking_parameter(std::string_view name);

// True when `name` matches an entry of `names` (the rules of
// NormalizeOptions::tracking_parameters).
bool matches_parameter_name(std::string_view name, std::span<const std::string_view> names);

// The normalised form of `url`. Parsing already lower-cases special hosts, drops default ports
// and resolves dot segments; this applies `options` on top. Never fails: the result is `url`
// itself when there is nothing to change.
Url normalize(const Url& url, const NormalizeOptions& options = {});

}  // namespace riptide::url
