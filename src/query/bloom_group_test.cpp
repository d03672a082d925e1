// Bloom groups (bloom_group.h): a group holds exactly the filters and chunks a per-block read
// gives, across full and short groups and blocks without the column; the memo and the cache
// serve later blocks of a group without reading; a damaged filter is Corruption; and a needle
// query through the engine prunes by them.
#include "query/bloom_group.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/limits.h"
#include "query/query_engine.h"
#include "store/format/bloom.h"
#include "store/format/file_names.h"
#include "store/format/part_writer.h"
#include "store/partition_set.h"
#include "store/store_snapshot.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = int64_t{1'764'000'000} * 1'000'000'000;
constexpr uint32_t kBlockRows = 8;
// 2 full groups and a short one; rows sort by (service, kind, ts), so the "batch" service's
// rows (no request_id) fill blocks of their own, without a request_id chunk.
constexpr size_t kRequests = (2 * limits::kBloomGroupBlocks + 9) * kBlockRows;
constexpr size_t kBatchRows = 5 * kBlockRows;

std::string RequestId(size_t i) { return "rid-" + std::to_string(i * 7919 % 100'003); }

class BloomGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigia_bloom_group_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ChunkCache::Default().SetCapacity(0);  // empties it
    ChunkCache::Default().SetCapacity(64 << 20);
    EventBatch batch;
    for (size_t i = 0; i < kRequests + kBatchRows; ++i) {
      batch.BeginEvent(kT0 + static_cast<int64_t>(i) * 1'000'000);
      const bool request = i < kRequests;
      batch.AddField("service", Value::String(request ? "api" : "batch"));
      batch.AddField("kind", Value::String(request ? "request" : "log"));
      if (request) batch.AddField("request_id", Value::String(batch.arena().Copy(RequestId(i))));
    }
    PartWriterOptions o;
    o.block_rows = kBlockRows;
    const EventBatch* bs[] = {&batch};
    auto meta = WritePartFromBatches(bs, dir_ / "tmp-p", dir_ / "part-1", o);
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    auto r = PartReader::Open(nullptr, dir_ / "part-1");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    part_ = std::shared_ptr<PartReader>(std::move(*r));
    for (uint32_t c = 0; c < part_->meta().columns.size(); ++c) {
      if (part_->meta().columns[c].name == "request_id") column_ = c;
    }
    ASSERT_NE(column_, 0u);
    ASSERT_EQ(part_->meta().columns[column_].bloom, BloomKind::kValues);
  }
  void TearDown() override {
    part_.reset();
    ChunkCache::Default().SetCapacity(0);
    ChunkCache::Default().SetCapacity(limits::kQueryChunkCacheBytes);
    fs::remove_all(dir_);
  }

  // The request_id filters' bytes over the whole part.
  uint64_t BloomBytes() const {
    uint64_t bytes = 0;
    for (const BlockMeta& b : part_->meta().blocks) {
      const ChunkMeta* c = b.FindChunk(column_);
      if (c != nullptr) bytes += c->bloom_size;
    }
    return bytes;
  }

  fs::path dir_;
  std::shared_ptr<PartReader> part_;
  uint32_t column_ = 0;
};

TEST_F(BloomGroupTest, AGroupHoldsWhatReadingEachBlockGives) {
  const PartMeta& m = part_->meta();
  ASSERT_EQ(m.blocks.size(), (kRequests + kBatchRows) / kBlockRows);
  const size_t groups =
      (m.blocks.size() + limits::kBloomGroupBlocks - 1) / limits::kBloomGroupBlocks;
  ASSERT_EQ(groups, 3u);
  size_t without = 0;
  for (size_t g = 0; g < groups; ++g) {
    uint64_t bytes = 0;
    auto group = ReadBloomGroup(*part_, column_, g, &bytes);
    ASSERT_TRUE(group.ok()) << group.status().ToString();
    uint64_t expected_bytes = 0;
    for (size_t b = g * limits::kBloomGroupBlocks;
         b < std::min(m.blocks.size(), (g + 1) * limits::kBloomGroupBlocks); ++b) {
      ASSERT_EQ(BloomGroupOf(b), g);
      const ChunkMeta* c = m.blocks[b].FindChunk(column_);
      EXPECT_EQ(GroupChunk(*part_, **group, b), c) << b;
      if (c == nullptr) {
        ++without;
        EXPECT_TRUE(GroupFilter(**group, b).empty());
        continue;
      }
      std::string filter;
      ASSERT_TRUE(part_->ReadBloom(b, *c, &filter, &expected_bytes).ok());
      ASSERT_FALSE(filter.empty());
      EXPECT_EQ(GroupFilter(**group, b), filter) << b;
    }
    EXPECT_EQ(bytes, expected_bytes);
    EXPECT_EQ((*group)->bytes, ChunkMemory(**group));
  }
  EXPECT_EQ(without, kBatchRows / kBlockRows);
  // Past the last group is a bug, reported as one.
  uint64_t bytes = 0;
  EXPECT_EQ(ReadBloomGroup(*part_, column_, groups, &bytes).status().code(), StatusCode::kInternal);
}

