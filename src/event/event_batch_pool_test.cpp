#include "event/event_batch_pool.h"

#include <gtest/gtest.h>

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/limits.h"

namespace vigia {
namespace {

// Enough fields that the array is above the pool's minimum size.
constexpr size_t kEvents = 1000;
constexpr size_t kFieldsPerEvent = 8;
static_assert(kEvents * kFieldsPerEvent * sizeof(Field) >= limits::kBatchPoolMinBufferBytes);

constexpr std::string_view kNames[kFieldsPerEvent] = {"msg", "a", "b", "c", "d", "e", "f", "g"};

void Fill(EventBatch* b, int seed) {
  b->Reserve(kEvents, kEvents * kFieldsPerEvent);
  for (size_t i = 0; i < kEvents; ++i) {
    b->BeginEvent(static_cast<int64_t>(i));
    for (size_t k = 0; k < kFieldsPerEvent; ++k) {
      b->AddField(kNames[k],
                  Value::Int(seed * 1000 + static_cast<int64_t>(i * kFieldsPerEvent + k)));
    }
  }
}

TEST(EventBatchPoolTest, ADestroyedBatchsArraysServeTheNextBatch) {
  const auto before = BatchFieldPool().stats();
  const Field* first_fields = nullptr;
  {
    EventBatch a;
    Fill(&a, 1);
    first_fields = a.fields(a.events()[0]).data();
  }
  EXPECT_GE(BatchFieldPool().stats().gives, before.gives + 1);
  EventBatch b;
  Fill(&b, 2);
  EXPECT_EQ(b.fields(b.events()[0]).data(), first_fields);  // the same pages, reused
  EXPECT_GE(BatchFieldPool().stats().takes, before.takes + 1);
  // Nothing of the first batch shows through: every value is the second's.
  for (size_t i = 0; i < b.size(); ++i) {
    const auto f = b.fields(b.events()[i]);
    ASSERT_EQ(f.size(), kFieldsPerEvent);
    for (size_t k = 0; k < f.size(); ++k) {
      EXPECT_EQ(f[k].value.i, 2000 + static_cast<int64_t>(i * kFieldsPerEvent + k));
    }
  }
}

TEST(EventBatchPoolTest, RebuiltFieldArraysKeepEveryEventsFields) {
  EventBatch b;
  Fill(&b, 3);
  // Out of event order, so AppendFields cannot work in place and rebuilds the array with a
  // pooled buffer.
  std::swap(b.mutable_events()[0], b.mutable_events()[1]);
  std::vector<std::pair<uint32_t, Field>> extra;
  for (uint32_t i = 0; i < b.size(); i += 3) extra.push_back({i, {"marker", Value::Int(i)}});
  b.AppendFields(extra);
  b.SetOnEveryEvent("tenant", Value::String("t1"));
  for (uint32_t i = 0; i < b.size(); ++i) {
    const EventBatch::EventRef& e = b.events()[i];
    const uint32_t original = i == 0 ? 1 : i == 1 ? 0 : i;
    const size_t want = kFieldsPerEvent + (i % 3 == 0 ? 1 : 0) + 1;
    ASSERT_EQ(e.num_fields, want) << i;
    EXPECT_EQ(b.fields(e)[0].value.i, 3000 + static_cast<int64_t>(original * kFieldsPerEvent));
    const Value* marker = b.Find(e, "marker");
    EXPECT_EQ(marker != nullptr, i % 3 == 0);
    if (marker != nullptr) {
      EXPECT_EQ(marker->i, i);
    }
    ASSERT_NE(b.Find(e, "tenant"), nullptr);
    EXPECT_EQ(b.Find(e, "tenant")->s, "t1");
  }
}

}  // namespace
}  // namespace vigia
