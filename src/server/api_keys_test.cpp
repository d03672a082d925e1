#include "server/api_keys.h"

#include "server/auth_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace vigia {
namespace {

// The legacy keys as the server's authenticator sees them (no key store).
Status Auth(const ApiKeys& keys, std::string_view authorization) {
  return RequestAuthenticator(&keys, nullptr).Authenticate(authorization).status();
}

TEST(ApiKeysTest, DisabledWithoutKeysAcceptsAnything) {
  Result<ApiKeys> keys = ApiKeys::Load("", "");
  ASSERT_TRUE(keys.ok());
  EXPECT_FALSE(keys->enabled());
  EXPECT_TRUE(Auth(*keys, "").ok());
}

TEST(ApiKeysTest, EnvKeysCommaSeparatedAndTrimmed) {
  Result<ApiKeys> keys = ApiKeys::Load(" k1 ,k2,,", "");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_TRUE(Auth(*keys, "Bearer k1").ok());
  EXPECT_TRUE(Auth(*keys, "Bearer k2").ok());
  EXPECT_EQ(Auth(*keys, "Bearer k3").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Auth(*keys, "").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Auth(*keys, "Basic k1").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Auth(*keys, "Bearer ").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Auth(*keys, "Bearer k").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Auth(*keys, "Bearer k1 k2").code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(Auth(*keys, "bearer k1").ok());  // the scheme is case-insensitive
  // A legacy key is an admin of every tenant; the principal never carries the key.
  Result<Principal> p = RequestAuthenticator(&*keys, nullptr).Authenticate("Bearer k1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, Role::kAdmin);
  EXPECT_TRUE(p->all_tenants);
  EXPECT_EQ(p->key_id, "legacy");
  // Errors never echo the key.
  EXPECT_EQ(Auth(*keys, "Bearer secret-guess").message().find("secret-guess"), std::string::npos);
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
  EXPECT_TRUE(Auth(*keys, "Bearer file-key-2").ok());
  EXPECT_TRUE(Auth(*keys, "Bearer env-key").ok());
  EXPECT_FALSE(Auth(*keys, "Bearer # ingest keys").ok());
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
