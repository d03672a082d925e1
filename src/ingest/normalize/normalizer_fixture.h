// Test fixture shared by the normalizer tests: normalizes one line into a fresh batch and
// reads its fields back. Thread-safety: test-only, single-threaded.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "event/event_json.h"
#include "event/event_test_util.h"
#include "ingest/normalize/normalizer.h"

namespace vigia {

class NormalizerFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kRecv = 1'700'000'000'123'456'789;

  // Normalizes `line` into a fresh batch.
  Status Norm(std::string_view line) {
    batch_ = EventBatch();
    return normalizer_.Normalize(line, kRecv, &batch_);
  }
  const EventBatch::EventRef& Ev() { return batch_.events().back(); }
  // The value of `name`, or a Null value when absent.
  Value Get(std::string_view name) {
    const Value* v = batch_.Find(Ev(), name);
    return v ? *v : Value::Null();
  }
  bool Has(std::string_view name) { return batch_.Find(Ev(), name) != nullptr; }
  std::vector<std::string> Names() {
    std::vector<std::string> out;
    for (const Field& f : batch_.fields(Ev())) out.emplace_back(f.name);
    return out;
  }
  std::string Json() { return EventJson(batch_, Ev()); }

  Normalizer normalizer_;
  EventBatch batch_;
};

}  // namespace vigia
