#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "common/fault_env.h"
#include "common/limits.h"
#include "store/format/file_names.h"
#include "store/wal/wal_format.h"
#include "store/wal/wal_reader.h"
#include "store/wal/wal_writer.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

struct Replayed {
  std::vector<std::pair<uint64_t, std::string>> records;
  WalReplayResult result;
};

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vigia_wal_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    dir_ = (root_ / "wal").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<WalWriter> OpenWriter(FsyncPolicy policy, Env* env = Env::Default(),
                                        uint64_t segment_bytes = 1 << 20, uint64_t next_seq = 1) {
    WalWriterOptions o;
    o.wal_dir = dir_;
    o.fsync = policy;
    o.sync_interval_ms = 5;
    o.segment_bytes = segment_bytes;
    o.env = env;
    auto w = WalWriter::Open(o, next_seq, {});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return std::move(*w);
  }

  Replayed Replay(const std::string& dir) {
    Replayed r;
    auto res = WalReader::Replay(Env::Default(), dir, [&](uint64_t seq, std::string_view p) {
      r.records.emplace_back(seq, std::string(p));
      return Status::Ok();
    });
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    if (res.ok()) r.result = *res;
    return r;
  }

  static std::string Payload(std::mt19937_64& rng, size_t i, size_t max_extra = 200) {
    std::string s = "record-" + std::to_string(i) + ":";
    s.append(rng() % max_extra, static_cast<char>('a' + i % 26));
    return s;
  }

  std::vector<std::string> Segments() {
    std::vector<std::string> v;
    for (auto& e : fs::directory_iterator(dir_)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }

  fs::path root_;
  std::string dir_;
};

TEST_F(WalTest, RoundTripKeepsOrderAndSequences) {
  std::mt19937_64 rng(1);
  std::vector<std::string> payloads;
  {
    auto w = OpenWriter(FsyncPolicy::kInterval);
    for (size_t i = 0; i < 200; ++i) {
      payloads.push_back(Payload(rng, i));
      auto seq = w->Append(payloads.back());
      ASSERT_TRUE(seq.ok());
      EXPECT_EQ(*seq, i + 1);
    }
    payloads.push_back("");  // empty payloads are valid records
    ASSERT_TRUE(w->Append("").ok());
    ASSERT_TRUE(w->Close().ok());
    EXPECT_EQ(w->Append("late").status().code(), StatusCode::kUnavailable);
  }
  Replayed r = Replay(dir_);
  ASSERT_EQ(r.records.size(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_EQ(r.records[i].first, i + 1);
    EXPECT_EQ(r.records[i].second, payloads[i]);
  }
  EXPECT_EQ(r.result.corrupt_records, 0u);
  EXPECT_EQ(r.result.torn_tail_bytes, 0u);
  EXPECT_EQ(r.result.last_seq, payloads.size());
}

TEST_F(WalTest, NewWriterStartsANewSegmentAfterReplayedSequences) {
  {
    auto w = OpenWriter(FsyncPolicy::kNever);
    ASSERT_TRUE(w->Append("a").ok());
    ASSERT_TRUE(w->Append("b").ok());
  }
  Replayed r1 = Replay(dir_);
  {
    auto w = OpenWriter(FsyncPolicy::kNever, Env::Default(), 1 << 20, r1.result.last_seq + 1);
    auto seq = w->Append("c");
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, 3u);
  }
  EXPECT_EQ(Segments(), (std::vector<std::string>{file_names::WalSegmentName(1),
                                                  file_names::WalSegmentName(3)}));
  Replayed r2 = Replay(dir_);
  ASSERT_EQ(r2.records.size(), 3u);
  EXPECT_EQ(r2.records[2].second, "c");
}

TEST_F(WalTest, SegmentsRollAndCoveredOnesAreDeleted) {
  std::mt19937_64 rng(2);
  auto w = OpenWriter(FsyncPolicy::kInterval, Env::Default(), /*segment_bytes=*/2048);
  std::vector<std::string> payloads;
  for (size_t i = 0; i < 100; ++i) {
    payloads.push_back(Payload(rng, i));
    ASSERT_TRUE(w->Append(payloads.back()).ok());
  }
  auto segs = Segments();
  EXPECT_GT(segs.size(), 5u);
  for (const auto& name : segs) {
    EXPECT_LE(fs::file_size(fs::path(dir_) / name), 2048u + 24 + 300) << name;
  }
  EXPECT_EQ(w->stats().live_segments, segs.size());
  Replayed r = Replay(dir_);
  ASSERT_EQ(r.records.size(), payloads.size());

  // Delete what sequences <= 50 cover: every remaining segment must still hold seq 51+.
  ASSERT_TRUE(w->DeleteSegmentsUpTo(50).ok());
  Replayed after = Replay(dir_);
  ASSERT_FALSE(after.records.empty());
  EXPECT_LE(after.records.front().first, 51u);
  EXPECT_EQ(after.records.back().first, 100u);
  EXPECT_LT(Segments().size(), segs.size());
  EXPECT_EQ(w->stats().live_segments, Segments().size());
  // The active segment survives any coverage.
  ASSERT_TRUE(w->DeleteSegmentsUpTo(1000).ok());
  EXPECT_EQ(Segments().size(), 1u);
  ASSERT_TRUE(w->Append("after delete").ok());
}

