#include "auth/key_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "common/fake_clock_env.h"

namespace vigia {
namespace {

constexpr int64_t kT0 = int64_t{1'767'225'600} * 1'000'000'000;  // 2026-01-01
constexpr int64_t kHour = int64_t{3600} * 1'000'000'000;

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigia_keys_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<KeyStore> Open() {
    auto ks = KeyStore::Open(&env_, dir_);
    EXPECT_TRUE(ks.ok()) << ks.status().ToString();
    return ks.ok() ? std::move(*ks) : nullptr;
  }
  std::string dir_;
  testing::FakeClockEnv env_{Env::Default(), kT0};
};

TEST_F(KeyStoreTest, CreateVerifyAndPersistOnlyTheHash) {
  auto ks = Open();
  auto k = ks->Create("acme", Role::kIngest, 0, "shipper");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->key.size(), 84u);
  EXPECT_EQ(k->key.substr(0, 3), "vk_");
  auto r = ks->Verify(k->key);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tenant, "acme");
  EXPECT_EQ(r->role, Role::kIngest);
  Principal p = r->ToPrincipal();
  EXPECT_FALSE(p.all_tenants);
  EXPECT_EQ(p.key_id, k->record.id);

  // The file has the hash, never the key or its secret part.
  std::string text = *Env::Default()->ReadFileToString(ks->path());
  EXPECT_EQ(text.find(k->key), std::string::npos);
  EXPECT_EQ(text.find(k->key.substr(20)), std::string::npos);
  EXPECT_NE(text.find(k->record.hash_hex), std::string::npos);
  EXPECT_EQ(std::filesystem::status(ks->path()).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);

  // Reopened: the same key still verifies.
  auto again = Open();
  ASSERT_EQ(again->List().size(), 1u);
  EXPECT_TRUE(again->Verify(k->key).ok());
}

TEST_F(KeyStoreTest, WrongMalformedRevokedAndExpiredKeysFail) {
  auto ks = Open();
  auto k = ks->Create("acme", Role::kRead, kHour, "");
  ASSERT_TRUE(k.ok());
  std::string wrong = k->key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& bad : {wrong, std::string("vk_"), std::string(""), k->key.substr(0, 83),
                                 k->key + "0", std::string(84, 'x')}) {
    auto r = ks->Verify(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(r.status().message(), "invalid API key");
  }
  env_.Advance(kHour);
  EXPECT_EQ(ks->Verify(k->key).status().message(), "API key expired");
  EXPECT_EQ(ks->ActiveCount(), 0u);

  auto k2 = ks->Create("acme", Role::kRead, 0, "");
  ASSERT_TRUE(k2.ok());
  EXPECT_TRUE(ks->Verify(k2->key).ok());
  ASSERT_TRUE(ks->Revoke(k2->record.id).ok());
  EXPECT_EQ(ks->Verify(k2->key).status().message(), "API key revoked");
  EXPECT_TRUE(ks->Revoke(k2->record.id).ok());
  EXPECT_EQ(ks->Revoke("0123456789abcdef").code(), StatusCode::kNotFound);
  // Revocation survives a restart.
  EXPECT_EQ(Open()->Verify(k2->key).status().message(), "API key revoked");
}

TEST_F(KeyStoreTest, TenantAndRoleRules) {
  auto ks = Open();
  EXPECT_FALSE(ks->Create("", Role::kRead, 0, "").ok());
  EXPECT_FALSE(ks->Create("a b", Role::kIngest, 0, "").ok());
  EXPECT_FALSE(ks->Create(std::string(65, 'a'), Role::kIngest, 0, "").ok());
  EXPECT_FALSE(ks->Create("acme", Role::kAdmin, 0, "").ok());
  EXPECT_FALSE(ks->Create("acme", Role::kRead, 0, "tab\there").ok());
  auto admin = ks->Create("", Role::kAdmin, 0, "ops");
  ASSERT_TRUE(admin.ok());
  EXPECT_TRUE(admin->record.ToPrincipal().all_tenants);
}

TEST_F(KeyStoreTest, CorruptFileIsAnErrorNotAnEmptyStore) {
  std::filesystem::create_directories(dir_ + "/auth");
  {
    auto f = std::move(*Env::Default()->NewWritableFile(dir_ + "/auth/api_keys.tsv"));
    ASSERT_TRUE(f->Append("not a keys file\n").ok());
    ASSERT_TRUE(f->Close().ok());
  }
  auto ks = KeyStore::Open(&env_, dir_);
  ASSERT_FALSE(ks.ok());
  EXPECT_EQ(ks.status().code(), StatusCode::kCorruption);
}

TEST(PrincipalTest, RolesPermit) {
  EXPECT_TRUE(Permits(Role::kIngest, Access::kIngest));
  EXPECT_FALSE(Permits(Role::kIngest, Access::kRead));
  EXPECT_FALSE(Permits(Role::kIngest, Access::kAdmin));
  EXPECT_FALSE(Permits(Role::kRead, Access::kIngest));
  EXPECT_TRUE(Permits(Role::kRead, Access::kRead));
  EXPECT_FALSE(Permits(Role::kRead, Access::kAdmin));
  for (Access a : {Access::kPublic, Access::kIngest, Access::kRead, Access::kAdmin}) {
    EXPECT_TRUE(Permits(Role::kAdmin, a));
  }
  EXPECT_EQ(ParseKeyTtl("30d").value(), int64_t{30} * 86400 * 1'000'000'000);
  EXPECT_FALSE(ParseKeyTtl("30").ok());
  EXPECT_FALSE(ParseKeyTtl("-1d").ok());
  EXPECT_FALSE(ParseKeyTtl("1y").ok());
}

}  // namespace
}  // namespace vigia
