#include "common/fault_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace vigia {
namespace {

class FaultEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_fault_env_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
  FaultEnv env_{Env::Default()};
};

TEST_F(FaultEnvTest, FailsTheNthWriteWithATornWrite) {
  auto f = env_.NewWritableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  env_.FailWriteAt(2);
  EXPECT_TRUE((*f)->Append("0123456789").ok());
  Status st = (*f)->Append("abcdefghij");
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_TRUE((*f)->Append("XY").ok());  // only the n-th fails
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(*env_.ReadFileToString(Path("a")), "0123456789abcdeXY");
}

TEST_F(FaultEnvTest, FailsTheNthSyncAndRename) {
  auto f = env_.NewWritableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  env_.FailSyncAt(1);
  EXPECT_FALSE((*f)->Sync().ok());
  EXPECT_TRUE((*f)->Sync().ok());
  env_.FailRenameAt(1);
  EXPECT_FALSE(env_.RenameFile(Path("a"), Path("b")).ok());
  EXPECT_TRUE(env_.RenameFile(Path("a"), Path("b")).ok());
  EXPECT_TRUE(env_.FileExists(Path("b")));
}

TEST_F(FaultEnvTest, CrashMakesEverythingFail) {
  auto f = env_.NewWritableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  env_.CrashAtSync(1);
  EXPECT_FALSE((*f)->Sync().ok());
  EXPECT_TRUE(env_.crashed());
  EXPECT_FALSE((*f)->Append("x").ok());
  EXPECT_FALSE(env_.NewWritableFile(Path("b")).ok());
  EXPECT_FALSE(env_.CreateDir(Path("d")).ok());
}

TEST_F(FaultEnvTest, DropUnsyncedDataKeepsOnlySyncedBytes) {
  auto f = env_.NewWritableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("durable").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("-lost").ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto g = env_.NewWritableFile(Path("never_synced"));
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE((*g)->Append("gone").ok());
  ASSERT_TRUE((*g)->Close().ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(*env_.ReadFileToString(Path("a")), "durable");
  EXPECT_EQ(*env_.ReadFileToString(Path("never_synced")), "");
}

TEST_F(FaultEnvTest, ReadOnlyRefusesMutations) {
  env_.SetReadOnly(true);
  EXPECT_FALSE(env_.NewWritableFile(Path("a")).ok());
  env_.SetReadOnly(false);
  EXPECT_TRUE(env_.NewWritableFile(Path("a")).ok());
}

}  // namespace
}  // namespace vigia
