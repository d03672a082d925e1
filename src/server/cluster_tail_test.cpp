// ClusterTail over a fake source: a row is shown once however many polls read it, a late row
// inside the lag window is shown and one below the horizon is not, nothing is polled without a
// tail, a failed poll keeps the horizon (the rows stored meanwhile follow) and is a notice,
// the window bound forgets the oldest keys without showing a row twice, a filter the source
// refuses is an error at Register.
#include "server/cluster_tail.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;

class FakeSource final : public ClusterTailSource {
 public:
  struct Row {
    int64_t ts;
    uint64_t seq;
    std::string uid;
  };

  void Add(int64_t ts, uint64_t seq, const std::string& uid) {
    std::lock_guard<std::mutex> lock(mu);
    rows.push_back({ts, seq, uid});
  }

  Result<std::string> Compile(const Filter& f, int64_t) override {
    if (f.kind == FilterKind::kRegex) return Status::InvalidArgument("no regexes here");
    return std::string("1");
  }

  Result<ReadResult> Read(const std::vector<std::string>& conditions, int64_t from_ns,
                          const std::function<bool(int64_t, uint64_t)>& keep,
                          const std::function<Status(std::shared_ptr<EventBatch>)>& on_batch,
                          const std::atomic<bool>*) override {
    std::lock_guard<std::mutex> lock(mu);
    ++reads;
    last_from = from_ns;
    last_conditions = conditions.size();
    if (fail) return Status::Unavailable("shard 2 is down");
    std::vector<Row> sorted = rows;
    std::sort(sorted.begin(), sorted.end(), [](const Row& a, const Row& b) {
      return std::tie(a.ts, a.seq) < std::tie(b.ts, b.seq);
    });
    auto batch = std::make_shared<EventBatch>();
    ReadResult r;
    for (const Row& row : sorted) {
      if (row.ts < from_ns) continue;
      ++r.rows_read;
      if (!keep(row.ts, row.seq)) continue;
      batch->BeginEvent(row.ts);
      batch->AddField("uid", Value::String(batch->arena().Copy(row.uid)));
    }
    VIGIA_RETURN_IF_ERROR(on_batch(batch));
    return r;
  }

  std::mutex mu;
  std::vector<Row> rows;
  // Set by the test, read by the poller.
  std::atomic<bool> fail{false};
  std::atomic<int> reads{0};
  std::atomic<int64_t> last_from{0};
  std::atomic<size_t> last_conditions{0};
};

class Collector final : public LiveFeed::Subscriber {
 public:
  bool Deliver(LiveFeed::Delivery& d) override {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& e : d.batch().events()) {
      uids.push_back(std::string(d.batch().Find(e, "uid")->s));
    }
    return true;
  }
  void Missed(uint64_t) override {}
  bool Tick(std::chrono::steady_clock::time_point) override { return true; }
  void Ended() override {}
  bool Notice(const std::string& event, const std::string& json) override {
    std::lock_guard<std::mutex> lock(mu);
    notices.push_back(event + " " + json);
    return true;
  }
  std::vector<std::string> Uids() {
    std::lock_guard<std::mutex> lock(mu);
    return uids;
  }
  std::vector<std::string> Notices() {
    std::lock_guard<std::mutex> lock(mu);
    return notices;
  }
  std::mutex mu;
  std::vector<std::string> uids, notices;
};

