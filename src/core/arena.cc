#include "core/arena.h"

#include <cstdlib>

namespace riptide {

Arena::Arena(size_t block_bytes) : block_bytes_(block_bytes < 256 ? 256 : block_bytes) {}

Arena::~Arena() {
  Block* b = head_;
  while (b != nullptr) {
    Block* next = b->next;
    std::free(b);
    b = next;
  }
}

void* Arena::allocate_slow(size_t bytes, size_t align) {
  // A request larger than a quarter block gets its own block so the current one is not wasted.
  size_t header =
      (sizeof(Block) + alignof(std::max_align_t) - 1) & ~(alignof(std::max_align_t) - 1);
  size_t need = bytes + align + header;
  if (need < bytes) std::abort();  // overflow: a caller passed an absurd size
  bool dedicated = bytes > block_bytes_ / 4;
  size_t size = dedicated ? need : (need > block_bytes_ ? need : block_bytes_);
  auto* block = static_cast<Block*>(std::malloc(size));
  if (block == nullptr) std::abort();
  block->size = size;
  reserved_ += size;
  char* start = reinterpret_cast<char*>(block) + header;
  char* block_end = reinterpret_cast<char*>(block) + size;
  if (dedicated && head_ != nullptr) {
    // Keep bumping in the current block; link the dedicated block behind it.
    block->next = head_->next;
    head_->next = block;
  } else {
    block->next = head_;
    head_ = block;
    pos_ = start;
    end_ = block_end;
  }
  uintptr_t p = (reinterpret_cast<uintptr_t>(start) + (align - 1)) & ~(uintptr_t{align} - 1);
  if (!dedicated || head_ == block) {
    pos_ = reinterpret_cast<char*>(p + bytes);
  }
  return reinterpret_cast<void*>(p);
}

void Arena::reset() {
  if (head_ == nullptr) return;
  // Keep the smallest standard block (the last one in the list is the first allocated).
  Block* keep = nullptr;
  Block* b = head_;
  while (b != nullptr) {
    Block* next = b->next;
    if (keep == nullptr && b->size == block_bytes_) {
      keep = b;
    } else {
      std::free(b);
    }
    b = next;
  }
  head_ = keep;
  reserved_ = 0;
  if (keep != nullptr) {
    keep->next = nullptr;
    reserved_ = keep->size;
    size_t header =
        (sizeof(Block) + alignof(std::max_align_t) - 1) & ~(alignof(std::max_align_t) - 1);
    pos_ = reinterpret_cast<char*>(keep) + header;
    end_ = reinterpret_cast<char*>(keep) + keep->size;
  } else {
    pos_ = end_ = nullptr;
  }
}

}  // namespace riptide
