// ClickHouseOutbox without a ClickHouse (its URL refuses connections): appends are
// acknowledged into the outbox WAL and counted as backlog; past max_backlog_bytes Append
// refuses with Unavailable naming the bound; a reopened outbox finds every acknowledged
// event again with the same seq base; erasure and checkpoints say they are not available.
// With insert_concurrency > 1 against a fake ClickHouse (in-process transport): INSERTs that
// complete out of order release the WAL only in order, a retry after a partial failure stores
// no row twice, an INSERT abandoned at Close is checked and shipped once after reopen.
// The shipping against a real server, exactly once, is tests/clickhouse_server_it.cpp.
#include "clickhouse/clickhouse_outbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "clickhouse/clickhouse_row_codec.h"
#include "clickhouse/clickhouse_schema.h"

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

// --- Shipping with insert_concurrency > 1, against an in-process fake ClickHouse ------------
// The fake (options.transport) keeps the rows' seqs, answers the outbox's system.processes
// and `SELECT seq` checks from them, and lets a test hold an INSERT (the batch with event 0) or
// fail one after storing part of its rows (a Distributed INSERT that reached one shard).

namespace fake {

class FakeClickHouse {
 public:
  // Test batch k's event j carries n = k * 1000 + j; its row seq (record k + 1).
  void SetSeqBase(uint64_t base) {
    std::lock_guard<std::mutex> l(mu_);
    base_ = base;
  }
  // The INSERT holding n = 0 waits until Release() (or the outbox cancels it).
  void HoldFirst() { hold_ = true; }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  // INSERT number i (0-based, in arrival order) stores its first half and then fails.
  void FailAfterHalf(std::set<int> calls) { fail_calls_ = std::move(calls); }

  Result<std::string> Execute(const ClickHouseRequest& req) {
    std::string query_id;
    for (const auto& [k, v] : req.settings) {
      if (k == "query_id") query_id = v;
    }
    if (req.sql.rfind("SELECT count() FROM system.processes", 0) == 0) {
      size_t a = req.sql.find('\'');
      size_t b = req.sql.find('%', a);
      std::string prefix = req.sql.substr(a + 1, b - a - 1);
      std::lock_guard<std::mutex> l(mu_);
      int n = 0;
      for (const std::string& id : running_) n += id.rfind(prefix, 0) == 0 ? 1 : 0;
      return std::to_string(n) + "\n";
    }
    if (req.sql.rfind("SELECT seq FROM", 0) == 0) {
      size_t at = req.sql.find("seq BETWEEN ") + 12;
      uint64_t lo = std::stoull(req.sql.substr(at));
      uint64_t hi = std::stoull(req.sql.substr(req.sql.find(" AND ", at) + 5));
      std::lock_guard<std::mutex> l(mu_);
      std::string out;
      for (auto it = seqs_.lower_bound(lo); it != seqs_.end() && *it <= hi; ++it) {
        out += std::to_string(*it) + "\n";
      }
      ++checks_;
      return out;
    }
    if (req.sql.rfind("INSERT INTO", 0) != 0) return Status::InvalidArgument("fake: " + req.sql);
    std::vector<int64_t> ns;
    RowDecoder dec(AllCanonicalColumnIndexes(), 1 << 20, [&](std::shared_ptr<EventBatch> b) {
      for (const EventBatch::EventRef& e : b->events()) ns.push_back(b->Find(e, "n")->i);
      return Status::Ok();
    });
    if (Status st = dec.Feed(req.body); !st.ok()) return st;
    if (Status st = dec.Finish(); !st.ok()) return st;
    std::unique_lock<std::mutex> l(mu_);
    const int call = inserts_++;
    running_.insert(query_id);
    if (std::find(ns.begin(), ns.end(), 0) != ns.end()) {
      while (hold_ && !(req.cancel != nullptr && req.cancel->load())) {
        cv_.wait_for(l, std::chrono::milliseconds(5));
      }
    }
    running_.erase(query_id);
    if (req.cancel != nullptr && req.cancel->load()) return Status::Unavailable("cancelled");
    const bool fail = fail_calls_.count(call) != 0;
    const size_t keep = fail ? ns.size() / 2 : ns.size();
    for (size_t i = 0; i < keep; ++i) {
      const uint64_t seq = ClickHouseOutbox::RowSeq(base_, ns[i] / 1000 + 1, ns[i] % 1000);
      seqs_.insert(seq);
      ++stored_[ns[i]];
    }
    if (fail) return Status::Unavailable("fake: a shard is down");
    return std::string();
  }

