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

void HotColumns::Note(std::span<const std::string> names, bool reads_time, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (reads_time) time_read_ns_ = now_ns;
  for (const std::string& n : names) last_read_[n] = now_ns;
  // Over the bound: the least recently read names go (a handful of entries: a linear scan).
  while (last_read_.size() > limits::kHotColumnsMax) {
    auto oldest =
        std::min_element(last_read_.begin(), last_read_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    last_read_.erase(oldest);
  }
}

void HotColumns::Note(std::span<const std::string> names, bool reads_time) {
  Note(names, reads_time, NowNs());
}

std::vector<std::string> HotColumns::Names(int64_t now_ns) const {
  std::vector<std::pair<int64_t, std::string>> fresh;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, read_ns] : last_read_) {
      if (Fresh(read_ns, now_ns)) fresh.emplace_back(read_ns, name);
    }
  }
  std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  out.reserve(fresh.size());
  for (auto& f : fresh) out.push_back(std::move(f.second));
  return out;
}

std::vector<std::string> HotColumns::Names() const { return Names(NowNs()); }

bool HotColumns::ReadsTime(int64_t now_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  return Fresh(time_read_ns_, now_ns);
}

bool HotColumns::ReadsTime() const { return ReadsTime(NowNs()); }

void HotColumns::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  last_read_.clear();
  time_read_ns_ = -1;
}

}  // namespace vigia