// Writes `n` records into one segment; returns the record end offsets.
std::vector<uint64_t> RecordEnds(const std::vector<std::string>& payloads) {
  std::vector<uint64_t> ends;
  uint64_t off = 0;
  for (const auto& p : payloads) {
    off += wal::kHeaderSize + p.size();
    ends.push_back(off);
  }
  return ends;
}

TEST_F(WalTest, TornTailAtEveryOffsetIsTruncated) {
  std::mt19937_64 rng(3);
  std::vector<std::string> payloads;
  {
    auto w = OpenWriter(FsyncPolicy::kNever);
    for (size_t i = 0; i < 8; ++i) {
      payloads.push_back(Payload(rng, i, 40));
      ASSERT_TRUE(w->Append(payloads.back()).ok());
    }
  }
  const std::string seg = file_names::WalSegmentName(1);
  std::string full;
  {
    std::ifstream in(fs::path(dir_) / seg, std::ios::binary);
    full.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::vector<uint64_t> ends = RecordEnds(payloads);
  ASSERT_EQ(full.size(), ends.back());

  const std::string cut_dir = (root_ / "cut").string();
  for (size_t cut = 0; cut < full.size(); ++cut) {
    fs::remove_all(cut_dir);
    fs::create_directories(cut_dir);
    {
      std::ofstream out(fs::path(cut_dir) / seg, std::ios::binary);
      out.write(full.data(), static_cast<std::streamsize>(cut));
    }
    size_t complete =
        static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), cut) - ends.begin());
    uint64_t boundary = complete ? ends[complete - 1] : 0;
    Replayed r = Replay(cut_dir);
    ASSERT_EQ(r.records.size(), complete) << "cut at " << cut;
    for (size_t i = 0; i < complete; ++i) ASSERT_EQ(r.records[i].second, payloads[i]);
    EXPECT_EQ(r.result.corrupt_records, 0u) << "cut at " << cut;
    EXPECT_EQ(r.result.torn_tail_bytes, cut - boundary) << "cut at " << cut;
    EXPECT_EQ(fs::file_size(fs::path(cut_dir) / seg), boundary);
    // A second replay finds a clean WAL.
    Replayed again = Replay(cut_dir);
    EXPECT_EQ(again.records.size(), complete);
    EXPECT_EQ(again.result.torn_tail_bytes, 0u);
  }
}

TEST_F(WalTest, GarbageAtRandomOffsetsLosesOnlyTheDamagedRecords) {
  std::mt19937_64 rng(4);
  std::vector<std::string> payloads;
  {
    // Two segments so damage lands both in a middle segment and in the last one.
    auto w = OpenWriter(FsyncPolicy::kNever, Env::Default(), /*segment_bytes=*/3000);
    for (size_t i = 0; i < 40; ++i) {
      payloads.push_back(Payload(rng, i));
      ASSERT_TRUE(w->Append(payloads.back()).ok());
    }
  }
  auto segs = Segments();
  ASSERT_GE(segs.size(), 2u);
  // Map every record to (segment index, start, end).
  struct Loc {
    size_t seg;
    uint64_t begin, end;
  };
  std::vector<Loc> locs;
  std::vector<std::string> contents;
  for (size_t s = 0; s < segs.size(); ++s) {
    std::ifstream in(fs::path(dir_) / segs[s], std::ios::binary);
    contents.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    uint64_t off = 0;
    while (off < contents[s].size()) {
      uint64_t len = wal::GetU32(contents[s].data() + off + 4);
      locs.push_back({s, off, off + wal::kHeaderSize + len});
      off += wal::kHeaderSize + len;
    }
  }
  ASSERT_EQ(locs.size(), payloads.size());

  const std::string bad_dir = (root_ / "bad").string();
  for (int round = 0; round < 300; ++round) {
    fs::remove_all(bad_dir);
    fs::create_directories(bad_dir);
    size_t s = rng() % segs.size();
    std::string damaged = contents[s];
    uint64_t at = rng() % damaged.size();
    uint64_t len = std::min<uint64_t>(1 + rng() % 64, damaged.size() - at);
    for (uint64_t k = 0; k < len; ++k) damaged[at + k] ^= static_cast<char>(1 + rng() % 255);
    for (size_t t = 0; t < segs.size(); ++t) {
      std::ofstream out(fs::path(bad_dir) / segs[t], std::ios::binary);
      const std::string& c = t == s ? damaged : contents[t];
      out.write(c.data(), static_cast<std::streamsize>(c.size()));
    }
    Replayed r = Replay(bad_dir);
    std::vector<uint64_t> expected;
    for (size_t i = 0; i < locs.size(); ++i) {
      bool hit = locs[i].seg == s && locs[i].begin < at + len && at < locs[i].end;
      if (!hit) expected.push_back(i + 1);
    }
    std::vector<uint64_t> got;
    for (auto& [seq, p] : r.records) {
      got.push_back(seq);
      ASSERT_EQ(p, payloads[seq - 1]);
    }
    ASSERT_EQ(got, expected) << "round " << round << " seg " << s << " at " << at;
    EXPECT_GE(r.result.corrupt_records + (r.result.torn_tail_bytes > 0 ? 1 : 0), 1u);
  }
}