TEST_F(BloomGroupTest, TheMemoAndTheCacheServeAGroupOnce) {
  BloomMemo memo;
  uint64_t bytes = 0;
  auto first = memo.Get(*part_, column_, 0, &bytes);
  ASSERT_TRUE(first.ok());
  EXPECT_GT(bytes, 0u);
  const uint64_t one_group = bytes;
  EXPECT_NE(ChunkCache::Default().Get(ChunkCache::BloomGroupKey(part_->dir(), column_, 0)),
            nullptr);
  // The rest of the group: the same entry, nothing read.
  for (size_t b = 1; b < limits::kBloomGroupBlocks; ++b) {
    auto again = memo.Get(*part_, column_, b, &bytes);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->get(), first->get());
  }
  EXPECT_EQ(bytes, one_group);
  // The next group is another entry, read once.
  auto second = memo.Get(*part_, column_, limits::kBloomGroupBlocks, &bytes);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->get(), first->get());
  EXPECT_GT(bytes, one_group);
  // Another worker's memo finds both in the cache.
  BloomMemo other;
  uint64_t other_bytes = 0;
  auto cached = other.Get(*part_, column_, 3, &other_bytes);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->get(), first->get());
  EXPECT_EQ(other_bytes, 0u);
}

// Workers of a parallel scan reach a group together: one of them reads it, the others get
// the same entry.
TEST_F(BloomGroupTest, WorkersReachingAGroupTogetherReadItOnce) {
  const uint64_t bloom_bytes = BloomBytes();
  constexpr int kWorkers = 4;
  std::vector<uint64_t> bytes(kWorkers, 0);
  std::vector<std::vector<const CachedChunk*>> seen(kWorkers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      BloomMemo memo;
      ready.fetch_add(1);
      while (ready.load() < kWorkers) {
      }
      for (size_t b = 0; b < part_->meta().blocks.size(); ++b) {
        auto g = memo.Get(*part_, column_, b, &bytes[w]);
        seen[w].push_back(g.ok() ? g->get() : nullptr);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  uint64_t total = 0;
  for (uint64_t b : bytes) total += b;
  EXPECT_EQ(total, bloom_bytes);
  for (int w = 1; w < kWorkers; ++w) EXPECT_EQ(seen[w], seen[0]);
  EXPECT_EQ(std::count(seen[0].begin(), seen[0].end(), nullptr), 0);
}

TEST_F(BloomGroupTest, ADamagedFilterIsCorruptionNamingThePart) {
  const ChunkMeta* c = part_->meta().blocks[70].FindChunk(column_);
  ASSERT_NE(c, nullptr);
  {
    std::fstream f(dir_ / "part-1" / std::string(file_names::kPartBloomFile),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(c->bloom_offset + 1));
    f.put('\x5a');
  }
  uint64_t bytes = 0;
  auto bad = ReadBloomGroup(*part_, column_, 1, &bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("part-1"), std::string::npos) << bad.status().ToString();
  // The group before it is intact.
  EXPECT_TRUE(ReadBloomGroup(*part_, column_, 0, &bytes).ok());
}

TEST_F(BloomGroupTest, ANeedleQueryReadsOnlyTheBlockHoldingIt) {
  auto parts = std::make_shared<PartSnapshot>();
  auto handle = std::make_shared<PartHandle>();
  handle->name = "part-1";
  handle->seq = 1;
  handle->reader = part_;
  parts->parts.push_back(handle);
  StoreSnapshot snap;
  snap.parts = parts;
  QueryOptions opt;
  opt.now_ns = kT0 + int64_t{3600} * 1'000'000'000;
  const uint64_t bloom_bytes = BloomBytes();
  // One in a full group, one in the short group; cold, then with every group cached: the
  // second run reads the filters of no block (only the matching block's chunks again, which
  // the cache admits on their second read).
  for (size_t row : {size_t{100}, 2 * limits::kBloomGroupBlocks * kBlockRows + 3}) {
    ChunkCache::Default().SetCapacity(0);
    ChunkCache::Default().SetCapacity(64 << 20);
    uint64_t cold_bytes = 0;
    for (int run = 0; run < 2; ++run) {
      SCOPED_TRACE(::testing::Message() << "row " << row << " run " << run);
      auto q = ParseVql("request_id:\"" + RequestId(row) + "\"");
      ASSERT_TRUE(q.ok()) << q.status().ToString();
      auto r = RunQuery(snap, *q, opt);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->rows.size(), 1u);
      EXPECT_EQ(r->stats.blocks_read, 1u);
      EXPECT_EQ(r->stats.blocks_total, part_->meta().blocks.size());
      if (run == 0) cold_bytes = r->stats.bytes_read;
      if (run == 1) {
        EXPECT_EQ(cold_bytes - r->stats.bytes_read, bloom_bytes);
      }
    }
  }
}

}  // namespace
}  // namespace vigia
