#include "query/hot_columns.h"

#include <algorithm>
#include <chrono>

#include "common/limits.h"

namespace vigia {
namespace {

constexpr int64_t kTtlNs = limits::kHotColumnTtlMs * int64_t{1'000'000};

bool Fresh(int64_t read_ns, int64_t now_ns) { return read_ns >= 0 && now_ns - read_ns <= kTtlNs; }

}  // namespace

HotColumns& HotColumns::Default() {
  static HotColumns* hot = new HotColumns();  // never destroyed: no exit-order hazards
  return *hot;
}

int64_t HotColumns::NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void HotColumns::Reads::Note(int64_t now_ns) {
  hot = Fresh(last_ns, now_ns);  // read again within the TTL; a name read long ago starts over
  last_ns = now_ns;
}

bool HotColumns::Reads::HotAt(int64_t now_ns) const { return hot && Fresh(last_ns, now_ns); }

void HotColumns::Note(std::span<const std::string> names, bool reads_time, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (reads_time) time_.Note(now_ns);
  for (const std::string& n : names) reads_[n].Note(now_ns);
  // Over the bound: the least recently read names go (a few dozen entries: a linear scan).
  while (reads_.size() > 2 * limits::kHotColumnsMax) {
    auto oldest = std::min_element(reads_.begin(), reads_.end(), [](const auto& a, const auto& b) {
      return a.second.last_ns < b.second.last_ns;
    });
    reads_.erase(oldest);
  }
}

void HotColumns::Note(std::span<const std::string> names, bool reads_time) {
  Note(names, reads_time, NowNs());
}

std::vector<std::string> HotColumns::Names(int64_t now_ns) const {
  std::vector<std::pair<int64_t, std::string>> hot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, r] : reads_) {
      if (r.HotAt(now_ns)) hot.emplace_back(r.last_ns, name);
    }
  }
  std::sort(hot.begin(), hot.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (hot.size() > limits::kHotColumnsMax) hot.resize(limits::kHotColumnsMax);
  std::vector<std::string> out;
  out.reserve(hot.size());
  for (auto& h : hot) out.push_back(std::move(h.second));
  return out;
}

std::vector<std::string> HotColumns::Names() const { return Names(NowNs()); }

bool HotColumns::ReadsTime(int64_t now_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  return time_.HotAt(now_ns);
}

bool HotColumns::ReadsTime() const { return ReadsTime(NowNs()); }

void HotColumns::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  reads_.clear();
  time_ = Reads{};
}

}  // namespace vigia