  std::map<int64_t, int> stored() {
    std::lock_guard<std::mutex> l(mu_);
    return stored_;
  }
  int checks() {
    std::lock_guard<std::mutex> l(mu_);
    return checks_;
  }
  int inserts() {
    std::lock_guard<std::mutex> l(mu_);
    return inserts_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t base_ = 0;
  bool hold_ = false;
  std::set<int> fail_calls_;
  int inserts_ = 0;
  int checks_ = 0;
  std::set<std::string> running_;
  std::multiset<uint64_t> seqs_;
  std::map<int64_t, int> stored_;  // n → times stored
};

std::shared_ptr<EventBatch> Numbered(int k, int n) {
  auto b = std::make_shared<EventBatch>();
  for (int j = 0; j < n; ++j) {
    b->BeginEvent(1'763'805'600'000'000'000 + k * 1000 + j);
    b->AddField("msg", Value::String("a numbered event"));
    b->AddField("n", Value::Int(k * 1000 + j));
  }
  return b;
}

// Waits up to 10 s for `done`.
bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

std::string StateFile(const fs::path& dir) {
  std::ifstream in(dir / "clickhouse" / "outbox.state");
  std::string magic, version, base, last;
  in >> magic >> version >> base >> last;
  return last;
}

}  // namespace fake

class ClickHouseOutboxShipTest : public ClickHouseOutboxTest {
 protected:
  void SetUp() override {
    ClickHouseOutboxTest::SetUp();
    options_.insert_concurrency = 4;
    options_.ship_batch_bytes = 1;  // every record is a batch of its own
    options_.transport = [this](const ClickHouseRequest& r) { return ch_.Execute(r); };
  }
  fake::FakeClickHouse ch_;
};

TEST_F(ClickHouseOutboxShipTest, ReleasesInWalOrderWhenInsertsCompleteOutOfOrder) {
  ch_.HoldFirst();
  auto o = ClickHouseOutbox::Open(options_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ch_.SetSeqBase((*o)->seq_base());
  for (int k = 0; k < 4; ++k) ASSERT_TRUE((*o)->Append(fake::Numbered(k, 10)).ok());
  // Records 2..4 are in ClickHouse while record 1's INSERT is held: nothing is released.
  ASSERT_TRUE(fake::WaitFor([&] { return ch_.stored().size() == 30; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ClickHouseOutboxStats s = (*o)->outbox_stats();
  EXPECT_EQ(s.shipped_rows, 30u);
  EXPECT_EQ(s.shipped_seq, 0u);
  EXPECT_EQ(s.backlog_rows, 40u);
  EXPECT_EQ(s.inserts_in_flight, 4u);
  EXPECT_EQ(fake::StateFile(dir_), "0");
  ch_.Release();
  ASSERT_TRUE(fake::WaitFor([&] { return (*o)->outbox_stats().backlog_rows == 0; }));
  s = (*o)->outbox_stats();
  EXPECT_EQ(s.shipped_seq, 4u);
  EXPECT_EQ(s.inserts_in_flight, 0u);
  ASSERT_TRUE(fake::WaitFor([&] { return fake::StateFile(dir_) == "4"; }));
  EXPECT_EQ(ch_.stored().size(), 40u);
  EXPECT_EQ(ch_.checks(), 0);  // nothing failed: no seq check on the normal path
}

TEST_F(ClickHouseOutboxShipTest, RetriesPartialFailuresWithoutDoublingAnyRow) {
  ch_.FailAfterHalf({1, 2, 5});
  auto o = ClickHouseOutbox::Open(options_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ch_.SetSeqBase((*o)->seq_base());
  constexpr int kBatches = 12;
  for (int k = 0; k < kBatches; ++k) ASSERT_TRUE((*o)->Append(fake::Numbered(k, 8)).ok());
  ASSERT_TRUE(fake::WaitFor([&] { return (*o)->outbox_stats().backlog_rows == 0; }))
      << (*o)->outbox_stats().backlog_rows;
  ClickHouseOutboxStats s = (*o)->outbox_stats();
  EXPECT_EQ(s.failures, 3u);
  EXPECT_EQ(s.skipped_rows, 3u * 4u);  // each failed INSERT had stored half of its 8 rows
  EXPECT_EQ(s.shipped_rows + s.skipped_rows, uint64_t{kBatches} * 8u);
  EXPECT_EQ(s.shipped_seq, uint64_t{kBatches});
  EXPECT_TRUE(s.last_error.empty()) << s.last_error;
  std::map<int64_t, int> stored = ch_.stored();
  ASSERT_EQ(stored.size(), size_t{kBatches} * 8u);
  for (const auto& [n, times] : stored) EXPECT_EQ(times, 1) << "event " << n;
  EXPECT_GE(ch_.checks(), 3);
}

TEST_F(ClickHouseOutboxShipTest, AHeldInsertAtCloseIsShippedOnceAfterReopen) {
  ch_.HoldFirst();
  uint64_t base = 0;
  {
    auto o = ClickHouseOutbox::Open(options_);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    base = (*o)->seq_base();
    ch_.SetSeqBase(base);
    for (int k = 0; k < 6; ++k) ASSERT_TRUE((*o)->Append(fake::Numbered(k, 5)).ok());
    ASSERT_TRUE(fake::WaitFor([&] { return ch_.stored().size() == 25; }));
    ASSERT_TRUE((*o)->Close().ok());  // record 1's INSERT abandoned; 2..6 shipped, not released
    EXPECT_EQ(fake::StateFile(dir_), "0");
  }
  ch_.Release();
  auto o = ClickHouseOutbox::Open(options_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ((*o)->seq_base(), base);
  EXPECT_EQ((*o)->outbox_stats().replayed_rows, 30u);
  ASSERT_TRUE(fake::WaitFor([&] { return (*o)->outbox_stats().backlog_rows == 0; }));
  ClickHouseOutboxStats s = (*o)->outbox_stats();
  EXPECT_EQ(s.skipped_rows, 25u);
  EXPECT_EQ(s.shipped_rows, 5u);
  std::map<int64_t, int> stored = ch_.stored();
  ASSERT_EQ(stored.size(), 30u);
  for (const auto& [n, times] : stored) EXPECT_EQ(times, 1) << "event " << n;
}

TEST_F(ClickHouseOutboxShipTest, APartialBatchWaitsWhileAnInsertIsInFlight) {
  options_.ship_batch_bytes = 1u << 20;  // nothing here fills a batch
  ch_.HoldFirst();
  auto o = ClickHouseOutbox::Open(options_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ch_.SetSeqBase((*o)->seq_base());
  ASSERT_TRUE((*o)->Append(fake::Numbered(0, 5)).ok());
  ASSERT_TRUE(fake::WaitFor([&] { return ch_.inserts() == 1; }));  // held
  for (int k = 1; k < 4; ++k) ASSERT_TRUE((*o)->Append(fake::Numbered(k, 5)).ok());
  // Past the ship delay, but an INSERT is in flight: the three records wait, they do not go
  // as three small INSERTs beside it.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(ch_.inserts(), 1);
  ch_.Release();
  ASSERT_TRUE(fake::WaitFor([&] { return (*o)->outbox_stats().backlog_rows == 0; }));
  EXPECT_EQ(ch_.inserts(), 2);  // records 2..4 in one INSERT
  EXPECT_EQ(ch_.stored().size(), 20u);
}

}  // namespace
}  // namespace vigia::clickhouse
