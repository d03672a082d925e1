#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "event/event.h"

namespace vigia {
namespace {

// Value keeps one promise beyond "read the member `type` names": a scalar's `s` is empty (old
// code compared `s` without looking at `type`). The scalars overlay string_view's pointer, so
// this also checks the layout event.h assumes.
TEST(ValueTest, ScalarsLeaveTheStringEmpty) {
  const Value values[] = {Value::Null(),
                          Value::Bool(true),
                          Value::Int(-1),
                          Value::Int(std::numeric_limits<int64_t>::max()),
                          Value::Float(-0.5),
                          Value::Float(std::numeric_limits<double>::quiet_NaN())};
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

}  // namespace
}  // namespace vigia
