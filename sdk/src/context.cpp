#include "vigia/context.h"

#include <cstring>

namespace vigia::sdk {
namespace internal {
const Context kEmptyContext;
thread_local constinit const Context* tl_current_context = nullptr;
}  // namespace internal

using internal::tl_current_context;

Context::Context(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  for (const auto& [k, v] : pairs) set(k, v);
}

bool Context::remove(std::string_view key) {
  size_t p = 0;
  while (p < size_) {
    size_t kl = static_cast<unsigned char>(buf_[p]);
    size_t vl = static_cast<unsigned char>(buf_[p + 1]) |
                (static_cast<size_t>(static_cast<unsigned char>(buf_[p + 2])) << 8);
    size_t len = 3 + kl + vl;
    if (std::string_view(buf_ + p + 3, kl) == key) {
      std::memmove(buf_ + p, buf_ + p + len, size_ - p - len);
      size_ = static_cast<uint16_t>(size_ - len);
      return true;
    }
    p += len;
  }
  return false;
}

bool Context::set(std::string_view key, std::string_view value) {
  if (key.empty()) return false;
  if (key.size() > kMaxKey) key = key.substr(0, kMaxKey);
  if (value.size() > kMaxValue) value = value.substr(0, kMaxValue);
  remove(key);
  size_t need = 3 + key.size() + value.size();
  if (size_ + need > kCapacity) return false;
  char* p = buf_ + size_;
  p[0] = static_cast<char>(key.size());
  p[1] = static_cast<char>(value.size() & 0xFF);
  p[2] = static_cast<char>(value.size() >> 8);
  std::memcpy(p + 3, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + 3 + key.size(), value.data(), value.size());
  size_ = static_cast<uint16_t>(size_ + need);
  return true;
}

std::string_view Context::get(std::string_view key) const {
  std::string_view found;
  for_each([&](std::string_view k, std::string_view v) {
    if (k == key) found = v;
  });
  return found;
}

ContextScope::ContextScope(
    std::initializer_list<std::pair<std::string_view, std::string_view>> pairs)
    : ctx_(Context::current()), previous_(tl_current_context) {
  for (const auto& [k, v] : pairs) ctx_.set(k, v);
  tl_current_context = &ctx_;
}

ContextScope::ContextScope(const Context& ctx) : ctx_(ctx), previous_(tl_current_context) {
  tl_current_context = &ctx_;
}

ContextScope::~ContextScope() { tl_current_context = previous_; }

}  // namespace vigia::sdk
