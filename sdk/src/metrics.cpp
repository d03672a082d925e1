#include "vigia/metrics.h"

#include <cmath>

namespace vigia::sdk {

int Histogram::bucket_of(double v) {
  if (!(v > 0)) return 0;
  int exp;
  double m = std::frexp(v, &exp);  // v = m * 2^exp, m in [0.5, 1)
  if (exp <= kMinExp) return 0;
  if (exp > kMaxExp) return kBuckets - 1;
  int sub = static_cast<int>((m - 0.5) * 2 * (1 << kSubBits));
  if (sub >= (1 << kSubBits)) sub = (1 << kSubBits) - 1;
  return ((exp - kMinExp - 1) << kSubBits) + sub;
}

double Histogram::bucket_mid(int b) {
  int exp = (b >> kSubBits) + kMinExp + 1;
  int sub = b & ((1 << kSubBits) - 1);
  double lo = std::ldexp(0.5 + static_cast<double>(sub) / (2 << kSubBits), exp);
  double hi = std::ldexp(0.5 + static_cast<double>(sub + 1) / (2 << kSubBits), exp);
  return (lo + hi) / 2;
}

void Histogram::record(double v) {
  if (std::isnan(v)) return;
  buckets_[bucket_of(v)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  double cur = min_.load(std::memory_order_relaxed);
  while (v < cur && !min_.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
  cur = max_.load(std::memory_order_relaxed);
  while (v > cur && !max_.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  uint64_t counts[kBuckets];
  uint64_t total = 0;
  for (int i = 0; i < kBuckets; ++i)
    total += counts[i] = buckets_[i].load(std::memory_order_relaxed);
  if (total == 0) return s;
  s.count = total;
  s.sum = sum_.load(std::memory_order_relaxed);
  s.min = min_.load(std::memory_order_relaxed);
  s.max = max_.load(std::memory_order_relaxed);
  s.avg = s.sum / static_cast<double>(total);
  auto q = [&](double quantile) {
    uint64_t rank = static_cast<uint64_t>(std::ceil(quantile * static_cast<double>(total)));
    if (rank == 0) rank = 1;
    uint64_t acc = 0;
    for (int i = 0; i < kBuckets; ++i) {
      acc += counts[i];
      if (acc >= rank) {
        double v = i == 0 ? s.min : bucket_mid(i);
        // The bucket midpoint may lie outside the observed range; clamp to it.
        return std::fmin(std::fmax(v, s.min), s.max);
      }
    }
    return s.max;
  };
  s.p50 = q(0.50);
  s.p95 = q(0.95);
  s.p99 = q(0.99);
  return s;
}

Counter& Metrics::counter(std::string_view name) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = counters_.find(name);
  if (it != counters_.end()) return *it->second;
  Counter* c = &counter_store_.emplace_back();
  counters_.emplace(std::string(name), c);
  return *c;
}

Gauge& Metrics::gauge(std::string_view name) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = gauges_.find(name);
  if (it != gauges_.end()) return *it->second;
  Gauge* c = &gauge_store_.emplace_back();
  gauges_.emplace(std::string(name), c);
  return *c;
}

Histogram& Metrics::histogram(std::string_view name, std::string_view unit) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = histograms_.find(name);
  if (it != histograms_.end()) return *it->second.first;
  Histogram* h = &histogram_store_.emplace_back();
  histograms_.emplace(std::string(name), std::make_pair(h, std::string(unit)));
  return *h;
}

std::vector<Metrics::Entry> Metrics::snapshot() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<Entry> out;
  for (const auto& [n, c] : counters_)
    out.push_back({n, "counter", "", static_cast<double>(c->value()), {}});
  for (const auto& [n, c] : gauges_) out.push_back({n, "gauge", "", c->value(), {}});
  for (const auto& [n, h] : histograms_) {
    Entry e{n, "histogram", h.second, 0, h.first->snapshot()};
    e.value = e.hist.avg;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vigia::sdk
