#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

namespace riptide {

// Bump allocator for per-document data. Everything allocated from an Arena is freed in one step
// when the arena is destroyed or reset(); destructors are never run, so only trivially
// destructible types may be created in it. Not thread-safe: one arena per document.
class Arena {
 public:
  static constexpr size_t kDefaultBlockBytes = 64 * 1024;

  explicit Arena(size_t block_bytes = kDefaultBlockBytes);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `bytes` of storage aligned to `align` (a power of two). Never returns null; aborts on
  // out-of-memory like operator new with exceptions disabled.
  void* allocate(size_t bytes, size_t align = alignof(std::max_align_t)) {
    uintptr_t p = (reinterpret_cast<uintptr_t>(pos_) + (align - 1)) & ~(uintptr_t{align} - 1);
    if (pos_ != nullptr && p <= reinterpret_cast<uintptr_t>(end_) &&
        bytes <= static_cast<size_t>(reinterpret_cast<uintptr_t>(end_) - p)) {
      pos_ = reinterpret_cast<char*>(p + bytes);
      return reinterpret_cast<void*>(p);
    }
    return allocate_slow(bytes, align);
  }

  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    return new (allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
  }

  template <typename T>
  T* make_array(size_t count) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    if (count == 0) return nullptr;
    T* out = static_cast<T*>(allocate(sizeof(T) * count, alignof(T)));
    for (size_t i = 0; i < count; ++i) new (out + i) T();
    return out;
  }

  // Copies `s` into the arena; the view lives as long as the arena.
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Grows the most recent allocation in place when possible. Returns true on success.
  bool try_extend(const void* block, size_t old_bytes, size_t new_bytes) {
    if (static_cast<const char*>(block) + old_bytes != pos_) return false;
    size_t extra = new_bytes - old_bytes;
    if (extra > static_cast<size_t>(end_ - pos_)) return false;
    pos_ += extra;
    return true;
  }

  // Frees everything but keeps the first block for reuse.
  void reset();

  // Bytes obtained from the system (for stats and memory limits).
  size_t bytes_reserved() const { return reserved_; }

 private:
  struct Block {
    Block* next;
    size_t size;
  };
  void* allocate_slow(size_t bytes, size_t align);

  size_t block_bytes_;
  Block* head_ = nullptr;
  char* pos_ = nullptr;
  char* end_ = nullptr;
  size_t reserved_ = 0;
};

}  // namespace riptide
