#include "cli/io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace riptide::cli {

Result<std::string> read_input(const std::string& path) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Error(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) return Error(ErrorCode::kIo, "cannot read " + path);
  return out;
}

}  // namespace riptide::cli
