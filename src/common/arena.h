// Arena: a bump allocator for the strings of one batch of events. Strings copied in stay
// at a stable address until the arena is destroyed; nothing is freed individually.
//
// Thread-safety: externally synchronized.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace vigia {

class Arena {
 public:
  explicit Arena(size_t block_size = 64 * 1024) : block_size_(block_size) {}
  // A moved-from arena is empty and usable.
  Arena(Arena&& o) noexcept { *this = std::move(o); }
  Arena& operator=(Arena&& o) noexcept {
    block_size_ = o.block_size_;
    blocks_ = std::move(o.blocks_);
    next_ = std::exchange(o.next_, 0);
    ptr_ = std::exchange(o.ptr_, nullptr);
    left_ = std::exchange(o.left_, 0);
    used_ = std::exchange(o.used_, 0);
    o.blocks_.clear();
    return *this;
  }
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

  // Forgets every string but keeps the standard-size blocks for reuse, so a long-lived
  // arena refilled over and over (a part writer's block) stops touching fresh pages.
  // Views into the arena are invalid afterwards.
  void Reset() {
    size_t kept = 0;
    for (auto& b : blocks_) {
      if (b.size == block_size_) blocks_[kept++] = std::move(b);
    }
    blocks_.resize(kept);
    used_ = kept * block_size_;
    next_ = 0;
    ptr_ = nullptr;
    left_ = 0;
  }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };

  void NewBlock(size_t min) {
    if (min <= block_size_ / 4 && next_ < blocks_.size()) {  // a block kept by Reset()
      ptr_ = blocks_[next_++].data.get();
      left_ = block_size_;
      return;
    }
    size_t sz = min > block_size_ / 4 ? min : block_size_;
    // Blocks kept by Reset() that are still unused stay after the ones in use.
    blocks_.push_back({std::unique_ptr<char[]>(new char[sz]), sz});
    if (next_ < blocks_.size() - 1) std::swap(blocks_[next_], blocks_.back());
    ptr_ = blocks_[next_++].data.get();
    left_ = sz;
    used_ += sz;
  }

  size_t block_size_ = 64 * 1024;
  std::vector<Block> blocks_;
  size_t next_ = 0;  // blocks_[0, next_) are in use; the rest were kept by Reset()
  char* ptr_ = nullptr;
  size_t left_ = 0;
  size_t used_ = 0;
};

}  // namespace vigia
