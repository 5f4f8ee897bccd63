#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Percent-encoding (URL Standard 1.3 Percent-encoded bytes).
namespace riptide::url {

// The URL Standard's percent-encode sets; each contains the one before it except kSpecialQuery
// (query plus ') and kPath (query plus ? ^ ` { }).
enum class EncodeSet : uint8_t {
  kC0Control,       // C0 controls and every byte above U+007E
  kFragment,        // C0 control + space " < > `
  kQuery,           // C0 control + space " # < >
  kSpecialQuery,    // query + '
  kPath,            // query + ? ^ ` { }
  kUserinfo,        // path + / : ; = @ [ \ ] |
  kComponent,       // userinfo + $ % & + ,
  kFormUrlencoded,  // component + ! ' ( ) ~
};

// True when `byte` must be percent-encoded in `set`. Bytes >= 0x80 are in every set.
bool in_encode_set(uint8_t byte, EncodeSet set);

// Appends `input` (UTF-8 bytes) to `out`, percent-encoding each byte that is in `set` (the
// "UTF-8 percent-encode" of every code point, done byte-wise).
void percent_encode_append(std::string& out, std::string_view input, EncodeSet set);
std::string percent_encode(std::string_view input, EncodeSet set);

// URL Standard "percent-decode": %XX with two hex digits becomes the byte; anything else is
// copied as is.
std::string percent_decode(std::string_view input);

}  // namespace riptide::url
