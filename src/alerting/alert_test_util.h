// Test helpers of the alerting tests: an in-memory event list served by the row evaluator
// (the reference engine) as a QueryBackend, so rule evaluation runs real VQL without a store.
//
// Thread-safety: MemoryEvents is guarded by a mutex (the engine may query from a scheduler
// thread while the test adds events).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/time_units.h"
#include "event/event.h"
#include "query/row_evaluator_backend.h"

namespace vigia::testing {

inline constexpr int64_t kSec = kNanosPerSecond;
// The tests' "now": 2026-11-30T00:00:00Z, a Monday.
inline constexpr int64_t kT0 = 1'795'996'800LL * kSec;

struct TestEvent {
  int64_t ts_ns = 0;
  std::vector<std::pair<std::string, std::variant<std::string, int64_t, double>>> fields;
};

class MemoryEvents {
 public:
  void Add(TestEvent e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  void Clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }
  std::unique_ptr<QueryBackend> Backend() {
    return std::make_unique<RowEvaluatorBackend>(
        [this](const std::function<Status(const EventBatch&)>& add) {
          EventBatch batch;
          {
            std::lock_guard lock(mu_);
            for (const TestEvent& e : events_) {
              batch.BeginEvent(e.ts_ns);
              for (const auto& [name, v] : e.fields) {
                std::string_view n = batch.arena().Copy(name);
                if (const auto* s = std::get_if<std::string>(&v)) {
                  batch.AddField(n, Value::String(batch.arena().Copy(*s)));
                } else if (const auto* i = std::get_if<int64_t>(&v)) {
                  batch.AddField(n, Value::Int(*i));
                } else {
                  batch.AddField(n, Value::Float(std::get<double>(v)));
                }
              }
            }
          }
          return add(batch);
        });
  }

 private:
  std::mutex mu_;
  std::vector<TestEvent> events_;
};

}  // namespace vigia::testing
