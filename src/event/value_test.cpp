#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "event/event.h"

namespace vigia {
namespace {

// Value keeps one promise beyond "read the member `type` names": a scalar's `s` is empty (old
// code compared `s` without looking at `type`). The scalars overlay string_view's pointer, so
// this also checks the layout event.h assumes.
TEST(ValueTest, ScalarsLeaveTheStringEmpty) {
  const Value values[] = {
      Value::Null(),      Value::Bool(true),
      Value::Int(-1),     Value::Int(std::numeric_limits<int64_t>::max()),
      Value::Float(-0.5), Value::Float(std::numeric_limits<double>::quiet_NaN())};
  for (const Value& v : values) {
    EXPECT_TRUE(v.s.empty()) << static_cast<int>(v.type);
    EXPECT_EQ(v.s, std::string_view());
  }
}

TEST(ValueTest, EachTypeReadsBackWhatWasStored) {
  EXPECT_TRUE(Value::Bool(true).b);
  EXPECT_FALSE(Value::Bool(false).b);
  EXPECT_EQ(Value::Int(-42).i, -42);
  EXPECT_EQ(Value::Float(2.5).f, 2.5);
  EXPECT_EQ(Value::String("abc").s, "abc");
  Value v = Value::String("abc");
  v = Value::Int(7);  // a string overwritten by a scalar: empty string again
  EXPECT_TRUE(v.s.empty());
  EXPECT_EQ(v.i, 7);
}

TEST(ValueTest, EqualityFollowsTheType) {
  EXPECT_EQ(Value::Int(1), Value::Int(1));
  EXPECT_NE(Value::Int(1), Value::Float(1));
  EXPECT_NE(Value::Bool(true), Value::Int(1));
  EXPECT_EQ(Value::Float(NAN), Value::Float(NAN));
  EXPECT_EQ(Value::String("x"), Value::String(std::string("x")));
  EXPECT_EQ(Value::Null(), Value());
}

// AppendFields gives the same batch whether it rebuilds the field array or, with room
// reserved, shifts the fields in place.
TEST(EventBatchTest, AppendFieldsInPlaceAndRebuiltAgree) {
  for (const bool room : {false, true}) {
    EventBatch b;
    b.Reserve(5, room ? 64 : 9);  // 9: exactly the fields below, so the rebuild path runs
    for (int e = 0; e < 5; ++e) {
      b.BeginEvent(e);
      for (int k = 0; k <= e % 3; ++k) b.AddField("f", Value::Int(e * 10 + k));
    }
    ASSERT_EQ(b.total_fields(), 9u);
    const std::vector<std::pair<uint32_t, Field>> extra = {{0, Field{"m", Value::Int(100)}},
                                                           {3, Field{"m", Value::Int(103)}},
                                                           {4, Field{"m", Value::Int(104)}}};
    b.AppendFields(extra);
    ASSERT_EQ(b.size(), 5u);
    for (uint32_t e = 0; e < 5; ++e) {
      std::span<const Field> f = b.fields(b.events()[e]);
      const bool marked = e == 0 || e == 3 || e == 4;
      ASSERT_EQ(f.size(), e % 3 + 1 + (marked ? 1 : 0)) << "event " << e << " room " << room;
      for (uint32_t k = 0; k <= e % 3; ++k) {
        EXPECT_EQ(f[k].name, "f");
        EXPECT_EQ(f[k].value, Value::Int(e * 10 + k));
      }
      if (marked) {
        EXPECT_EQ(f.back().name, "m");
        EXPECT_EQ(f.back().value, Value::Int(100 + e));
      }
    }
  }
}

TEST(EventBatchTest, ClearKeepsRoomAndTheBatchRefillsLikeANewOne) {
  EventBatch b;
  b.Reserve(100, 400);
  for (int i = 0; i < 100; ++i) {
    b.BeginEvent(i);
    b.AddField("msg", Value::String(b.arena().Copy("event " + std::to_string(i))));
  }
  EXPECT_EQ(b.spare_events(), 0u);
  EXPECT_EQ(b.spare_fields(), 300u);
  b.Clear();
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.total_fields(), 0u);
  EXPECT_EQ(b.spare_events(), 100u);
  EXPECT_EQ(b.spare_fields(), 400u);
  b.BeginEvent(7);
  b.AddField("msg", Value::String(b.arena().Copy("again")));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.events()[0].ts_ns, 7);
  EXPECT_EQ(b.Find(b.events()[0], "msg")->s, "again");
  EXPECT_EQ(b.spare_events(), 99u);
}

}  // namespace
}  // namespace vigia
