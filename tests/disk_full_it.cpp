// Integration: the real server on a real file system that really fills up — a 48 MiB tmpfs
// mounted by the test (root only; skipped otherwise). Three phases on one data directory:
//   1. with disk.reserve_bytes, ingest is refused (503, Retry-After, "disk almost full")
//      before the disk is full; queries answer; /health/ready is 503 naming the disk; a
//      SIGTERM still flushes the memtable into parts (the reserve kept the room for it);
//   2. with no reserve and the rest of the file system taken by a filler file, the WAL write
//      itself fails (ENOSPC): 503 with the reason, queries answer, flushes fail and are
//      retried; once the filler is deleted the clients' retries go through by themselves;
//   3. a restart holds every acknowledged event exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

namespace fs = std::filesystem;
const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

// A batch of 50 events of ~1 KB with poorly compressible padding: the disk fills in seconds.
std::string Batch(int b, std::vector<std::string>* uids) {
  std::string body;
  uint64_t x = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(b + 1);
  for (int i = 0; i < 50; ++i) {
    std::string uid = std::to_string(b) + "-" + std::to_string(i);
    std::string line = EventLine(uid);
    std::string pad;
    for (int k = 0; k < 40; ++k) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      char hex[17];
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(x));
      pad += hex;
    }
    line.insert(line.size() - 2, ",\"pad\":\"" + pad + "\"");
    body += line;
    uids->push_back(uid);
  }
  return body;
}

