// SpscRing: bounded single-producer/single-consumer byte ring of variable-length records, the
// per-thread queue behind Logger (see logger.h for why per-thread SPSC). The producer reserves
// space, writes the record in place and commits with one release store; it never blocks and
// never allocates. Records are 8-byte aligned with an 8-byte header; a record that does not fit
// before the end of the buffer is preceded by a wrap marker and written at offset 0.
//
// Thread-safety: exactly one producer thread (reserve/commit/count_drop) and one consumer
// thread (drain) at a time; ownership of the producer side moves between threads through the
// `owned` flag (acquire/release), which also publishes the producer-private fields.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace vigia::sdk::internal {

class SpscRing {
 public:
  static constexpr uint32_t kWrap = 0xFFFFFFFFu;
  static constexpr size_t kHeader = 8;
  // Bytes past every reservation the producer may write before it commits (scratch, never
  // read: the next record overwrites them), so an encoder can store a short value with one
  // fixed-size move instead of a copy sized at run time. They stay clear of unread records
  // (reserve() keeps them free) and of the buffer's end (allocated beyond capacity).
  static constexpr size_t kSlack = 8;
  // How far ahead of the write position reserve() prefetches (bytes): ~20 typical records, a
  // few hundred ns of a producer logging flat out. Taking a line back from the consumer's core
  // takes about that long on the project's VM: 256 bytes ahead (and one line per call, which
  // left about a third of the lines out) hid it only when both threads shared a core
  // (sdk/README.md, "Numbers").
  static constexpr size_t kPrefetchAhead = 2048;

  // True when the CPU has PREFETCHW (CPUID 0x80000001 ECX bit 8: AMD since family 10h, Intel since
  // Broadwell); elsewhere reserve() prefetches for reading. Read once per process.
  static bool has_prefetchw() {
#if defined(__x86_64__)
    static const bool v = [] {
      unsigned a, b, c, d;
      if (!__get_cpuid(0x80000001u, &a, &b, &c, &d)) return false;
      return (c & (1u << 8)) != 0;
    }();
    return v;
#else
    return false;
#endif
  }

  // REQUIRES: capacity is a power of two >= 4096.
  explicit SpscRing(size_t capacity)
      : cap_(capacity),
        mask_(capacity - 1),
        buf_(static_cast<char*>(std::aligned_alloc(64, capacity + kSlackAlloc))) {
    // Touch every page now so the first writes do not page-fault on the caller's hot path.
    std::memset(buf_, 0, capacity + kSlackAlloc);
  }
  ~SpscRing() { std::free(buf_); }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  size_t capacity() const { return cap_; }
  // The largest payload reserve() can ever satisfy (leaves room so one record cannot starve).
  size_t max_payload() const { return cap_ / 4 - kHeader; }

  // Producer: pointer to `payload` writable bytes followed by kSlack scratch bytes, or nullptr
  // when the ring is full.
  char* reserve(size_t payload) {
    // Locals: the record's stores go through char*, which may alias *this, so members read
    // after the first store would be loaded again.
    char* const buf = buf_;
    const size_t cap = cap_, mask = mask_;
    const size_t need = kHeader + ((payload + 7) & ~size_t{7});
    uint64_t h = head_local_;
    size_t off = h & mask;
    const size_t contiguous = cap - off;
    const uint64_t needed = contiguous < need ? contiguous + need : need;
    // The slack after the record must not reach the oldest unread record either.
    if (h + needed + kSlack - tail_cache_ > cap) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (h + needed + kSlack - tail_cache_ > cap) return nullptr;
    }
    if (contiguous < need) [[unlikely]] {
      uint32_t wrap = kWrap;
      std::memcpy(buf + off, &wrap, 4);
      h += contiguous;
      off = 0;
    }
    const uint64_t header = need | static_cast<uint64_t>(payload) << 32;  // len32 | payload32
    std::memcpy(buf + off, &header, 8);
    const uint64_t end = h + need;
    head_local_ = end;
    // Ask now for the lines the records after this one will write: the consumer has read the
    // ring's lines since the producer last wrote them, and a store that has to take its line
    // back from the other core is the call's slowest step. With write intent (PREFETCHW) the
    // line arrives owned; a read prefetch would bring it shared and the store would still wait.
    // Every line up to kPrefetchAhead past the record, each once (a record is often longer
    // than a line: one prefetch per call would leave lines out).
    uint64_t pf = prefetched_ > end ? prefetched_ : end;
    for (const uint64_t until = end + kPrefetchAhead; pf < until; pf += 64)
      prefetch_for_write(buf + (pf & mask));
    prefetched_ = pf;
    return buf + off + kHeader;
  }
  // Producer: publishes the last reserved record.
  void commit() { head_.store(head_local_, std::memory_order_release); }
  // Producer: one more event dropped because the ring was full.
  void count_drop() {
    dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // Consumer: calls fn(const char* payload, size_t len) for up to max_records committed
  // records; returns how many were consumed.
  template <typename Fn>
  size_t drain(Fn&& fn, size_t max_records) {
    uint64_t t = tail_.load(std::memory_order_relaxed);
    const uint64_t h = head_.load(std::memory_order_acquire);
    size_t n = 0;
    while (t < h && n < max_records) {
      size_t off = t & mask_;
      uint32_t len;
      std::memcpy(&len, buf_ + off, 4);
      if (len == kWrap) {
        t += cap_ - off;
        continue;
      }
      uint32_t pl;
      std::memcpy(&pl, buf_ + off + 4, 4);
      fn(static_cast<const char*>(buf_ + off + kHeader), static_cast<size_t>(pl));
      t += len;
      ++n;
      // Give space back early so a producer refilling during a long drain is not starved.
      if ((n & 63) == 0) tail_.store(t, std::memory_order_release);
    }
    tail_.store(t, std::memory_order_release);
    return n;
  }
  bool empty() const {
    return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_acquire);
  }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  std::atomic<bool> owned{false};
  uint64_t reported_drops = 0;  // consumer-private

 private:
  void prefetch_for_write(const char* p) const {
#if defined(__x86_64__)
    // Inline asm: the compiler emits PREFETCHW only when built for a CPU that has it
    // (-mprfchw); the library is built for baseline x86-64 and checks at run time instead.
    if (prefetchw_) {
      asm volatile("prefetchw %0" : : "m"(*p));
      return;
    }
#endif
    __builtin_prefetch(p, 1, 3);
  }

  // A record that ends at the buffer's end has its slack here (aligned_alloc wants a multiple
  // of the alignment).
  static constexpr size_t kSlackAlloc = 64;
  static_assert(kSlackAlloc >= kSlack);

  const size_t cap_;
  const size_t mask_;
  char* const buf_;
  const bool prefetchw_ = has_prefetchw();
  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t head_local_ = 0;  // producer-private
  uint64_t prefetched_ = 0;  // producer-private: where the next look-ahead prefetch starts
  uint64_t tail_cache_ = 0;  // producer-private
  std::atomic<uint64_t> dropped_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace vigia::sdk::internal