TEST_F(WalTest, ConcurrentAppendersAreGroupCommitted) {
  FaultEnv env(Env::Default());
  env.SetSyncDelayMicros(2000);  // a slow disk: writers pile up behind each fsync
  constexpr int kThreads = 4;
  constexpr int kPerThread = 150;
  std::map<uint64_t, std::string> acked;
  std::mutex acked_mu;
  auto w = OpenWriter(FsyncPolicy::kAlways, &env, /*segment_bytes=*/64 << 10);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string p = "t" + std::to_string(t) + "-" + std::to_string(i) + std::string(100, 'x');
        auto seq = w->Append(p);
        ASSERT_TRUE(seq.ok());
        std::lock_guard<std::mutex> lock(acked_mu);
        ASSERT_TRUE(acked.emplace(*seq, p).second) << "duplicate seq " << *seq;
      }
    });
  }
  for (auto& th : threads) th.join();
  WalWriterStats st = w->stats();
  EXPECT_EQ(st.records, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(st.groups, st.records / 2) << "no group commit happened";
  EXPECT_EQ(st.synced_seq, st.last_seq);
  ASSERT_TRUE(w->Close().ok());

  // Always-synced: a power loss keeps every acknowledged record.
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  Replayed r = Replay(dir_);
  ASSERT_EQ(r.records.size(), acked.size());
  for (auto& [seq, p] : r.records) EXPECT_EQ(acked[seq], p);
}

TEST_F(WalTest, IntervalPolicySyncsInTheBackground) {
  auto w = OpenWriter(FsyncPolicy::kInterval);
  ASSERT_TRUE(w->Append("x").ok());
  for (int i = 0; i < 400 && w->stats().synced_seq < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(w->stats().synced_seq, 1u);
  EXPECT_GE(w->stats().syncs, 1u);
}

TEST_F(WalTest, FailedWriteIsNotAcknowledgedAndHealthRecovers) {
  FaultEnv env(Env::Default());
  auto w = OpenWriter(FsyncPolicy::kAlways, &env);
  ASSERT_TRUE(w->Append("one").ok());
  env.FailWriteAt(1);
  auto failed = w->Append("two-never-acknowledged");
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  EXPECT_FALSE(w->health().ok());
  auto three = w->Append("three");
  ASSERT_TRUE(three.ok());
  EXPECT_TRUE(w->health().ok());
  ASSERT_TRUE(w->Close().ok());
  Replayed r = Replay(dir_);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].second, "one");
  EXPECT_EQ(r.records[1].second, "three");
  EXPECT_EQ(r.result.corrupt_records, 0u);  // the torn write was cut off
}

TEST_F(WalTest, FailedSyncFailsAlwaysAppendsUntilASyncWorks) {
  FaultEnv env(Env::Default());
  auto w = OpenWriter(FsyncPolicy::kAlways, &env);
  ASSERT_TRUE(w->Append("one").ok());
  env.FailSyncAt(1);
  EXPECT_EQ(w->Append("two").status().code(), StatusCode::kIOError);
  EXPECT_FALSE(w->health().ok());
  ASSERT_TRUE(w->Append("three").ok());
  EXPECT_TRUE(w->health().ok());
}

TEST_F(WalTest, PowerLossUnderIntervalKeepsAPrefix) {
  FaultEnv env(Env::Default());
  std::vector<std::string> acked;
  {
    auto w = OpenWriter(FsyncPolicy::kInterval, &env, 4096);
    for (int i = 0; i < 300; ++i) {
      acked.push_back("rec" + std::to_string(i));
      ASSERT_TRUE(w->Append(acked.back()).ok());
      if (i == 150) {
        ASSERT_TRUE(w->Sync().ok());
      }
    }
    env.SetCrashed(true);  // the process dies: nothing more reaches the disk
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  Replayed r = Replay(dir_);
  ASSERT_GE(r.records.size(), 151u);  // everything up to the explicit Sync
  for (size_t i = 0; i < r.records.size(); ++i) EXPECT_EQ(r.records[i].second, acked[i]);
}

TEST_F(WalTest, RejectsOversizedRecord) {
  auto w = OpenWriter(FsyncPolicy::kNever);
  // Reserved, never-touched pages: the size check must reject it before reading a byte.
  const size_t n = limits::kMaxWalRecordBytes + 1;
  void* mem = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  EXPECT_EQ(w->Append(std::string_view(static_cast<const char*>(mem), n)).status().code(),
            StatusCode::kInvalidArgument);
  ::munmap(mem, n);
  EXPECT_EQ(w->stats().records, 0u);
}

}  // namespace
}  // namespace vigia
