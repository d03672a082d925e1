// DataDirLock: one holder at a time (also within one process), the holder's pid and program
// in the refusal, released on destruction, a stale LOCK file never blocks, and the LOCK file
// is never part of a backup.
#include "store/data_dir_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/format/file_names.h"

namespace vigia {
namespace {

TEST(DataDirLockTest, OneHolderAtATimeNamingItsPid) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vigia_lock_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string data = (dir / "data").string();
  {
    // A LOCK file left by a dead process (or restored from anywhere) does not block.
    std::filesystem::create_directories(data);
    std::ofstream(data + "/LOCK") << "999999999 vigia serve\n";
  }
  Result<std::unique_ptr<DataDirLock>> first =
      DataDirLock::Acquire(Env::Default(), data, "test one");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::unique_ptr<DataDirLock>> second = DataDirLock::Acquire(Env::Default(), data, "two");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("data directory " + data + " is in use by pid " +
                                           std::to_string(::getpid()) + " (test one)"),
            std::string::npos)
      << second.status().message();
  first->reset();
  EXPECT_TRUE(DataDirLock::Acquire(Env::Default(), data, "two").ok());
  // Created when missing, with its parents.
  EXPECT_TRUE(DataDirLock::Acquire(Env::Default(), (dir / "new" / "data").string(), "x").ok());
  EXPECT_TRUE(file_names::IsTransientDataFile(file_names::kLockFile));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigia
