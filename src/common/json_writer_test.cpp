#include "common/json_writer.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

TEST(JsonWriterTest, WritesNestedValues) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("a", int64_t{1}).Key("b").BeginArray().String("x").Null().Bool(true).EndArray();
  w.KV("c", 1.5).EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":["x",null,true],"c":1.5})");
}

TEST(JsonWriterTest, EscapesControlAndQuotes) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
}

TEST(JsonWriterTest, ReplacesInvalidUtf8) {
  std::string out;
  AppendJsonString(&out, "ok\xff\xc3\xa9");
  EXPECT_EQ(out, "\"ok\xEF\xBF\xBD\xC3\xA9\"");
}

}  // namespace
}  // namespace vigia