class Tmpfs {
 public:
  explicit Tmpfs(const std::string& dir) : dir_(dir) {
    fs::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=48m") == 0;
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

std::string WriteConfig(const std::string& path, const std::string& disk) {
  std::ofstream(path) << "[wal]\nsegment_bytes = 1048576\nfsync = \"always\"\n"
                      << "[store]\nmemtable_flush_bytes = 2097152\n"
                      << "[disk]\n"
                      << disk;
  return path;
}

struct Ingest {
  std::set<std::string> acked;
  int next_batch = 0;
  // Posts batches until one is refused; returns the refusal (or an empty result).
  HttpResult UntilRefused(uint16_t port, int max_batches) {
    HttpClient c(port, 30000);
    for (int n = 0; n < max_batches; ++n) {
      std::vector<std::string> uids;
      std::string body = Batch(next_batch++, &uids);
      Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
      if (!r.ok()) return HttpResult{};
      if (r->status != 200) return *r;
      acked.insert(uids.begin(), uids.end());
    }
    return HttpResult{};
  }
};

size_t StoredAcked(ServerProcess& s, const std::set<std::string>& acked, bool* dup) {
  HttpClient c(s.port(), 120000);
  Result<HttpResult> r =
      c.Request("GET", "/v1/query?format=ndjson&limit=10000000&q=uid%3A*%20%7C%20fields%20uid");
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return 0;
  EXPECT_EQ(r->status, 200) << r->body.substr(0, 300);
  size_t found = 0;
  for (const auto& [uid, n] : CountUids(r->body)) {
    if (n != 1) *dup = true;
    found += acked.count(uid);
  }
  return found;
}

uint64_t StatsNumber(const std::string& stats, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  const size_t at = stats.find(k);
  return at == std::string::npos ? UINT64_MAX : std::strtoull(stats.c_str() + at + k.size(), 0, 10);
}

// Waits until no merge runs and none started for 3 s (three ticks of the merge loop, which
// merges whatever its tiers allow): with no ingest, no merge comes after that. A merge holds
// disk space for its output until it publishes, so the disk filled after this stays as full
// as the test leaves it. After a restart on many parts a merge can take seconds (ASan).
void WaitUntilMergesSettle(uint16_t port) {
  HttpClient c(port, 30000);
  uint64_t last = UINT64_MAX;
  int quiet = 0;
  for (int i = 0; i < 600 && quiet < 6; ++i) {
    Result<HttpResult> r = c.Request("GET", "/v1/stats");
    ASSERT_TRUE(r.ok());
    const uint64_t merges = StatsNumber(r->body, "merges");
    const uint64_t running = StatsNumber(r->body, "merges_running");
    ASSERT_NE(running, UINT64_MAX) << r->body;
    quiet = running == 0 && merges == last ? quiet + 1 : 0;
    last = merges;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  Result<HttpResult> r = c.Request("GET", "/v1/stats");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(quiet, 6) << "merges never settled: " << r->body;
  // A merge that does not fit is not started (1.1x its inputs free), so none fails here.
  EXPECT_EQ(StatsNumber(r->body, "merges_failed"), 0u) << r->body;
  std::fprintf(stderr, "merges settled: %llu since the start, %llu skipped for space\n",
               static_cast<unsigned long long>(last),
               static_cast<unsigned long long>(StatsNumber(r->body, "merges_skipped_no_space")));
}

TEST(DiskFullIt, RefusedBeforeFullSurvivesRealEnospcLosesNothingAndResumes) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  TempDir dir;
  Tmpfs mnt(dir.path() + "/mnt");
  if (!mnt.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  const std::string data = dir.path() + "/mnt/data";
  Ingest ingest;

  // 1. The reserve refuses ingest before the disk is full.
  ServerOptions o;
  o.data_dir = data;
  o.log_path = dir.path() + "/server.log";
  o.extra_args = {"--config", WriteConfig(dir.path() + "/reserve.toml",
                                          "reserve_bytes = 12582912\nlow_watermark_bytes = 0\n")};
  {
    ServerProcess server(o);
    ASSERT_TRUE(server.Start().ok()) << server.Log();
    HttpResult refused = ingest.UntilRefused(server.port(), 5000);
    ASSERT_EQ(refused.status, 503) << refused.body << server.Log();
    EXPECT_NE(refused.body.find("disk almost full"), std::string::npos) << refused.body;
    EXPECT_EQ(refused.Header("retry-after"), "1");
    ASSERT_GT(ingest.acked.size(), 1000u);
    std::fprintf(stderr, "phase 1: %zu events acknowledged before the reserve refused\n",
                 ingest.acked.size());
    HttpClient c(server.port());
    Result<HttpResult> ready = c.Request("GET", "/health/ready");
    ASSERT_TRUE(ready.ok());
    EXPECT_EQ(ready->status, 503);
    EXPECT_NE(ready->body.find("\"disk\":\"full:"), std::string::npos) << ready->body;
    bool dup = false;
    EXPECT_EQ(StoredAcked(server, ingest.acked, &dup), ingest.acked.size());
    EXPECT_FALSE(dup);
    EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
    EXPECT_EQ(server.Log().find("memtable flush failed"), std::string::npos) << server.Log();
  }

  // 2. No reserve and a filler takes the rest: the WAL write fails for real.
  o.extra_args = {"--config", WriteConfig(dir.path() + "/none.toml",
                                          "reserve_bytes = 0\nlow_watermark_bytes = 0\n")};
  const std::string filler = dir.path() + "/mnt/filler";
  {
    ServerProcess server(o);
    ASSERT_TRUE(server.Start().ok()) << server.Log();
    // Phase 1's parts are merged now that no reserve holds the merges back; a merge still
    // writing when the filler is cut would take the room left for ingest.
    WaitUntilMergesSettle(server.port());
    {
      std::ofstream f(filler, std::ios::binary);
      std::string mb(1 << 20, 'x');
      while (f.write(mb.data(), static_cast<std::streamsize>(mb.size())) && f.flush()) {
      }
    }
    // Leave 3 MB: some batches still go in, then a WAL write meets the full disk.
    fs::resize_file(filler, fs::file_size(filler) - (3 << 20));
    const size_t acked_before = ingest.acked.size();
    HttpResult refused = ingest.UntilRefused(server.port(), 5000);
    ASSERT_EQ(refused.status, 503) << refused.body << server.Log();
    EXPECT_NE(refused.body.find("No space left on device"), std::string::npos) << refused.body;
    EXPECT_NE(server.Log().find("wal: write failed"), std::string::npos) << server.Log();
    EXPECT_GT(ingest.acked.size(), acked_before);
    std::fprintf(stderr, "phase 2: %zu more events acknowledged before the WAL write failed\n",
                 ingest.acked.size() - acked_before);
    HttpClient c(server.port());
    Result<HttpResult> ready = c.Request("GET", "/health/ready");
    ASSERT_TRUE(ready.ok());
    EXPECT_EQ(ready->status, 503) << ready->body;
    bool dup = false;
    EXPECT_EQ(StoredAcked(server, ingest.acked, &dup), ingest.acked.size());
    EXPECT_FALSE(dup);

    // Space returns: a client's retry goes through without anyone touching the server.
    fs::remove(filler);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const size_t before = ingest.acked.size();
    while (ingest.acked.size() < before + 500 && std::chrono::steady_clock::now() < deadline) {
      ingest.UntilRefused(server.port(), 10);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_GE(ingest.acked.size(), before + 500) << server.Log();
    ready = c.Request("GET", "/health/ready");
    ASSERT_TRUE(ready.ok());
    EXPECT_EQ(ready->status, 200) << ready->body;
    EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  }

  // 3. Every acknowledged event, once.
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  bool dup = false;
  EXPECT_EQ(StoredAcked(server, ingest.acked, &dup), ingest.acked.size());
  EXPECT_FALSE(dup);
  server.Stop(SIGTERM);
}

}  // namespace
}  // namespace vigia::testing
