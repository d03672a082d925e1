// Test helpers of src/monitor: request events built in memory and a RowEvaluatorBackend
// (the reference engine) over them, so KPI and SLO tests run real VQL without a store.
// Thread-safety: test-only, single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "query/row_evaluator_backend.h"

namespace vigia::testing {

inline constexpr int64_t kSec = 1'000'000'000;
inline constexpr int64_t kMin = 60 * kSec;
inline constexpr int64_t kHour = 60 * kMin;
// 2026-11-22T12:00:00Z.
inline constexpr int64_t kNow = int64_t{1795348800} * kSec;

struct Request {
  int64_t ts_ns = kNow - kMin;
  int64_t status = 200;
  double duration_ms = 20;
  std::string ip = "203.0.113.7";
  std::string route = "/sales/{id}/pay";
  std::string service = "sales-api";
  std::string method = "POST";
};

class EventSet {
 public:
  EventSet() : batch_(std::make_shared<EventBatch>()) {}

  void Add(const Request& r, int n = 1) {
    for (int i = 0; i < n; ++i) {
      EventBatch& b = *batch_;
      b.BeginEvent(r.ts_ns);
      b.AddField("kind", Value::String("request"));
      b.AddField("level", Value::String("info"));
      b.AddField("service", Value::String(b.arena().Copy(r.service)));
      b.AddField("method", Value::String(b.arena().Copy(r.method)));
      b.AddField("route", Value::String(b.arena().Copy(r.route)));
      b.AddField("status", Value::Int(r.status));
      b.AddField("duration_ms", Value::Float(r.duration_ms));
      b.AddField("ip", Value::String(b.arena().Copy(r.ip)));
    }
  }
  // A log event carrying the secret-redaction marker.
  void AddRedacted(int64_t ts_ns, int n = 1) {
    for (int i = 0; i < n; ++i) {
      EventBatch& b = *batch_;
      b.BeginEvent(ts_ns);
      b.AddField("kind", Value::String("log"));
      b.AddField("level", Value::String("warn"));
      b.AddField("msg", Value::String("login with password=[REDACTED]"));
      b.AddField("redacted", Value::String("password"));
    }
  }
  const EventBatch& batch() const { return *batch_; }

  std::unique_ptr<QueryBackend> Backend() const {
    std::shared_ptr<EventBatch> b = batch_;
    return std::make_unique<RowEvaluatorBackend>(
        [b](const std::function<Status(const EventBatch&)>& add) { return add(*b); });
  }

 private:
  std::shared_ptr<EventBatch> batch_;
};

}  // namespace vigia::testing
