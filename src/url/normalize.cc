#include "url/normalize.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/strings.h"

namespace riptide::url {
namespace {

bool is_unreserved(char c) {
  return str::is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 6.2.2.1 and 6.2.2.2 on one component. Dot segments cannot appear from decoding:
// the parser already removed every segment that is "." or ".." in any percent-encoded form.
void append_normalized_escapes(std::string& out, std::string_view in, bool enabled) {
  if (!enabled) {
    out.append(in);
    return;
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && str::is_hex_digit(in[i + 1]) &&
        str::is_hex_digit(in[i + 2])) {
      char decoded = static_cast<char>(str::hex_value(in[i + 1]) * 16 + str::hex_value(in[i + 2]));
      // A decoded hex digit right after a stray '%' or '%X' would form a new escape, which a
      // second normalisation would decode again; such characters stay encoded.
      const size_t n = out.size();
      const bool would_form_escape =
          str::is_hex_digit(decoded) &&
          ((n >= 1 && out[n - 1] == '%') ||
           (n >= 2 && out[n - 2] == '%' && str::is_hex_digit(out[n - 1])));
      if (is_unreserved(decoded) && !would_form_escape) {
        out.push_back(decoded);
      } else {
        out.push_back('%');
        out.push_back(str::to_upper(in[i + 1]));
        out.push_back(str::to_upper(in[i + 2]));
      }
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
}

std::string_view parameter_name(std::string_view pair) {
  return pair.substr(0, pair.find('='));
}

}  // namespace

bool is_tracking_parameter(std::string_view name) {
  if (str::istarts_with(name, "utm_")) return true;
  for (std::string_view t : kTrackingParameters) {
    if (str::iequals(name, t)) return true;
  }
  return false;
}

bool matches_parameter_name(std::string_view name, std::span<const std::string_view> names) {
  for (std::string_view entry : names) {
    if (!entry.empty() && entry.back() == '*') {
      if (str::istarts_with(name, entry.substr(0, entry.size() - 1))) return true;
    } else if (str::iequals(name, entry)) {
      return true;
    }
  }
  return false;
}

Url normalize(const Url& url, const NormalizeOptions& options) {
  const bool escapes = options.normalize_percent_encoding && !url.has_opaque_path();
  // Everything before the path is already canonical after parsing.
  const std::string_view href = url.href();
  const size_t path_start =
      href.size() - (url.pathname().size() + (url.has_query() ? 1 : 0) + url.query().size() +
                     (url.has_fragment() ? 1 : 0) + url.fragment().size());
  std::string out(href.substr(0, path_start));
  append_normalized_escapes(out, url.pathname(), escapes);

  if (url.has_query()) {
    std::vector<std::string_view> pairs;
    const std::string_view query = url.query();
    for (size_t start = 0; start <= query.size();) {
      size_t amp = query.find('&', start);
      if (amp == std::string_view::npos) amp = query.size();
      std::string_view pair = query.substr(start, amp - start);
      start = amp + 1;
      if (pair.empty() && options.remove_empty_query) continue;
      if (options.remove_tracking_parameters) {
        const std::string_view name = parameter_name(pair);
        if (options.tracking_parameters.empty()
                ? is_tracking_parameter(name)
                : matches_parameter_name(name, options.tracking_parameters)) {
          continue;
        }
      }
      pairs.push_back(pair);
    }
    if (options.sort_query_parameters) {
      std::stable_sort(pairs.begin(), pairs.end(), [](std::string_view a, std::string_view b) {
        return parameter_name(a) < parameter_name(b);
      });
    }
    if (!pairs.empty() || !options.remove_empty_query) {
      out.push_back('?');
      for (size_t i = 0; i < pairs.size(); ++i) {
        if (i > 0) out.push_back('&');
        append_normalized_escapes(out, pairs[i], escapes);
      }
    }
  }
  if (url.has_fragment() && !options.remove_fragment) {
    out.push_back('#');
    out.append(url.fragment());
  }
  if (out == href) return url;
  // Reparsing a serialization with components only removed or canonically re-escaped yields the
  // same structure; should it ever fail, the input is the safest answer.
  auto reparsed = parse(out);
  return reparsed.ok() ? std::move(reparsed).value() : url;
}

}  // namespace riptide::url
