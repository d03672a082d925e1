#include "redactor.h"

#include <gtest/gtest.h>

namespace vigia::sdk::internal {
namespace {

std::string R(std::string_view s) {
  std::string out;
  return redact_string(s, &out) ? out : std::string(s);
}

TEST(Redactor, SecretKeys) {
  EXPECT_TRUE(is_secret_key("password"));
  EXPECT_TRUE(is_secret_key("db_Password"));
  EXPECT_TRUE(is_secret_key("Authorization"));
  EXPECT_TRUE(is_secret_key("api_key"));
  EXPECT_TRUE(is_secret_key("senha"));
  EXPECT_FALSE(is_secret_key("user_id"));
  EXPECT_FALSE(is_secret_key("route"));
}

TEST(Redactor, BearerAndJwtInText) {
  EXPECT_EQ(R("auth header Bearer abcdefghijkl123 sent"), "auth header Bearer [REDACTED] sent");
  std::string jwt =
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
      "XgL0n3I9PlFUP0THsR8U";
  EXPECT_EQ(R("token " + jwt + " end"), "token [REDACTED] end");
  EXPECT_EQ(R("nothing to see here"), "nothing to see here");
  // Short "bearer x" is prose, not a credential.
  EXPECT_EQ(R("a bearer of news"), "a bearer of news");
}

TEST(Redactor, KeyValuePairs) {
  EXPECT_EQ(R("login password=hunter2 user=bob"), "login password=[REDACTED] user=bob");
  EXPECT_EQ(R("{\"password\": \"hunter2\", \"u\": 1}"), "{\"password\": \"[REDACTED]\", \"u\": 1}");
  EXPECT_EQ(R("url?api_key=XYZ123&x=1"), "url?api_key=[REDACTED]&x=1");
  EXPECT_EQ(R("ratio=3 time: 5"), "ratio=3 time: 5");
  // The credential after an authorization key is the scheme and its token, not the scheme
  // alone (which would leave the token readable).
  EXPECT_EQ(R("upstream Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA failed"),
            "upstream Authorization: [REDACTED] failed");
  EXPECT_EQ(R("header authorization=Basic dXNlcjpzM2NyZXRwYXNz rejected"),
            "header authorization=[REDACTED] rejected");
}

}  // namespace
}  // namespace vigia::sdk::internal
