#pragma once

// gzip (RFC 1952) compression for tests and test sites that serve or parse gzip bodies (sitemaps,
// robots.txt). No GoogleTest, so the generated crawl site (and its benchmark server) can use it
// too; a zlib failure throws std::runtime_error. Link ZLIB::ZLIB.

#include <zlib.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace riptide::testing {

// gzip (RFC 1952) of `data` repeated `times` times, streamed through deflate in pieces so a
// large body never exists uncompressed.
inline std::string gzip_repeated(std::string_view data, size_t times) {
  z_stream stream{};
  // 16 + window bits: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  std::string out;
  char buffer[64 * 1024];
  for (size_t i = 0; i < times; ++i) {
    int flush = i + 1 == times ? Z_FINISH : Z_NO_FLUSH;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof buffer;
      if (deflate(&stream, flush) == Z_STREAM_ERROR) {
        deflateEnd(&stream);
        throw std::runtime_error("gzip: deflate failed");
      }
      out.append(buffer, sizeof buffer - stream.avail_out);
    } while (stream.avail_out == 0);
  }
  deflateEnd(&stream);
  return out;
}

inline std::string gzip(std::string_view data) {
  return gzip_repeated(data, 1);
}

}  // namespace riptide::testing
