#include "common/metric_registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace vigia {

namespace {

constexpr std::string_view kOverflowFamily = "vigia_metric_series_overflow_total";

const char* KindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kSampledCounter:
      return "counter";
    case MetricKind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void AppendNumber(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    out->append(buf);
  } else {
    // Shortest text that reads back as the same double (0.1, not 0.10000000000000001).
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, r.ptr);
  }
}

// `{a="x",b="y"` plus an optional extra pair, closed; nothing when there are no labels.
void AppendLabels(std::string* out, const std::vector<std::string>& names,
                  const LabelValues& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out->push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out->push_back(',');
    out->append(names[i]).append("=\"").append(EscapeLabelValue(values[i])).push_back('"');
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out->push_back(',');
    out->append(extra_name).append("=\"").append(extra_value).push_back('"');
  }
  out->push_back('}');
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Gauge::Add(double d) {
  double cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

std::vector<double> LatencySecondsBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

MetricRegistry::MetricRegistry() = default;

MetricRegistry::Family* MetricRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                  Kind kind,
                                                  const std::vector<std::string>& label_names,
                                                  const std::vector<double>& bounds) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->kind = kind;
    family->help = std::string(help);
    family->label_names = label_names;
    family->bounds = bounds;
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  Family* f = it->second.get();
  if (f->kind != kind || f->label_names != label_names) {
    // A programming error (two call sites disagree on a metric's shape), not user input.
    std::fprintf(stderr, "vigia: BUG: metric %.*s registered with another kind or labels\n",
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return f;
}

MetricRegistry::Series* MetricRegistry::SeriesFor(std::string_view name, Family* family,
                                                  const LabelValues& values) {
  if (values.size() != family->label_names.size()) {
    std::fprintf(stderr, "vigia: BUG: metric %.*s given %zu label values for %zu names\n",
                 static_cast<int>(name.size()), name.data(), values.size(),
                 family->label_names.size());
    std::abort();
  }
  auto it = family->series.find(values);
  if (it != family->series.end()) return &it->second;
  auto limit_it = max_series_.find(name);
  const size_t limit =
      limit_it == max_series_.end() ? limits::kMaxSeriesPerMetricFamily : limit_it->second;
  LabelValues key = values;
  if (family->series.size() >= limit && name != kOverflowFamily) {
    key.assign(values.size(), "other");
    Family* overflow = FamilyFor(kOverflowFamily,
                                 "Lookups of a new label set past its family's series limit, "
                                 "counted in the family's \"other\" series.",
                                 Kind::kCounter, {"family"}, {});
    SeriesFor(kOverflowFamily, overflow, {std::string(name)})->counter->Inc();
    it = family->series.find(key);
    if (it != family->series.end()) return &it->second;
  }
  Series s;
  switch (family->kind) {
    case Kind::kCounter:
      s.counter = std::make_unique<Counter>();
      break;
    case Kind::kGauge:
    case Kind::kSampledCounter:
      s.gauge = std::make_unique<Gauge>();
      break;
    case Kind::kHistogram:
      s.histogram = std::make_unique<Histogram>(family->bounds);
      break;
  }
  return &family->series.emplace(std::move(key), std::move(s)).first->second;
}

Counter* MetricRegistry::GetCounter(std::string_view name, std::string_view help,
                                    const std::vector<std::string>& label_names,
                                    const LabelValues& values) {
  std::lock_guard<std::mutex> lock(mu_);
  return SeriesFor(name, FamilyFor(name, help, Kind::kCounter, label_names, {}), values)
      ->counter.get();
}

Gauge* MetricRegistry::GetGauge(std::string_view name, std::string_view help,
                                const std::vector<std::string>& label_names,
                                const LabelValues& values) {
  std::lock_guard<std::mutex> lock(mu_);
  return SeriesFor(name, FamilyFor(name, help, Kind::kGauge, label_names, {}), values)->gauge.get();
}

Gauge* MetricRegistry::GetSampledCounter(std::string_view name, std::string_view help,
                                         const std::vector<std::string>& label_names,
                                         const LabelValues& values) {
  std::lock_guard<std::mutex> lock(mu_);
  return SeriesFor(name, FamilyFor(name, help, Kind::kSampledCounter, label_names, {}), values)
      ->gauge.get();
}

Histogram* MetricRegistry::GetHistogram(std::string_view name, std::string_view help,
                                        const std::vector<double>& bounds,
                                        const std::vector<std::string>& label_names,
                                        const LabelValues& values) {
  std::lock_guard<std::mutex> lock(mu_);
  return SeriesFor(name, FamilyFor(name, help, Kind::kHistogram, label_names, bounds), values)
      ->histogram.get();
}

void MetricRegistry::SetMaxSeries(std::string_view name, size_t max_series) {
  std::lock_guard<std::mutex> lock(mu_);
  max_series_[std::string(name)] = max_series;
}

void MetricRegistry::AddCollector(std::function<void()> collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricRegistry::Exposition() const {
  std::lock_guard<std::mutex> scrape(scrape_mu_);
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    collectors = collectors_;
  }
  // Collectors take mu_ themselves (GetGauge), so they run without it.
  for (const auto& c : collectors) c();

  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out.append("# HELP ").append(name).push_back(' ');
    out.append(EscapeHelp(family->help)).push_back('\n');
    out.append("# TYPE ").append(name).push_back(' ');
    out.append(KindName(family->kind)).push_back('\n');
    for (const auto& [values, s] : family->series) {
      switch (family->kind) {
        case Kind::kCounter:
          out.append(name);
          AppendLabels(&out, family->label_names, values);
          out.push_back(' ');
          AppendNumber(&out, static_cast<double>(s.counter->value()));
          out.push_back('\n');
          break;
        case Kind::kGauge:
        case Kind::kSampledCounter:
          out.append(name);
          AppendLabels(&out, family->label_names, values);
          out.push_back(' ');
          AppendNumber(&out, s.gauge->value());
          out.push_back('\n');
          break;
        case Kind::kHistogram: {
          const Histogram& h = *s.histogram;
          uint64_t cumulative = 0;
          for (size_t i = 0; i <= h.bounds().size(); ++i) {
            cumulative += h.bucket(i);
            std::string le;
            if (i == h.bounds().size()) {
              le = "+Inf";
            } else {
              AppendNumber(&le, h.bounds()[i]);
            }
            out.append(name).append("_bucket");
            AppendLabels(&out, family->label_names, values, "le", le);
            out.push_back(' ');
            AppendNumber(&out, static_cast<double>(cumulative));
            out.push_back('\n');
          }
          out.append(name).append("_sum");
          AppendLabels(&out, family->label_names, values);
          out.push_back(' ');
          AppendNumber(&out, h.sum());
          out.push_back('\n');
          out.append(name).append("_count");
          AppendLabels(&out, family->label_names, values);
          out.push_back(' ');
          AppendNumber(&out, static_cast<double>(cumulative));
          out.push_back('\n');
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace vigia
