#include "vigia/field.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace vigia::sdk {
namespace {

// Keys up to Field::kInlineKey bytes live in the Field, longer ones are viewed where the
// caller keeps them: key() must give the same bytes either way, on both sides of the limit.
TEST(Field, KeysOfEveryLengthAroundTheInlineLimit) {
  for (size_t n = 0; n <= Field::kInlineKey + 2; ++n) {
    std::string key;
    for (size_t i = 0; i < n; ++i) key.push_back(static_cast<char>('a' + i));
    const Field f(key, 7);
    EXPECT_EQ(f.key(), key) << n;
    EXPECT_EQ(f.key_size(), n);
    EXPECT_EQ(f.type(), Field::Type::kInt);
    EXPECT_EQ(f.as_int(), 7);
    if (n <= Field::kInlineKey) {
      // Held inline: the caller's bytes may change or go away, and the bytes past the key
      // are zero.
      const std::string original = key;
      key.assign(n, 'x');
      EXPECT_EQ(f.key(), original) << n;
      char padded[Field::kInlineKey] = {};
      std::memcpy(padded, original.data(), n);
      uint64_t expected;
      std::memcpy(&expected, padded, sizeof expected);
      EXPECT_EQ(f.inline_key(), expected) << n;
    } else {
      EXPECT_EQ(f.key().data(), key.data());
    }
  }
}

TEST(Field, InlineKeySurvivesCopiesAndEveryValueType) {
  std::vector<Field> fields;
  {
    const std::string k = "sale_id";  // dies before the fields are read
    fields = {{k, 1234},         {"amount", 123.5}, {"ok", true},
              {"method", "pix"}, {"none", nullptr}, {"", "empty key"}};
  }
  const Field copy = fields[0];
  EXPECT_EQ(copy.key(), "sale_id");
  EXPECT_EQ(fields[0].key(), "sale_id");
  EXPECT_EQ(fields[0].as_int(), 1234);
  EXPECT_EQ(fields[1].key(), "amount");
  EXPECT_EQ(fields[1].type(), Field::Type::kDouble);
  EXPECT_EQ(fields[1].as_double(), 123.5);
  EXPECT_TRUE(fields[2].as_bool());
  EXPECT_EQ(fields[3].as_string(), "pix");
  EXPECT_EQ(fields[4].type(), Field::Type::kNull);
  EXPECT_EQ(fields[5].key(), "");
  EXPECT_EQ(fields[5].as_string(), "empty key");
  // The low 16 bits are the queue's field header: type | key length << 8.
  EXPECT_EQ(fields[3].type_key_len(),
            static_cast<uint64_t>(Field::Type::kString) | uint64_t{6} << 8);
  const std::string long_key(300, 'k');
  EXPECT_EQ(Field(long_key, 1).type_key_len() >> 8, 300u);
  EXPECT_EQ(Field(long_key, 1).type(), Field::Type::kInt);
}

TEST(Field, LiteralFieldsAreConstants) {
  constexpr Field f("sale_id", 1234);
  static_assert(f.key_size() == 7 && f.type() == Field::Type::kInt && f.as_int() == 1234);
  constexpr Field g("a_longer_key", "v");
  static_assert(g.key_size() == 12 && g.as_string() == "v");
  EXPECT_EQ(g.key(), "a_longer_key");
}

}  // namespace
}  // namespace vigia::sdk
