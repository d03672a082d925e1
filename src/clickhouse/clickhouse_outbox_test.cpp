// ClickHouseOutbox without a ClickHouse (its URL refuses connections): appends are
// acknowledged into the outbox WAL and counted as backlog; past max_backlog_bytes Append
// refuses with Unavailable naming the bound; a reopened outbox finds every acknowledged
// event again with the same seq base; erasure and checkpoints say they are not available.
// The shipping itself, exactly once, is tests/clickhouse_server_it.cpp (a real server).
#include "clickhouse/clickhouse_outbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace vigia::clickhouse {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<EventBatch> Batch(int n) {
  auto b = std::make_shared<EventBatch>();
  for (int i = 0; i < n; ++i) {
    b->BeginEvent(1'763'805'600'000'000'000 + i);
    b->AddField("msg", Value::String("an event of the outbox test, long enough to count"));
    b->AddField("status", Value::Int(200 + i));
  }
  return b;
}

class ClickHouseOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigia_outbox_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    options_.data_dir = dir_.string();
    options_.url = "http://127.0.0.1:1";  // refused: nothing is ever shipped
    options_.ship_delay_ms = 1;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  ClickHouseOutboxOptions options_;
};

TEST_F(ClickHouseOutboxTest, AcknowledgesIntoTheWalAndFindsItAgainAfterReopen) {
  uint64_t base = 0;
  {
    auto o = ClickHouseOutbox::Open(options_);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    base = (*o)->seq_base();
    EXPECT_GE(base, uint64_t{1} << 40);
    EXPECT_LT(base, uint64_t{1} << 62);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*o)->Append(Batch(10)).ok());
    ClickHouseOutboxStats s = (*o)->outbox_stats();
    EXPECT_EQ(s.backlog_rows, 50u);
    EXPECT_GT(s.backlog_bytes, 0u);
    EXPECT_EQ(s.shipped_rows, 0u);
    EXPECT_TRUE(fs::exists(dir_ / "clickhouse" / "outbox.state"));
    EXPECT_FALSE((*o)->Erase(EraseRequest{}).ok());
    EXPECT_FALSE((*o)->Checkpoint((dir_ / "cp").string()).ok());
    ASSERT_TRUE((*o)->Close().ok());
    EXPECT_EQ((*o)->Append(Batch(1)).code(), StatusCode::kUnavailable);
  }
  auto o = ClickHouseOutbox::Open(options_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ((*o)->seq_base(), base);
  ClickHouseOutboxStats s = (*o)->outbox_stats();
  EXPECT_EQ(s.replayed_rows, 50u);
  EXPECT_EQ(s.backlog_rows, 50u);
}

TEST_F(ClickHouseOutboxTest, RefusesPastTheBacklogBound) {
  options_.max_backlog_bytes = 64 * 1024;
  auto o = ClickHouseOutbox::Open(options_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  Status refused;
  uint64_t acked = 0;
  for (int i = 0; i < 1000 && refused.ok(); ++i) {
    refused = (*o)->Append(Batch(100));
    if (refused.ok()) acked += 100;
  }
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("clickhouse.max_backlog_bytes"), std::string::npos)
      << refused.ToString();
  EXPECT_EQ((*o)->outbox_stats().backlog_rows, acked);
}

TEST_F(ClickHouseOutboxTest, LocksTheDataDirectory) {
  auto a = ClickHouseOutbox::Open(options_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = ClickHouseOutbox::Open(options_);
  EXPECT_FALSE(b.ok());
}

TEST(ClickHouseOutboxSeq, RowSeqIsTheWalPosition) {
  EXPECT_EQ(ClickHouseOutbox::RowSeq(1000, 0, 5), 1005u);
  EXPECT_EQ(ClickHouseOutbox::RowSeq(1000, 3, 0), 1000u + (uint64_t{3} << 24));
  EXPECT_LT(ClickHouseOutbox::RowSeq(0, 3, (1 << 24) - 1), ClickHouseOutbox::RowSeq(0, 4, 0));
}

}  // namespace
}  // namespace vigia::clickhouse
