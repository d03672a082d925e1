#include "server/api_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace vigia {
namespace {

TEST(ApiKeysTest, DisabledWithoutKeysAcceptsAnything) {
  Result<ApiKeys> keys = ApiKeys::Load("", "");
  ASSERT_TRUE(keys.ok());
  EXPECT_FALSE(keys->enabled());
  EXPECT_TRUE(keys->Check("").ok());
}

TEST(ApiKeysTest, EnvKeysCommaSeparatedAndTrimmed) {
  Result<ApiKeys> keys = ApiKeys::Load(" k1 ,k2,,", "");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_TRUE(keys->Check("Bearer k1").ok());
  EXPECT_TRUE(keys->Check("Bearer k2").ok());
  EXPECT_EQ(keys->Check("Bearer k3").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(keys->Check("").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(keys->Check("Basic k1").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(keys->Check("Bearer ").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(keys->Check("Bearer k").code(), StatusCode::kUnauthenticated);
}

TEST(ApiKeysTest, FileKeysWithComments) {
  char path[] = "/tmp/vigia_keys_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream f(path);
    f << "# ingest keys\nfile-key-1\n\n  file-key-2  \n";
  }
  Result<ApiKeys> keys = ApiKeys::Load("env-key", path);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->size(), 3u);
  EXPECT_TRUE(keys->Check("Bearer file-key-2").ok());
  EXPECT_TRUE(keys->Check("Bearer env-key").ok());
  EXPECT_FALSE(keys->Check("Bearer # ingest keys").ok());
  std::remove(path);
}

TEST(ApiKeysTest, MissingOrEmptyFileIsAnError) {
  EXPECT_FALSE(ApiKeys::Load("", "/nonexistent/vigia/keys").ok());
  char path[] = "/tmp/vigia_keys_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  Result<ApiKeys> keys = ApiKeys::Load("", path);
  EXPECT_FALSE(keys.ok());
  std::remove(path);
}

TEST(ApiKeysTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace vigia