class ClusterTailTest : public ::testing::Test {
 protected:
  void Start(size_t max_keys = 1000) {
    auto src = std::make_unique<FakeSource>();
    source_ = src.get();
    ClusterTailOptions o;
    o.poll_ms = 60'000;  // polls only when a test asks (Poll)
    o.lag_ms = 10'000;
    o.max_window_keys = max_keys;
    o.now_ns = [this] { return now_.load(); };
    o.feed.tick_ms = 10;
    tail_ = std::make_unique<ClusterTail>(std::move(src), o);
    collector_ = std::make_shared<Collector>();
    ASSERT_TRUE(tail_->feed()->Subscribe(collector_).ok());
  }
  // One poll, then until the feed thread handed its batches over.
  void Poll() {
    const uint64_t mark = tail_->MarkAfterNextPoll(5000);
    (void)mark;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::shared_ptr<const void> Register() {
    Filter all;
    auto r = tail_->Register(all, now_);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : nullptr;
  }

  std::atomic<int64_t> now_{1000 * kSec};
  FakeSource* source_ = nullptr;
  std::unique_ptr<ClusterTail> tail_;
  std::shared_ptr<Collector> collector_;
};

TEST_F(ClusterTailTest, NoTailNoPoll) {
  Start();
  Poll();
  EXPECT_EQ(source_->reads, 0);
  auto handle = Register();
  Poll();
  EXPECT_EQ(source_->reads, 1);
  handle.reset();
  Poll();
  EXPECT_EQ(source_->reads, 1) << "polled after the last tail closed";
}

TEST_F(ClusterTailTest, EachRowOnceLateRowsInsideTheWindowBelowTheHorizonNever) {
  Start();
  auto handle = Register();
  source_->Add(1000 * kSec, 1, "a");
  source_->Add(1000 * kSec, 2, "b");
  Poll();
  EXPECT_EQ(collector_->Uids(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(source_->last_from, 990 * kSec);  // the window: lag_ms before the poll
  // Re-read by the next polls: not shown again. A new row and a late one (ts 5 s back).
  now_ = 1003 * kSec;
  source_->Add(1002 * kSec, 7, "c");
  Poll();
  now_ = 1004 * kSec;
  source_->Add(999 * kSec, 9, "late");
  Poll();
  Poll();
  EXPECT_EQ(collector_->Uids(), (std::vector<std::string>{"a", "b", "c", "late"}));
  EXPECT_EQ(source_->last_from, 994 * kSec);
  // A row older than the window when it arrives is below the horizon: never shown.
  source_->Add(993 * kSec, 11, "too-late");
  now_ = 1020 * kSec;
  Poll();
  EXPECT_EQ(collector_->Uids().size(), 4u);
  EXPECT_EQ(tail_->stats().events_published, 4u);
  EXPECT_EQ(tail_->stats().window_keys, 0u);  // the window moved past every shown row
}

TEST_F(ClusterTailTest, AFailedPollKeepsTheHorizonAndIsANotice) {
  Start();
  auto handle = Register();
  source_->Add(1000 * kSec, 1, "a");
  Poll();
  source_->fail = true;
  now_ = 1030 * kSec;  // 30 s of outage, longer than the window
  Poll();
  Poll();
  source_->Add(1001 * kSec, 2, "during");
  source_->fail = false;
  Poll();
  EXPECT_EQ(collector_->Uids(), (std::vector<std::string>{"a", "during"}));
  auto notices = collector_->Notices();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_NE(notices[0].find("cluster {\"cluster\":{\"state\":\"unavailable\",\"error\":"),
            std::string::npos)
      << notices[0];
  EXPECT_NE(notices[0].find("shard 2 is down"), std::string::npos);
  EXPECT_EQ(notices[1], "cluster {\"cluster\":{\"state\":\"ok\"}}");
  EXPECT_EQ(tail_->stats().poll_failures, 2u);
}

TEST_F(ClusterTailTest, TheWindowBoundForgetsTheOldestWithoutShowingARowTwice) {
  Start(/*max_keys=*/3);
  auto handle = Register();
  for (uint64_t i = 0; i < 5; ++i) source_->Add(1000 * kSec, i, "r" + std::to_string(i));
  Poll();
  Poll();
  Poll();
  EXPECT_EQ(collector_->Uids().size(), 5u);
  EXPECT_LE(tail_->stats().window_keys, 3u);
  EXPECT_EQ(tail_->stats().window_evictions, 2u);
}

TEST_F(ClusterTailTest, AFilterTheSourceRefusesIsAnError) {
  Start();
  Filter re;
  re.kind = FilterKind::kRegex;
  EXPECT_EQ(tail_->Register(re, now_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ClusterTailTest, OneReadServesEveryTailWithEachDistinctConditionOnce) {
  Start();
  auto h1 = Register(), h2 = Register();
  Poll();
  EXPECT_EQ(source_->reads, 1);
  EXPECT_EQ(source_->last_conditions, 1u);  // the fake compiles every filter to "1"
}

}  // namespace
}  // namespace vigia
