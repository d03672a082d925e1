// Metrics: counters, gauges and histograms (p50/p95/p99, min/max/avg) owned by a Logger and
// emitted as `metric` events periodically and as the session summary at shutdown (seed 001).
// Values are cumulative since start (like Prometheus counters/summaries), so a lost periodic
// event loses no information.
//
// Thread-safety: all methods are thread-safe. Registration (counter()/gauge()/histogram())
// takes a mutex and may allocate — look a metric up once and keep the reference, which stays
// valid for the registry's lifetime. Recording is lock-free (relaxed atomics).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vigia::sdk {

class Counter {
 public:
  void add(int64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double d) { v_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

struct HistogramSnapshot {
  uint64_t count = 0;
  double sum = 0, min = 0, max = 0, avg = 0, p50 = 0, p95 = 0, p99 = 0;
};

// Log-linear buckets (16 per power of two, relative error <= 3%) over positive values;
// values <= 0 land in bucket 0 and are exact through min.
class Histogram {
 public:
  static constexpr int kSubBits = 4;
  static constexpr int kMinExp = -20;  // ~1e-6
  static constexpr int kMaxExp = 44;   // ~1.7e13
  static constexpr int kBuckets = (kMaxExp - kMinExp) << kSubBits;

  void record(double v);
  HistogramSnapshot snapshot() const;

 private:
  static int bucket_of(double v);
  static double bucket_mid(int b);
  std::atomic<uint64_t> buckets_[kBuckets] = {};
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
  std::atomic<double> min_{1e300};
  std::atomic<double> max_{-1e300};
};

// Records the elapsed milliseconds into a histogram when destroyed.
class ScopedTimer {
 public:
  explicit ScopedTimer(Histogram& h) : h_(h), start_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() {
    h_.record(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
                  .count());
  }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Histogram& h_;
  std::chrono::steady_clock::time_point start_;
};

class Metrics {
 public:
  Counter& counter(std::string_view name);
  Gauge& gauge(std::string_view name);
  // Timers are histograms whose unit is milliseconds.
  Histogram& histogram(std::string_view name, std::string_view unit = "ms");

  struct Entry {
    std::string name, type, unit;
    double value = 0;
    HistogramSnapshot hist;  // type == "histogram" only
  };
  std::vector<Entry> snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Counter*, std::less<>> counters_;
  std::map<std::string, Gauge*, std::less<>> gauges_;
  std::map<std::string, std::pair<Histogram*, std::string>, std::less<>> histograms_;
  std::deque<Counter> counter_store_;
  std::deque<Gauge> gauge_store_;
  std::deque<Histogram> histogram_store_;
};

}  // namespace vigia::sdk
