// MetricRegistry: vigia's own metrics — counters, gauges and histograms, each a family with
// a name, a help text and label names, and one series per set of label values — written in
// the Prometheus text exposition format (version 0.0.4) by GET /metrics.
//
// Every subsystem registers what it counts here instead of keeping private counters, so
// /metrics, /v1/stats and `vigia check` read one source. Hot paths look a series up once
// (under the registry's mutex) and keep the returned pointer, which stays valid for the
// registry's lifetime; updating a series is one relaxed atomic operation.
//
// Cardinality is bounded: a family holds at most `max_series` label sets (default
// limits::kMaxSeriesPerMetricFamily). Past it, new label sets share one overflow series whose
// label values are all "other", and vigia_metric_series_overflow_total{family} counts the
// lookups that landed there — a metric never grows memory without bound because a client
// sent many routes.
//
// Values computed at scrape time (memtable bytes, open files) come from collectors:
// functions run at the start of every Exposition() that set gauges.
//
// Names follow Prometheus conventions: vigia_<subsystem>_<what>_<unit>, counters end in
// _total. Label names match [a-zA-Z_][a-zA-Z0-9_]*.
//
// Thread-safety: thread-safe. Series pointers may be used from any thread. Collectors run
// on the thread calling Exposition(), one scrape at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/limits.h"

namespace vigia {

// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets by upper bound (le), plus sum and count.
class Histogram {
 public:
  // REQUIRES: bounds strictly increasing (the +Inf bucket is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is +Inf).
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// kSampledCounter: a counter whose running total is kept elsewhere and copied in at scrape
// time as a float (CPU seconds): exposed as TYPE counter, held in a Gauge.
enum class MetricKind { kCounter, kGauge, kHistogram, kSampledCounter };

// Bucket bounds for latencies in seconds: 1 ms to 10 s.
std::vector<double> LatencySecondsBuckets();

class MetricRegistry {
 public:
  MetricRegistry();
  MetricRegistry(const MetricRegistry&) = delete;
  MetricRegistry& operator=(const MetricRegistry&) = delete;

  // The series of family `name` with `values` (one per label name), created on first use.
  // The first call for a name fixes its help, label names (and bounds); later calls must
  // pass the same kind and label names. REQUIRES: values.size() == label_names.size().
  Counter* GetCounter(std::string_view name, std::string_view help,
                      const std::vector<std::string>& label_names = {},
                      const LabelValues& values = {});
  Gauge* GetGauge(std::string_view name, std::string_view help,
                  const std::vector<std::string>& label_names = {}, const LabelValues& values = {});
  // A counter set from a total kept elsewhere (a collector copies it in): the caller only
  // ever sets non-decreasing values. For float totals (process_cpu_seconds_total), which a
  // Counter (integer increments) cannot hold.
  Gauge* GetSampledCounter(std::string_view name, std::string_view help,
                           const std::vector<std::string>& label_names = {},
                           const LabelValues& values = {});
  Histogram* GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& bounds,
                          const std::vector<std::string>& label_names = {},
                          const LabelValues& values = {});

  // Limits the label sets of family `name` (registered or not yet); default
  // limits::kMaxSeriesPerMetricFamily.
  void SetMaxSeries(std::string_view name, size_t max_series);

  // Runs before every exposition, to set gauges computed on demand.
  void AddCollector(std::function<void()> collector);

  // The text exposition of every family, sorted by name.
  std::string Exposition() const;

 private:
  using Kind = MetricKind;
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::map<LabelValues, Series> series;
  };
  // The family `name`, created on first use. REQUIRES: mu_ held.
  Family* FamilyFor(std::string_view name, std::string_view help, Kind kind,
                    const std::vector<std::string>& label_names, const std::vector<double>& bounds);
  // The family's series for `values`, or its overflow series. REQUIRES: mu_ held.
  Series* SeriesFor(std::string_view name, Family* family, const LabelValues& values);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::map<std::string, size_t, std::less<>> max_series_;
  std::vector<std::function<void()>> collectors_;
  mutable std::mutex scrape_mu_;  // one collector pass at a time
};

// Escapes a label value for the exposition format (backslash, quote, newline).
std::string EscapeLabelValue(std::string_view v);

}  // namespace vigia
