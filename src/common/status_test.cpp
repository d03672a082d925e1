#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace vigia {
namespace {

Result<int> Parse(bool good) {
  if (!good) return Status::Corruption("block 3 checksum mismatch");
  return 42;
}

TEST(ResultTest, ValueOfAnOkResult) {
  Result<int> r = Parse(true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  Result<std::unique_ptr<std::string>> p(std::make_unique<std::string>("x"));
  std::unique_ptr<std::string> moved = std::move(p).value();
  EXPECT_EQ(*moved, "x");
}

TEST(ResultTest, ErrorKeepsItsStatus) {
  Result<int> r = Parse(false);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.status().ToString(), "Corruption: block 3 checksum mismatch");
}

// The check is on in every build type (Release drops assert): reading the value of an error
// is a bug, reported with the status, and the process stops.
TEST(ResultDeathTest, ValueOnErrorAbortsNamingTheStatus) {
  Result<int> r = Parse(false);
  EXPECT_DEATH((void)r.value(),
               "bug: Result::value\\(\\) on error: Corruption: block 3 checksum mismatch");
  const Result<int>& cr = r;
  EXPECT_DEATH((void)*cr, "bug: Result::value\\(\\) on error: Corruption");
  EXPECT_DEATH((void)std::move(r).value(), "bug: Result::value\\(\\) on error: Corruption");
}

TEST(ResultDeathTest, ArrowOnErrorAborts) {
  Result<std::string> r = Status::NotFound("no such part");
  EXPECT_DEATH((void)r->size(), "bug: Result::value\\(\\) on error: NotFound: no such part");
}

TEST(ResultDeathTest, ConstructingFromAnOkStatusAborts) {
  EXPECT_DEATH((void)Result<int>(Status::Ok()), "bug: Result constructed from an OK Status");
}

}  // namespace
}  // namespace vigia
