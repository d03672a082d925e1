// Integration: crash safety. Client threads stream batches while the test kill -9s the
// server at a random moment; after a restart on the same data directory every event that
// got a 200 must be present exactly once, and nothing may be duplicated. Repeated with
// different timings, then once more with SIGTERM (graceful: exit code 0, nothing lost).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

constexpr int kClientThreads = 4;
constexpr int kEventsPerBatch = 20;
// Pause between a client's batches: keeps the data volume (and so replay and read-back
// time) small while still having requests in flight at any moment.
constexpr auto kPause = std::chrono::milliseconds(3);
constexpr int kRounds = 6;

struct Acked {
  std::mutex mu;
  std::set<std::string> uids;  // every event whose batch got a 200
  uint64_t batches = 0;
};

// Streams batches until `stop`; records acknowledged events. Failures (the server died
// mid-request) are expected and not recorded: those events may or may not be stored.
void Stream(uint16_t port, int round, int thread, std::atomic<bool>* stop, Acked* acked) {
  HttpClient c(port, 10000);
  for (int b = 0; !stop->load(); ++b) {
    std::vector<std::string> uids;
    std::string batch;
    for (int e = 0; e < kEventsPerBatch; ++e) {
      uids.push_back("r" + std::to_string(round) + "-t" + std::to_string(thread) + "-b" +
                     std::to_string(b) + "-e" + std::to_string(e));
      batch += EventLine(uids.back());
    }
    Result<HttpResult> r =
        c.Request("POST", "/v1/events", batch, {{"Content-Type", "application/x-ndjson"}});
    if (!r.ok()) {
      c.Close();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (r->status == 200) {
      std::lock_guard<std::mutex> lock(acked->mu);
      acked->uids.insert(uids.begin(), uids.end());
      ++acked->batches;
    }
    std::this_thread::sleep_for(kPause);
  }
}

// Progress on stderr: when a round is slow or fails, CI logs show which phase.
void Note(const char* phase, int round, size_t acked) {
  static const auto t0 = std::chrono::steady_clock::now();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  std::fprintf(stderr, "[crash_safety] +%lldms round %d %s (acked events so far: %zu)\n",
               static_cast<long long>(ms), round, phase, acked);
}

void CheckAllPresentOnce(ServerProcess& server, const Acked& acked, int round) {
  HttpClient c(server.port(), 60000);
  Result<HttpResult> dump = c.Request("GET", "/v1/query?q=*&format=ndjson&limit=100000000");
  ASSERT_TRUE(dump.ok()) << dump.status().ToString();
  ASSERT_EQ(dump->status, 200);
  auto counts = CountUids(dump->body);
  size_t missing = 0;
  for (const std::string& uid : acked.uids) {
    auto it = counts.find(uid);
    if (it == counts.end()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "round " << round << ": acknowledged events lost";
  size_t duplicated = 0;
  for (const auto& [uid, n] : counts) duplicated += n > 1;
  EXPECT_EQ(duplicated, 0u) << "round " << round << ": events stored twice";
}

TEST(CrashSafetyIt, KillNineMidStreamLosesNoAcknowledgedEvent) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  // Every event carries a `ua`: until the UA rules are loaded the first batch would wait for
  // them, and a kill that early would find nothing acknowledged to check.
  o.wait_ready = true;
  ServerProcess server(o);
  Acked acked;
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < kRounds; ++round) {
    ASSERT_TRUE(server.Start().ok()) << server.Log();
    Note("started", round, acked.uids.size());
    CheckAllPresentOnce(server, acked, round);  // what the previous crash left
    Note("checked", round, acked.uids.size());
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kClientThreads; ++t) {
      threads.emplace_back(Stream, server.port(), round, t, &stop, &acked);
    }
    // Different timing each round: from almost at once to well into the stream.
    int delay_ms = 50 + static_cast<int>(rng() % 500) + round * 40;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
    Note("killed", round, acked.uids.size());
    stop = true;
    for (auto& t : threads) t.join();
    Note("clients joined", round, acked.uids.size());
  }
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  CheckAllPresentOnce(server, acked, kRounds);
  EXPECT_GT(acked.batches, 0u);

  // Graceful: SIGTERM while clients stream; exit code 0 and every 200 kept.
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClientThreads; ++t) {
    threads.emplace_back(Stream, server.port(), kRounds + 1, t, &stop, &acked);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  CheckAllPresentOnce(server, acked, kRounds + 1);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace vigia::testing
