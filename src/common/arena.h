// Arena: a bump allocator for the strings of one batch of events. Strings copied in stay
// at a stable address until the arena is destroyed; nothing is freed individually.
//
// Thread-safety: externally synchronized.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace vigia {

class Arena {
 public:
  explicit Arena(size_t block_size = 64 * 1024) : block_size_(block_size) {}
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `n` bytes aligned to 8.
  char* Allocate(size_t n) {
    n = (n + 7) & ~size_t{7};
    if (n > left_) NewBlock(n);
    char* p = ptr_;
    ptr_ += n;
    left_ -= n;
    return p;
  }

  // Copies `s` into the arena and returns a view of the copy.
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Bytes handed out from blocks (an upper bound of what the strings use).
  size_t MemoryUsage() const { return used_; }

 private:
  void NewBlock(size_t min) {
    size_t sz = min > block_size_ / 4 ? min : block_size_;
    blocks_.emplace_back(new char[sz]);
    ptr_ = blocks_.back().get();
    left_ = sz;
    used_ += sz;
  }

  size_t block_size_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* ptr_ = nullptr;
  size_t left_ = 0;
  size_t used_ = 0;
};

}  // namespace vigia
