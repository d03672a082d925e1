// Context: the correlation fields (request_id, user_id, tenant, store_id, route, ...) that
// every event logged while it is active carries. Stored inline (no allocation) in a fixed
// buffer so the hot path copies it with one memcpy.
//
// Synchronous code uses ContextScope, which installs a context for the current thread (and
// restores the previous one when it ends); nested scopes inherit and extend their parent.
// Asynchronous code captures Context::current() by value and either passes it explicitly to
// Logger::log(ctx, ...) or re-installs it on the worker thread with ContextScope(ctx) — the
// gap spdlog's thread-local MDC leaves open.
//
// Thread-safety: Context is a value type (thread-compatible). ContextScope only touches the
// calling thread's state and must be destroyed on the thread that created it (LIFO).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace vigia::sdk {

class Context {
 public:
  // Bytes of encoded pairs one context holds; a set() that does not fit returns false.
  static constexpr size_t kCapacity = 472;
  // Longest key and value kept; longer values are cut (request ids are sanitized before).
  static constexpr size_t kMaxKey = 64;
  static constexpr size_t kMaxValue = 256;

  Context() {}  // buf_ stays uninitialized on purpose: only size_ bytes are ever read
  Context(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

  // Sets key to value, replacing an existing value. Returns false when it does not fit.
  bool set(std::string_view key, std::string_view value);
  // Empty view when absent.
  std::string_view get(std::string_view key) const;
  bool empty() const { return size_ == 0; }
  size_t size_bytes() const { return size_; }
  const char* data() const { return buf_; }

  // Calls fn(key, value) for every pair in insertion order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    size_t p = 0;
    while (p < size_) {
      size_t kl = static_cast<unsigned char>(buf_[p]);
      size_t vl = static_cast<unsigned char>(buf_[p + 1]) |
                  (static_cast<size_t>(static_cast<unsigned char>(buf_[p + 2])) << 8);
      fn(std::string_view(buf_ + p + 3, kl), std::string_view(buf_ + p + 3 + kl, vl));
      p += 3 + kl + vl;
    }
  }

  // The context installed on this thread by the innermost live ContextScope (or an empty one).
  // Inline: every Logger::log() call reads it.
  static const Context& current();

 private:
  bool remove(std::string_view key);
  uint16_t size_ = 0;
  char buf_[kCapacity];
};

namespace internal {
// The context of the innermost live ContextScope on this thread, nullptr when none (set by
// ContextScope only). constinit: the compiler reads it directly, without a TLS init wrapper.
extern thread_local constinit const Context* tl_current_context;
extern const Context kEmptyContext;
}  // namespace internal

inline const Context& Context::current() {
  const Context* c = internal::tl_current_context;
  return c ? *c : internal::kEmptyContext;
}

class ContextScope {
 public:
  // Current context extended with pairs (pairs win on equal keys).
  ContextScope(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
  // Installs ctx as is (typically a context captured on another thread).
  explicit ContextScope(const Context& ctx);
  ~ContextScope();
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

  // Adds or replaces a pair in this scope (e.g. user_id once authentication succeeded).
  bool set(std::string_view key, std::string_view value) { return ctx_.set(key, value); }
  const Context& context() const { return ctx_; }

 private:
  Context ctx_;
  const Context* previous_;
};

}  // namespace vigia::sdk
