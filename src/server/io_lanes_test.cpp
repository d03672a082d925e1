// IoLanes: a lane's handlers run on its own thread, and a lane stuck in a long handler gets
// a lent thread for its other work (with lending off, the same work waits: the check that
// the lending tests can fail).
#include "server/io_lanes.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

namespace vigia {
namespace {

namespace net = boost::asio;
using std::chrono::milliseconds;

bool Eventually(const std::function<bool()>& pred, int ms) {
  auto end = std::chrono::steady_clock::now() + milliseconds(ms);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// A gate a handler waits at (inside a BusyScope) until the test opens it.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(20), [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Posts to lane 0 a handler that blocks at `gate` inside a BusyScope, then one that sets
// `*done`: the lane's other work.
void PostStuckThenOther(IoLanes* lanes, Gate* gate, std::atomic<bool>* done) {
  net::post(lanes->context(0), [lanes, gate] {
    IoLanes::BusyScope busy(lanes->lane(0));
    gate->Wait();
  });
  net::post(lanes->context(0), [done] { *done = true; });
}

IoLanes::Options Lanes(int lanes, int max_lent) {
  IoLanes::Options o;
  o.lanes = lanes;
  o.poll = milliseconds(5);
  o.max_lent = max_lent;
  return o;
}

TEST(IoLanesTest, EachLaneRunsItsHandlersOnItsOwnThread) {
  IoLanes lanes(Lanes(2, 4));
  lanes.Start();
  std::mutex mu;
  std::set<std::thread::id> seen[2];
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i) {
    size_t lane = i % 2;
    net::post(lanes.context(lane), [&, lane] {
      std::lock_guard<std::mutex> lock(mu);
      seen[lane].insert(std::this_thread::get_id());
      ++done;
    });
  }
  ASSERT_TRUE(Eventually([&] { return done.load() == 200; }, 10000));
  lanes.Stop();
  ASSERT_EQ(seen[0].size(), 1u);
  ASSERT_EQ(seen[1].size(), 1u);
  EXPECT_NE(*seen[0].begin(), *seen[1].begin());
  EXPECT_EQ(lanes.lends(), 0u) << "nothing was stuck";
}

TEST(IoLanesTest, AStuckLaneGetsALentThreadAndGetsItBackAfter) {
  IoLanes lanes(Lanes(1, 1));
  lanes.Start();
  Gate gate;
  std::atomic<bool> stuck_done{false};
  std::atomic<bool> other_done{false};
  net::post(lanes.context(0), [&] {
    IoLanes::BusyScope busy(lanes.lane(0));
    gate.Wait();
    stuck_done = true;
  });
  net::post(lanes.context(0), [&] { other_done = true; });
  EXPECT_TRUE(Eventually([&] { return other_done.load(); }, 5000))
      << "the lane's other work waited for the stuck handler";
  EXPECT_FALSE(stuck_done.load());
  EXPECT_EQ(lanes.lends(), 1u);
  gate.Open();
  ASSERT_TRUE(Eventually([&] { return stuck_done.load(); }, 5000));
  EXPECT_TRUE(Eventually([&] { return lanes.lent_threads() == 0; }, 5000))
      << "the lent thread stayed after the lane was free";

  // Stuck again: the parked thread is lent a second time.
  Gate gate2;
  std::atomic<bool> second_done{false};
  PostStuckThenOther(&lanes, &gate2, &second_done);
  EXPECT_TRUE(Eventually([&] { return second_done.load(); }, 5000));
  EXPECT_EQ(lanes.lends(), 2u);
  gate2.Open();
  lanes.Stop();
}

TEST(IoLanesTest, AfterAQuietSpellAStuckLaneIsStillHelped) {
  IoLanes::Options o = Lanes(1, 1);
  o.idle_poll = milliseconds(40);
  o.idle_looks = 3;  // slow looks after 15 ms without a busy lane
  IoLanes lanes(o);
  lanes.Start();
  std::this_thread::sleep_for(milliseconds(150));
  Gate gate;
  std::atomic<bool> other_done{false};
  PostStuckThenOther(&lanes, &gate, &other_done);
  EXPECT_TRUE(Eventually([&] { return other_done.load(); }, 5000));
  EXPECT_EQ(lanes.lends(), 1u);
  gate.Open();
  lanes.Stop();
}

TEST(IoLanesTest, WithoutLendingTheLanesOtherWorkWaits) {
  IoLanes lanes(Lanes(1, 0));
  lanes.Start();
  Gate gate;
  std::atomic<bool> other_done{false};
  PostStuckThenOther(&lanes, &gate, &other_done);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_FALSE(other_done.load());
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return other_done.load(); }, 5000));
  EXPECT_EQ(lanes.lends(), 0u);
  lanes.Stop();
}

TEST(IoLanesTest, LentThreadsAreBoundedAndEachStuckOneGetsHelp) {
  // Two handlers stuck one after the other on one lane: the first lent thread takes the
  // second stuck handler, the lane is starved again and gets a second thread; a third is
  // not lent beyond max_lent, so the last piece of work waits for a gate.
  IoLanes lanes(Lanes(1, 2));
  lanes.Start();
  Gate gate;
  std::atomic<int> stuck{0};
  std::atomic<bool> last_done{false};
  for (int i = 0; i < 3; ++i) {
    net::post(lanes.context(0), [&] {
      IoLanes::BusyScope busy(lanes.lane(0));
      ++stuck;
      gate.Wait();
    });
  }
  net::post(lanes.context(0), [&] { last_done = true; });
  ASSERT_TRUE(Eventually([&] { return stuck.load() == 3; }, 5000));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(lanes.lent_threads(), 2);
  EXPECT_FALSE(last_done.load()) << "a third thread was lent past max_lent";
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return last_done.load(); }, 5000));
  EXPECT_TRUE(Eventually([&] { return lanes.lent_threads() == 0; }, 5000));
  lanes.Stop();
}

TEST(IoLanesTest, StopWaitsForARunningHandlerWhileAThreadIsLent) {
  IoLanes lanes(Lanes(1, 1));
  lanes.Start();
  Gate gate;
  std::atomic<bool> finished{false};
  net::post(lanes.context(0), [&] {
    IoLanes::BusyScope busy(lanes.lane(0));
    gate.Wait();
    finished = true;
  });
  ASSERT_TRUE(Eventually([&] { return lanes.lent_threads() == 1; }, 5000));
  std::thread opener([&] {
    std::this_thread::sleep_for(milliseconds(50));
    gate.Open();
  });
  lanes.Stop();
  EXPECT_TRUE(finished.load());
  opener.join();
}

}  // namespace
}  // namespace vigia
