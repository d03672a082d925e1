// FreshDataWarmer through the store's real hooks: a batch appended after a query read some
// field names twice (hot_columns.h) has those columns built before any query reads it; a part
// written by a flush or a merge has the chunks and blooms of those names in the chunk cache before
// it is published, so the next query reads nothing from disk; a merge's inputs leave the cache; the
// answers equal the row evaluator's all along. Each test starts from empty process-wide caches (the
// engine's own, which the warmer fills).
#include "query/fresh_data_warmer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/limits.h"
#include "query/chunk_cache.h"
#include "query/hot_columns.h"
#include "query/memtable_block.h"
#include "query/part_block_reader.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "query/row_evaluator.h"
#include "store/format/bloom.h"
#include "store/store_snapshot.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = int64_t{1'764'000'000} * 1'000'000'000;  // 2025-11-24
constexpr const char* kDashboard = "kind:request | stats p95(duration_ms), count() by (service)";

std::shared_ptr<EventBatch> MakeBatch(size_t n, uint64_t seed) {
  auto b = std::make_shared<EventBatch>();
  const char* const services[] = {"sales-api", "auth-api", "catalog-api"};
  uint64_t s = seed;
  for (size_t i = 0; i < n; ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t r = s >> 33;
    b->BeginEvent(kT0 + static_cast<int64_t>(seed * 100'000 + i) * 1'000'000);  // ms
    b->AddField("kind", Value::String(r % 3 == 0 ? "request" : "log"));
    b->AddField("service", Value::String(services[r % 7 % 3]));
    b->AddField("msg", Value::String(b->arena().Copy("event " + std::to_string(r % 1000))));
    if (r % 3 == 0) b->AddField("duration_ms", Value::Float(static_cast<double>(r % 10000) / 10));
  }
  return b;
}

class FreshDataWarmerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigia_warmer_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    HotColumns::Default().Clear();
    ChunkCache::Default().SetCapacity(64 << 20);  // also forgets the doorkeeper's keys
    ChunkCache::Default().SetCapacity(0);         // empties it...
    ChunkCache::Default().SetCapacity(64 << 20);  // ...and bounds it again
  }
  void TearDown() override {
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
    fs::remove_all(dir_);
  }

  void OpenStore(FreshDataWarmer::Options wo) {
    StoreOptions so;
    so.data_dir = dir_.string();
    so.memtable_flush_bytes = uint64_t{1} << 30;  // flushes only by Flush()
    so.memtable_flush_age_ms = 3'600'000;
    so.background_merges = false;
    so.retention.days = 0;
    so.fresh_data = std::make_shared<FreshDataWarmer>(wo);
    auto s = Store::Open(so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  void Append(const std::shared_ptr<EventBatch>& b) {
    appended_.push_back(b);
    ASSERT_TRUE(store_->Append(b).ok());
  }

  static QueryOptions Options() {
    QueryOptions o;
    o.now_ns = kT0 + int64_t{3600} * 1'000'000'000;
    return o;
  }

  // The engine's answer over the store now, checked against the row evaluator's over every
  // batch appended; *stats gets the engine's counters.
  void ExpectDashboardAnswer(QueryStats* stats = nullptr) {
    auto q = ParseVql(kDashboard);
    ASSERT_TRUE(q.ok());
    auto ev = RowEvaluator::Create(*q, Options());
    ASSERT_TRUE(ev.ok());
    for (const auto& b : appended_) ASSERT_TRUE((*ev)->Add(*b).ok());
    auto want = (*ev)->Finish();
    ASSERT_TRUE(want.ok());
    auto got = RunQuery(GetSnapshot(*store_), *q, Options());
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(FormatRows(got->rows, OutputFormat::kCsv),
              FormatRows(want->rows, OutputFormat::kCsv));
    EXPECT_FALSE(got->rows.empty());
    if (stats) *stats = got->stats;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::vector<std::shared_ptr<const EventBatch>> appended_;
};

TEST_F(FreshDataWarmerTest, AnAppendedBatchHasTheColumnsQueriesReadBuiltBeforeAnyQuery) {
  OpenStore({});
  auto first = MakeBatch(500, 1);
  Append(first);
  // No query has read anything yet: nothing is built ahead.
  EXPECT_EQ(MemtableBlockCache::Default().Get(first)->built_names(), 0u);
  ExpectDashboardAnswer();  // reads kind, duration_ms, service: once
  auto second = MakeBatch(500, 2);
  Append(second);
  // A query run once makes nothing hot (hot_columns.h): nothing is built ahead.
  EXPECT_EQ(MemtableBlockCache::Default().Get(second)->built_names(), 0u);
  ExpectDashboardAnswer();  // the dashboard's next refresh: hot now

  auto third = MakeBatch(500, 3);
  Append(third);
  // Built on the append, before any query ran over `third`: kind, service, duration_ms
  // (not msg, which no query read).
  EXPECT_EQ(MemtableBlockCache::Default().Get(third)->built_names(), 3u);
  ExpectDashboardAnswer();
}

TEST_F(FreshDataWarmerTest, MemtableHalfOffBuildsNothingAhead) {
  FreshDataWarmer::Options wo;
  wo.memtable = false;
  OpenStore(wo);
  Append(MakeBatch(500, 1));
  ExpectDashboardAnswer();
  ExpectDashboardAnswer();
  auto second = MakeBatch(500, 2);
  Append(second);
  EXPECT_EQ(MemtableBlockCache::Default().Get(second)->built_names(), 0u);
}

TEST_F(FreshDataWarmerTest, AFlushedPartIsReadFromTheCacheByTheFirstQuery) {
  OpenStore({});
  Append(MakeBatch(3000, 1));
  ExpectDashboardAnswer();
  ExpectDashboardAnswer();  // memtable only: the names are hot now (read twice)
  Append(MakeBatch(3000, 2));
  const size_t before = ChunkCache::Default().bytes();
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_GT(ChunkCache::Default().bytes(), before);

  StoreSnapshot snap = GetSnapshot(*store_);
  ASSERT_EQ(snap.parts->parts.size(), 1u);
  ASSERT_TRUE(snap.memtable.empty());
  const PartReader& part = *snap.parts->parts[0]->reader;
  size_t hot_chunks = 0;
  for (size_t block = 0; block < part.meta().blocks.size(); ++block) {
    for (const ChunkMeta& c : part.meta().blocks[block].chunks) {
      if (c.column == 0) continue;  // the timestamps: no query read them per row
      const std::string& name = part.meta().columns[c.column].name;
      const bool hot = name == "kind" || name == "service" || name == "duration_ms";
      EXPECT_EQ(ChunkCache::Default().Get(ChunkCache::Key(part.dir(), block, c.column)) != nullptr,
                hot)
          << name << " block " << block;
      hot_chunks += hot;
    }
  }
  EXPECT_GE(hot_chunks, 3u);

  // The first query after the flush decodes nothing: every chunk and bloom it needs is cached.
  QueryStats stats;
  ExpectDashboardAnswer(&stats);
  EXPECT_EQ(stats.bytes_read, 0u);
  EXPECT_GT(stats.blocks_read, 0u);
}

// A `_time` chunk the warmer caches carries its sorted runs, as one a query decodes does:
// without them every later query over a time range that cuts the block tested each row
// (query_engine.cpp) for as long as the chunk stayed cached.
TEST_F(FreshDataWarmerTest, AWarmedTimeChunkKeepsItsSortedRuns) {
  OpenStore({});
  Append(MakeBatch(3000, 1));
  auto q = ParseVql("kind:request | stats count() by (_time:1m)");
  ASSERT_TRUE(q.ok());
  // Reads _time per row; twice, as a dashboard's refreshes do.
  ASSERT_TRUE(RunQuery(GetSnapshot(*store_), *q, Options()).ok());
  ASSERT_TRUE(RunQuery(GetSnapshot(*store_), *q, Options()).ok());
  ASSERT_TRUE(HotColumns::Default().ReadsTime());
  ASSERT_TRUE(store_->Flush().ok());

  StoreSnapshot snap = GetSnapshot(*store_);
  ASSERT_EQ(snap.parts->parts.size(), 1u);
  const PartReader& part = *snap.parts->parts[0]->reader;
  for (size_t block = 0; block < part.meta().blocks.size(); ++block) {
    auto cached = ChunkCache::Default().Get(ChunkCache::Key(part.dir(), block, 0));
    ASSERT_NE(cached, nullptr) << "block " << block;
    CachedChunk decoded;
    uint64_t bytes_read = 0;
    ASSERT_TRUE(
        ReadCachedChunk(part, block, part.meta().blocks[block].chunks[0], &decoded, &bytes_read)
            .ok());
    // Rows are sorted by (service, kind, ts): a run per service and kind in the block.
    EXPECT_FALSE(decoded.time_runs.empty()) << "block " << block;
    EXPECT_EQ(cached->time_runs, decoded.time_runs) << "block " << block;
    EXPECT_EQ(cached->col.ints, decoded.col.ints) << "block " << block;
  }
}

// A query run once (someone exploring, a report) has the warmer decode nothing: a flushed
// part's chunks stay out of the cache, and the query's own second run reads them from disk.
TEST_F(FreshDataWarmerTest, AQueryRunOnceWarmsNothing) {
  OpenStore({});
  Append(MakeBatch(3000, 1));
  ExpectDashboardAnswer();
  Append(MakeBatch(3000, 2));
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(ChunkCache::Default().bytes(), 0u);
  QueryStats stats;
  ExpectDashboardAnswer(&stats);
  EXPECT_GT(stats.bytes_read, 0u);
}

TEST_F(FreshDataWarmerTest, PartsHalfOffLeavesTheFirstQueryCold) {
  FreshDataWarmer::Options wo;
  wo.parts = false;
  OpenStore(wo);
  Append(MakeBatch(3000, 1));
  ExpectDashboardAnswer();
  ExpectDashboardAnswer();
  ASSERT_TRUE(store_->Flush().ok());
  QueryStats stats;
  ExpectDashboardAnswer(&stats);
  EXPECT_GT(stats.bytes_read, 0u);
}

TEST_F(FreshDataWarmerTest, AMergedPartIsWarmAndItsInputsLeaveTheCache) {
  FreshDataWarmer::Options wo;
  auto warmer = std::make_shared<FreshDataWarmer>(wo);
  PartitionSetOptions po;
  po.data_dir = dir_.string();
  po.block_rows = 256;
  po.merge_min_parts = 2;
  po.fresh_data = warmer;
  auto set = PartitionSet::Open(po);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  // msg has a (word) bloom filter: the warmer keeps its groups too.
  const std::vector<std::string> hot = {"kind", "service", "duration_ms", "msg"};
  HotColumns::Default().Note(hot, false);
  HotColumns::Default().Note(hot, false);
  std::vector<std::shared_ptr<EventBatch>> batches = {MakeBatch(1000, 1), MakeBatch(1000, 2)};
  for (size_t i = 0; i < batches.size(); ++i) {
    const EventBatch* b[] = {batches[i].get()};
    ASSERT_TRUE((*set)->AddEvents(b, i + 1).ok());
  }
  std::vector<std::string> inputs;
  const auto before = (*set)->Snapshot();
  for (const auto& p : before->parts) inputs.push_back(p->reader->dir());
  ASSERT_EQ(inputs.size(), 2u);
  const size_t input_entries = ChunkCache::Default().entries();
  EXPECT_GT(input_entries, 0u);  // the flushes warmed them

  auto merged = (*set)->MergeOnce();
  ASSERT_TRUE(merged.ok() && *merged);
  auto snap = (*set)->Snapshot();
  ASSERT_EQ(snap->parts.size(), 1u);
  const PartReader& part = *snap->parts[0]->reader;
  // The merged part's hot chunks (and their blooms) are all there, and nothing else: the
  // inputs' entries are gone.
  const auto is_hot = [&](uint32_t column) {
    return std::find(hot.begin(), hot.end(), part.meta().columns[column].name) != hot.end();
  };
  size_t hot_chunks = 0, hot_blooms = 0;
  for (size_t block = 0; block < part.meta().blocks.size(); ++block) {
    for (const ChunkMeta& c : part.meta().blocks[block].chunks) {
      if (!is_hot(c.column)) continue;
      EXPECT_NE(ChunkCache::Default().Get(ChunkCache::Key(part.dir(), block, c.column)), nullptr);
      ++hot_chunks;
    }
  }
  for (uint32_t col = 1; col < part.meta().columns.size(); ++col) {
    if (!is_hot(col) || part.meta().columns[col].bloom == BloomKind::kNone) continue;
    for (size_t g = 0; g * limits::kBloomGroupBlocks < part.meta().blocks.size(); ++g) {
      EXPECT_NE(ChunkCache::Default().Get(ChunkCache::BloomGroupKey(part.dir(), col, g)), nullptr);
      ++hot_blooms;
    }
  }
  EXPECT_GE(hot_chunks, part.meta().blocks.size());  // duration_ms: request blocks only
  EXPECT_GT(hot_blooms, 0u);
  EXPECT_EQ(ChunkCache::Default().entries(), hot_chunks + hot_blooms);

  // The engine's answer over the merged part, read wholly from the cache, is the reference's.
  StoreSnapshot ss;
  ss.parts = snap;
  auto q = ParseVql(kDashboard);
  ASSERT_TRUE(q.ok());
  auto ev = RowEvaluator::Create(*q, Options());
  ASSERT_TRUE(ev.ok());
  for (const auto& b : batches) ASSERT_TRUE((*ev)->Add(*b).ok());
  auto want = (*ev)->Finish();
  ASSERT_TRUE(want.ok());
  auto got = RunQuery(ss, *q, Options());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(FormatRows(got->rows, OutputFormat::kCsv), FormatRows(want->rows, OutputFormat::kCsv));
  EXPECT_EQ(got->stats.bytes_read, 0u);
}

}  // namespace
}  // namespace vigia
