// The columnar engine against the row evaluator (the reference semantics) over the same
// events: parts with small blocks (pruning, several blocks, both worker threads) plus a
// memtable batch, and many filter/stats shapes, including mixed-type fields and JSON nulls.
// Also: a request_id lookup reads at most 3 blocks; a corrupt part fails the query naming
// the part; deadlines and group limits; plain filters with a limit stop early.
#include "query/query_engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "common/query_priority.h"
#include "common/time_format.h"
#include "query/chunk_cache.h"
#include "query/part_block_reader.h"
#include "query/query_plan.h"
#include "query/result_format.h"
#include "query/row_evaluator.h"
#include "query/test_rng.h"
#include "store/format/file_names.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMs = 1'000'000;

using Rng = TestRng;

const char* const kServices[] = {"sales-api", "auth-api", "catalog-api", "reports"};
const char* const kWords[] = {"connection", "refused", "timeout", "Login", "failed",    "user",
                              "sale",       "created", "retry",   "slow",  "operation", "cache"};
const char* const kRoutes[] = {"/sales/{id}/pay", "/login", "/products", "/health"};

// Events of 2 hours from t0, deterministic; strings live in the batch arena.
void Generate(EventBatch* b, int64_t t0, size_t n, uint64_t seed) {
  Rng rng{seed};
  for (size_t i = 0; i < n; ++i) {
    int64_t ts = t0 + static_cast<int64_t>(i) * (7200'000 * kMs / static_cast<int64_t>(n)) +
                 static_cast<int64_t>(rng.Pick(1000)) * kMs;
    b->BeginEvent(ts);
    auto str = [&](const std::string& s) { return Value::String(b->arena().Copy(s)); };
    bool request = rng.Pick(3) == 0;
    b->AddField("kind", Value::String(request ? "request" : (rng.Pick(5) == 0 ? "error" : "log")));
    b->AddField("level", Value::String(rng.Pick(6) == 0 ? "error" : "info"));
    b->AddField("service", Value::String(kServices[rng.Pick(4)]));
    b->AddField("request_id", str("r-" + std::to_string(i / 3)));
    std::string msg;
    for (size_t w = 0, nw = 1 + rng.Pick(5); w < nw; ++w) {
      if (w) msg += rng.Pick(4) == 0 ? ": " : " ";
      msg += kWords[rng.Pick(12)];
    }
    if (i == n / 2) msg += " deadlock";
    b->AddField("msg", str(msg));
    if (request) {
      b->AddField("route", Value::String(kRoutes[rng.Pick(4)]));
      int64_t status = rng.Pick(10) == 0 ? 500 + rng.Pick(4) : 200 + 100 * rng.Pick(3);
      // A few statuses arrive as strings or floats: mixed-type columns.
      if (rng.Pick(50) == 0) {
        b->AddField("status", str(std::to_string(status)));
      } else if (rng.Pick(50) == 0) {
        b->AddField("status", Value::Float(static_cast<double>(status)));
      } else {
        b->AddField("status", Value::Int(status));
      }
      b->AddField("duration_ms", Value::Float(static_cast<double>(rng.Pick(100000)) / 100.0));
      b->AddField("ip",
                  str("10.0." + std::to_string(rng.Pick(4)) + "." + std::to_string(rng.Pick(30))));
    }
    if (rng.Pick(4) == 0)
      b->AddField("user_id", Value::Int(static_cast<int64_t>(rng.Pick(20))));
    else if (rng.Pick(9) == 0)
      b->AddField("user_id", str("u" + std::to_string(rng.Pick(5))));
    if (rng.Pick(7) == 0) b->AddField("sensitive", Value::Bool(rng.Pick(2) == 0));
    if (rng.Pick(11) == 0) b->AddField("note", Value::Null());
    if (!request && rng.Pick(8) == 0) {
      b->AddField("error.type", Value::String(rng.Pick(2) ? "TimeoutError" : "KeyError"));
    }
  }
}

class QueryEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    t0_ = *ParseRfc3339("2026-11-22T09:00:00Z");
    dir_ = fs::temp_directory_path() / ("vigia_engine_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    PartitionSetOptions o;
    o.data_dir = dir_.string();
    o.block_rows = 128;
    auto set = PartitionSet::Open(o);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    // Interleaved time ranges in two parts; the memtable overlaps both.
    EventBatch a, b;
    Generate(&a, t0_, 3000, 1);
    Generate(&b, t0_ + 1800'000 * kMs, 2000, 2);
    const EventBatch* pa[] = {&a};
    const EventBatch* pb[] = {&b};
    ASSERT_TRUE((*set)->AddEvents(pa, 1).ok());
    ASSERT_TRUE((*set)->AddEvents(pb, 2).ok());
    snap_ = new StoreSnapshot();
    snap_->parts = (*set)->Snapshot();
    auto mem = std::make_shared<EventBatch>();
    Generate(mem.get(), t0_ + 600'000 * kMs, 300, 3);
    snap_->memtable.push_back(mem);
    // The reference input: what the store holds, as the row evaluator sees it.
    events_ = new std::vector<EventBatch>();
    for (const auto& p : snap_->parts->parts) {
      auto ev = p->reader->ReadAllEvents();
      ASSERT_TRUE(ev.ok());
      events_->push_back(std::move(*ev));
    }
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static QueryOptions Options() {
    QueryOptions opt;
    opt.now_ns = t0_ + 7200'000 * kMs;
    return opt;
  }

  static std::string Reference(const Query& q, const QueryOptions& opt) {
    auto ev = RowEvaluator::Create(q, opt);
    EXPECT_TRUE(ev.ok());
    for (const EventBatch& b : *events_) EXPECT_TRUE((*ev)->Add(b).ok());
    for (const auto& b : snap_->memtable) EXPECT_TRUE((*ev)->Add(*b).ok());
    auto res = (*ev)->Finish();
    EXPECT_TRUE(res.ok());
    return FormatRows(res->rows, OutputFormat::kCsv);
  }

  static void ExpectSame(const std::string& text, QueryOptions opt = Options()) {
    SCOPED_TRACE(text);
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    std::string want = Reference(*q, opt);
    auto got = RunQuery(*snap_, *q, opt);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(FormatRows(got->rows, OutputFormat::kCsv), want);
  }

  static inline int64_t t0_ = 0;
  static inline fs::path dir_;
  static inline StoreSnapshot* snap_ = nullptr;
  static inline std::vector<EventBatch>* events_ = nullptr;
};

TEST_F(QueryEngineTest, FiltersMatchTheRowEvaluator) {
  ASSERT_GT(snap_->parts->parts[0]->reader->meta().blocks.size(), 10u);
  for (const char* q : {
           "*",
           "service:sales-api level:error",
           "request_id:r-77",
           "request_id:=r-1000 or request_id:r-5",
           "status:>=500",
           "status:500",
           "status:in(500, 501, 200)",
           "status != 200",
           "status:<300 -service:auth-api",
           "connection refused",
           "\"connection refused\"",
           "msg:\"Login failed*\"",
           "deadlock",
           "msg:time*",
           "route:/sales*",
           "route:~\"^/(login|health)\"",
           "user_id:3",
           "user_id:u3",
           "user_id:* -user_id:>5",
           "sensitive:true",
           "note:*",
           "not (kind:log or kind:error)",
           "error.type:TimeoutError or deadlock",
           "_time:[2026-11-22T09:30:00Z, 2026-11-22T09:45:00Z) kind:request",
           "_time:10m",
           "ip:10.0.1.* duration_ms:>500",
           "duration_ms:<=10.5",
           "status:abc",
       }) {
    ExpectSame(std::string(q) + " | fields ts, kind, service, request_id, msg, status, user_id");
  }
}

TEST_F(QueryEngineTest, PlainRowsKeepEveryColumnAndTheTimeOrder) {
  ExpectSame("service:auth-api level:error");
  ExpectSame("* | limit 7");
  ExpectSame("kind:request | limit 40 | fields ts, route");
  ExpectSame("status:>=500 | sort by (duration_ms desc) | limit 3");
}

TEST_F(QueryEngineTest, StatsMatchTheRowEvaluator) {
  for (const char* q : {
           "* | stats count()",
           "nothing_matches_this | stats count(), sum(duration_ms)",
           "kind:request | stats count(), p95(duration_ms), p50(duration_ms), avg(duration_ms), "
           "min(duration_ms), max(duration_ms), sum(duration_ms) by (route)",
           "kind:request | stats count() by (status)",
           "kind:request | stats sum(status), min(status), max(status), count(status) by (service)",
           "* | stats count() by (_time:5m)",
           "kind:request | stats count() as total, count() if (status:>=500) as errors by "
           "(_time:10m) | math round(errors / total * 100, 2) as pct",
           "* | stats count_distinct(ip), count_distinct(user_id), rate() by (service, kind)",
           "* | stats count() by (user_id)",
           "* | stats count() by (sensitive)",
           "* | stats count() by (note)",
           "msg:\"Login failed*\" | stats count() as failures by (ip) | where failures > 3 | sort "
           "by (failures desc)",
           "kind:error | top 3 by (error.type)",
           "* | stats quantile(0.9, duration_ms) by (route, status) | sort by (route)",
           "* | limit 10 | stats count() by (service)",
       }) {
    ExpectSame(q);
  }
}

// A memtable of many batches (a live server's: tens of 20,000-event batches) is scanned by the
// worker threads beside the part blocks when the query aggregates; each batch counts once.
TEST_F(QueryEngineTest, StatsOverManyMemtableBatchesMatchTheRowEvaluator) {
  StoreSnapshot snap;
  snap.parts = snap_->parts;
  std::vector<std::shared_ptr<EventBatch>> mem;
  for (int i = 0; i < 9; ++i) {
    auto b = std::make_shared<EventBatch>();
    Generate(b.get(), t0_ + (300 + 500 * i) * 1000 * kMs, 150 + 40 * i, 10 + i);
    mem.push_back(b);
    snap.memtable.push_back(b);
  }
  for (const char* text : {
           "kind:request | stats p95(duration_ms), count() by (service)",
           "* | stats count(), count_distinct(ip) by (kind, level)",
           "kind:request | stats count() by (_time:5m, route)",
           "* | limit 7 | stats count()",
       }) {
    SCOPED_TRACE(text);
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    auto ev = RowEvaluator::Create(*q, Options());
    ASSERT_TRUE(ev.ok());
    for (const EventBatch& b : *events_) ASSERT_TRUE((*ev)->Add(b).ok());
    for (const auto& b : mem) ASSERT_TRUE((*ev)->Add(*b).ok());
    auto want = (*ev)->Finish();
    ASSERT_TRUE(want.ok());
    auto got = RunQuery(snap, *q, Options());
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(FormatRows(got->rows, OutputFormat::kCsv),
              FormatRows(want->rows, OutputFormat::kCsv));
  }
}

// Time ranges that cut blocks (parts hold each service and kind's rows in time order, so a
// range keeps a run of a block: the stats path then reads only that run, block_window.h),
// with the range at the top level, inside `or`/`not` (not a top-level leaf), and from the
// options, against the row evaluator.
TEST_F(QueryEngineTest, StatsOverRangesThatCutBlocksMatchTheRowEvaluator) {
  Rng rng{42};
  for (int round = 0; round < 24; ++round) {
    const int64_t from_s = static_cast<int64_t>(rng.Pick(7000));
    const int64_t len_s = 1 + static_cast<int64_t>(rng.Pick(round % 2 ? 600 : 3000));
    const std::string from = FormatRfc3339(t0_ + from_s * 1000 * kMs);
    const std::string to = FormatRfc3339(t0_ + (from_s + len_s) * 1000 * kMs);
    const std::string range = "_time:[" + from + ", " + to + ")";
    for (const std::string& text : {
             range + " | stats count()",
             range + " level:error service:catalog-api | stats count()",
             "service:auth-api " + range +
                 " kind:request | stats p95(duration_ms), count() by "
                 "(route)",
             range + " | stats count() by (_time:1m, service)",
             range + " status:>=500 | stats count(), count_distinct(ip) by (kind, level)",
             "(" + range + " or deadlock) | stats count() by (service)",
             "not " + range + " | stats count() by (level)",
         }) {
      ExpectSame(text);
    }
    QueryOptions opt = Options();
    opt.range.from_ns = t0_ + from_s * 1000 * kMs;
    opt.range.to_ns = t0_ + (from_s + len_s) * 1000 * kMs;
    ExpectSame("level:error | stats count() by (service)", opt);
  }
}

TEST_F(QueryEngineTest, SinceUntilNarrowTheScan) {
  QueryOptions opt = Options();
  opt.range.from_ns = t0_ + 3600'000 * kMs;
  opt.range.to_ns = t0_ + 4000'000 * kMs;
  ExpectSame("* | stats count() by (service)", opt);
  auto q = ParseVql("* | stats count()");
  auto r = RunQuery(*snap_, *q, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->stats.blocks_skipped, 0u);
}

TEST_F(QueryEngineTest, RequestIdLookupReadsAtMostThreeBlocks) {
  auto q = ParseVql("request_id:r-800");
  // Cold: an empty cache (capacity 0 drops everything and keeps nothing).
  ChunkCache& cache = ChunkCache::Default();
  const size_t capacity = cache.capacity();
  cache.SetCapacity(0);
  auto r = RunQuery(*snap_, *q, Options());
  cache.SetCapacity(capacity);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows.size(), 3u);
  EXPECT_LE(r->stats.blocks_read, 3u);
  EXPECT_GT(r->stats.blocks_total, 30u);
  EXPECT_EQ(r->stats.blocks_skipped, r->stats.blocks_total - r->stats.blocks_read);
  EXPECT_GT(r->stats.bytes_read, 0u);
  // A chunk is kept on its second read (chunk_cache.h): the first run with the cache on
  // reads again and keeps nothing, the second reads and keeps, the third reads nothing
  // (chunks and bloom filters from the cache).
  auto first = RunQuery(*snap_, *q, Options());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->rows.size(), 3u);
  EXPECT_GT(first->stats.bytes_read, 0u);
  auto second = RunQuery(*snap_, *q, Options());
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->stats.bytes_read, 0u);
  auto warm = RunQuery(*snap_, *q, Options());
  ASSERT_TRUE(warm.ok());
  EXPECT_EQ(warm->rows.size(), 3u);
  EXPECT_EQ(warm->stats.bytes_read, 0u);
}

// Counts by a low-cardinality field come from the chunks' value counts (part format v2) and
// equal the row evaluator's; filters on such fields prune by value; queries that read no
// timestamps skip the `_time` chunk. Each shape runs cold (empty chunk cache) and warm.
TEST_F(QueryEngineTest, MetadataCountsAndValuePruningMatchTheRowEvaluator) {
  ChunkCache& cache = ChunkCache::Default();
  const size_t capacity = cache.capacity();
  for (const char* q : {
           "* | stats count() by (level)",
           "* | stats count()",
           "* | stats count() as n, count() as m by (kind)",
           "kind:request | stats count() by (route)",
           "kind:=request service:auth-api | stats count() by (level)",
           "kind:request | top 2 by (route)",
           "level:error | stats count() by (service)",
           "level:error | stats count() by (_time:10m, service)",
           "kind:request | stats p95(duration_ms), count() by (route)",
           "service:reports kind:log | stats count() by (error.type)",
           "* | stats count() by (note)",
           "* | stats count() by (status)",
           "* | stats count() by (user_id)",
           "* | stats count() by (no_such_field)",
           "kind:request or kind:error | stats count() by (level)",
           "-kind:log | stats count() by (service)",
           "_time:[2026-11-22T09:30:00Z, 2026-11-22T10:15:00Z) | stats count() by (level)",
           // Counts with `_time` buckets and filters on fields that vary within a block:
           // blocks inside one bucket, with at most one varying field, come from metadata.
           "* | stats count() by (_time:1d, level)",
           "level:error | stats count() by (_time:1h, service)",
           "level:error | stats count() by (_time:1d, service)",
           "level:error | stats count() by (_time:1d, kind, service)",
           "kind:request | stats count() by (_time:1h)",
           "level:error service:auth-api | stats count()",
           "level:error service:auth-api _time:[2026-11-22T09:20:00Z, 2026-11-22T10:40:00Z) "
           "| stats count()",
           "(level:error or kind:log) service:sales-api | stats count() by (_time:1d)",
           "-level:info | stats count() by (_time:1d, service)",
           "level:err* | stats count() by (_time:1d, service)",
           "error.type:TimeoutError | stats count() by (_time:1d, service)",
           "note:* | stats count() by (_time:1d)",
           "kind:request | stats count() by (_time:1d, route, service)",
           "kind:request status:>=500 | stats count() by (_time:1d, service)",
           "refused | stats count() by (_time:1d, service)",
           "level:error | stats count() by (_time:1d, _msg)",
           "level:error ts:>=0 | stats count() by (_time:1d, service)",
           "level:error _time:[2026-11-22T10:00:00Z, 2026-11-22T12:00:00Z) "
           "| stats count() by (_time:1d, service)",
           "level:error (_time:[2026-11-22T10:00:00Z, 2026-11-22T12:00:00Z) or kind:log) "
           "| stats count() by (_time:1d)",
           "level:error | stats count() as n, rate() by (_time:1d, service)",
       }) {
    cache.SetCapacity(0);
    ExpectSame(q);
    cache.SetCapacity(capacity);
    ExpectSame(q);
    ExpectSame(q);
  }
  // Runs `text` with an empty chunk cache and returns its scan statistics.
  auto cold = [&](const char* text) {
    auto parsed = ParseVql(text);
    EXPECT_TRUE(parsed.ok()) << text;
    cache.SetCapacity(0);
    auto r = RunQuery(*snap_, *parsed, Options());
    cache.SetCapacity(capacity);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    return r.ok() ? r->stats : QueryStats{};
  };
  // Counting by level decodes nothing at all: every block of the parts is counted from
  // metadata.
  const QueryStats by_level = cold("* | stats count() by (level)");
  EXPECT_EQ(by_level.bytes_read, 0u);
  EXPECT_EQ(by_level.blocks_read, by_level.blocks_total);
  // A filter on a constant field of a block is decided from metadata too; blocks of other
  // services are pruned by value, without reading.
  const QueryStats routes = cold("service:auth-api kind:request | stats count() by (route)");
  EXPECT_LT(routes.blocks_read, routes.blocks_total / 3);
  EXPECT_GT(routes.blocks_read, 0u);
  // With a day bucket every block lies in one bucket: a count by level per day decodes
  // nothing; by the minute it cannot come from metadata and reads the blocks.
  EXPECT_EQ(cold("* | stats count() by (_time:1d, level)").bytes_read, 0u);
  EXPECT_GT(cold("* | stats count() by (_time:1m, level)").bytes_read, 0u);
  // A filter on a field that varies in the block (level), grouped by one constant in it
  // (service): blocks of one service are counted from the level's value counts.
  const QueryStats by_day = cold("level:error | stats count() by (_time:1d, service)");
  const QueryStats by_minute = cold("level:error | stats count() by (_time:1m, service)");
  EXPECT_LT(by_day.bytes_read * 2, by_minute.bytes_read);
  EXPECT_EQ(by_day.rows_matched, by_minute.rows_matched);
}

TEST_F(QueryEngineTest, RareWordSkipsBlocksByBloom) {
  auto q = ParseVql("deadlock");
  auto r = RunQuery(*snap_, *q, Options());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 3u);  // one per generated batch
  EXPECT_LE(r->stats.blocks_read, 4u);
}

// Whole rows of a block read for the first time decode only those rows of the columns the
// filter did not read (PartBlockReader::ReadRestRows); the second read decodes whole chunks
// and keeps them, the third finds them in the cache. The rows are the same each time, and
// the same as the row evaluator's, also when some of a block's columns are cached and
// others not.
TEST_F(QueryEngineTest, PlainRowsAreTheSameColdSecondAndWarm) {
  ChunkCache& cache = ChunkCache::Default();
  const size_t capacity = cache.capacity();
  for (const char* q : {
           "deadlock",
           "request_id:r-77",
           "service:auth-api level:error",
           "status:>=500 user_id:*",
           "error.type:TimeoutError or deadlock",
           "note:*",
           "user_id:u3 or sensitive:true",
           "kind:request | limit 30",
       }) {
    SCOPED_TRACE(q);
    cache.SetCapacity(0);  // drops every chunk and the keys seen
    cache.SetCapacity(capacity);
    for (int run = 0; run < 3; ++run) ExpectSame(q);
  }
  // Some columns cached (a query of a few fields, twice), the others read for the first time.
  cache.SetCapacity(0);
  cache.SetCapacity(capacity);
  ExpectSame("kind:request | fields ts, route, status, request_id");
  ExpectSame("kind:request | fields ts, route, status, request_id");
  ExpectSame("kind:request");
}

// PartBlockReader::ReadRestRows, read three times: a first read decodes only the wanted
// rows; the second keeps those rows' values (a few rows) or the whole chunks (many rows);
// the third reads nothing.
TEST_F(QueryEngineTest, ReadRestRowsDecodesAndKeepsOnlyAFewRows) {
  ChunkCache& cache = ChunkCache::Default();
  const size_t capacity = cache.capacity();
  auto q = ParseVql("service:auth-api");
  ASSERT_TRUE(q.ok());
  auto plan = PlanQuery(*q, Options());
  ASSERT_TRUE(plan.ok());
  const PartReader& part = *snap_->parts->parts[0]->reader;
  PartBlockReader reader(part, *plan);
  const size_t block = 3;
  const uint32_t num_rows = part.meta().blocks[block].num_rows;
  std::vector<uint32_t> many;
  for (uint32_t r = 0; r < num_rows; r += 2) many.push_back(r);
  const std::vector<uint32_t> few = {1, 5, num_rows - 1};
  ASSERT_LE(few.size() * PartBlockReader::kFewRowsDivisor, num_rows);
  ASSERT_GT(many.size() * PartBlockReader::kFewRowsDivisor, num_rows);
  const std::vector<uint32_t>* sets[] = {&few, &many};
  for (const std::vector<uint32_t>* rows : sets) {
    const bool is_few = rows == &few;
    SCOPED_TRACE(is_few ? "few" : "many");
    cache.SetCapacity(0);  // drops every entry and the keys seen
    cache.SetCapacity(capacity);
    BlockRows rest;
    rest.rows = *rows;
    size_t columns = 0;
    uint64_t bytes = 0, before = 0;
    for (int read = 1; read <= 3; ++read) {
      SCOPED_TRACE(read);
      before = bytes;
      ASSERT_TRUE(reader.ReadRestRows(block, &rest, &bytes).ok());
      ASSERT_EQ(rest.chunks.size(), rest.whole.size());
      ASSERT_GT(rest.chunks.size(), 3u);  // kind, level, request_id, msg, ...
      if (read == 1) columns = rest.chunks.size();
      EXPECT_EQ(rest.chunks.size(), columns);
      // Whole chunks only once the second read of many rows kept them.
      const bool whole = !is_few && read > 1;
      for (size_t i = 0; i < rest.chunks.size(); ++i) {
        EXPECT_NE(part.meta().columns[rest.col_index[i]].name, "service");  // the filter's
        EXPECT_EQ(rest.whole[i], whole ? 1 : 0);
        EXPECT_EQ(rest.chunks[i]->col.size(), whole ? num_rows : rows->size());
      }
      if (read < 3) {
        EXPECT_GT(bytes, before);
      }
    }
    EXPECT_EQ(bytes, before);  // the third read came from the cache
  }
  // Another row set of the block is not served by the first one's entries; a whole chunk in
  // the cache serves any rows.
  BlockRows other;
  other.rows = {2};
  uint64_t bytes = 0;
  ASSERT_TRUE(reader.ReadRestRows(block, &other, &bytes).ok());
  EXPECT_EQ(bytes, 0u);  // the many-rows pass left every chunk whole in the cache
  for (uint8_t w : other.whole) EXPECT_EQ(w, 1);
  cache.SetCapacity(0);
  cache.SetCapacity(capacity);
  ASSERT_TRUE(reader.ReadRestRows(block, &other, &bytes).ok());
  EXPECT_GT(bytes, 0u);
}

TEST_F(QueryEngineTest, LimitStopsTheScanEarly) {
  auto q = ParseVql("* | limit 5");
  auto r = RunQuery(*snap_, *q, Options());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 5u);
  EXPECT_LT(r->stats.blocks_read, 5u);
  QueryOptions opt = Options();
  opt.row_limit = 10;
  auto all = ParseVql("kind:request");
  auto r2 = RunQuery(*snap_, *all, opt);
  ASSERT_TRUE(r2.ok());
  EXPECT_GE(r2->rows.size(), 10u);
  EXPECT_LT(r2->stats.blocks_read, r2->stats.blocks_total / 4);
}

TEST_F(QueryEngineTest, LimitsAndDeadline) {
  QueryOptions opt = Options();
  opt.max_groups = 10;
  auto q = ParseVql("* | stats count() by (request_id)");
  auto r = RunQuery(*snap_, *q, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  opt = Options();
  opt.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  r = RunQuery(*snap_, *ParseVql("* | stats count()"), opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  opt = Options();
  opt.max_memory_bytes = 1 << 16;
  r = RunQuery(*snap_, *ParseVql("*"), opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

// What a streamed run delivered: the rows handed to on_rows (and how far the scan was at the
// first of them), then the rows RunQuery returned.
struct Streamed {
  std::vector<QueryRecord> early;
  size_t calls = 0;
  uint64_t blocks_at_first_call = 0;
  uint64_t blocks_total = 0;
  Result<QueryResult> result = Status::Internal("not run");
};

Streamed RunStreamed(const StoreSnapshot& snap, const Query& q, const QueryOptions& opt) {
  Streamed s;
  QueryProgress last;
  QueryObserver obs;
  obs.on_progress = [&](const QueryProgress& p) { last = p; };
  obs.on_rows = [&](std::vector<QueryRecord> rows) {
    EXPECT_FALSE(rows.empty());
    if (s.calls++ == 0) s.blocks_at_first_call = last.blocks_done;
    for (QueryRecord& r : rows) s.early.push_back(std::move(r));
    return Status::Ok();
  };
  s.result = RunQuery(snap, q, opt, obs);
  s.blocks_total = last.blocks_total;
  return s;
}

TEST_F(QueryEngineTest, StreamedRowsComeInTheFinalOrderBeforeTheScanEnds) {
  QueryOptions capped = Options();
  capped.row_limit = 301;
  QueryOptions narrow = Options();
  narrow.range.from_ns = t0_ + 1700'000 * kMs;
  for (auto [text, opt] : std::vector<std::pair<const char*, QueryOptions>>{
           {"*", Options()},
           {"service:sales-api", Options()},
           {"level:error or deadlock", Options()},
           {"* | fields ts, service, msg", Options()},
           {"kind:request | limit 250 | fields ts, route, status", Options()},
           {"* | fields ts, msg | limit 1000 | limit 900", Options()},
           {"kind:log", capped},
           {"*", narrow},
           {"kind:request | math duration_ms * 2 as d2 | fields ts, d2", Options()},
       }) {
    SCOPED_TRACE(text);
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    auto whole = RunQuery(*snap_, *q, opt);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    Streamed s = RunStreamed(*snap_, *q, opt);
    ASSERT_TRUE(s.result.ok()) << s.result.status().ToString();
    std::vector<QueryRecord> all = std::move(s.early);
    for (QueryRecord& r : s.result->rows) all.push_back(std::move(r));
    EXPECT_EQ(FormatRows(all, OutputFormat::kCsv), FormatRows(whole->rows, OutputFormat::kCsv));
    EXPECT_EQ(s.result->stats.rows_matched, whole->stats.rows_matched);
    // Rows went out while blocks were still unread (the parts' time ranges are staggered).
    ASSERT_GT(s.calls, 0u);
    EXPECT_LT(s.blocks_at_first_call, s.blocks_total);
  }
}

TEST_F(QueryEngineTest, OnlyOrderKeepingPlainFiltersStream) {
  for (const char* text : {"* | stats count() by (service)", "* | sort by (duration_ms)",
                           "* | where status:500", "* | limit 0", "kind:error | top 3 by (ip)"}) {
    SCOPED_TRACE(text);
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_FALSE(StreamableQuery(*q));
    Streamed s = RunStreamed(*snap_, *q, Options());
    ASSERT_TRUE(s.result.ok()) << s.result.status().ToString();
    EXPECT_EQ(s.calls, 0u);
    EXPECT_EQ(FormatRows(s.result->rows, OutputFormat::kCsv), Reference(*q, Options()));
  }
  EXPECT_TRUE(StreamableQuery(*ParseVql("level:error | limit 3 | fields ts")));
}

TEST_F(QueryEngineTest, SinkErrorsAndCancelStopTheScan) {
  auto q = ParseVql("*");
  QueryObserver obs;
  size_t calls = 0;
  obs.on_rows = [&](std::vector<QueryRecord>) {
    ++calls;
    return Status::Unavailable("client went away");
  };
  auto r = RunQuery(*snap_, *q, Options(), obs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "client went away");
  EXPECT_EQ(calls, 1u);

  std::atomic<bool> cancel{false};
  QueryObserver stop;
  stop.cancel = &cancel;
  uint64_t blocks = 0;
  stop.on_progress = [&](const QueryProgress& p) {
    blocks = p.blocks_done;
    if (p.blocks_done >= 3) cancel = true;
  };
  // A limited plain filter scans on the calling thread: the stop is exact.
  r = RunQuery(*snap_, *ParseVql("* | limit 1000000"), Options(), stop);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(blocks, 3u);
}

// A background query (the server's start-up refill of its traffic statistics) waits before
// its first block while a user's query runs, and runs on once it ends; a user's query sent
// meanwhile is answered at once. Without the wait the background query finishes in
// milliseconds, long before the 300 ms checked here.
TEST_F(QueryEngineTest, ABackgroundQueryWaitsWhileAUserQueryRuns) {
  auto q = ParseVql("* | stats count() by (level)");
  ASSERT_TRUE(q.ok());
  QueryOptions bg = Options();
  bg.background = true;
  std::optional<QueryPriority::Scope> user(std::in_place, &QueryPriority::Global());
  std::atomic<bool> done{false};
  std::atomic<uint64_t> blocks{0};
  QueryObserver obs;
  obs.on_progress = [&](const QueryProgress& p) { blocks = p.blocks_done; };
  Result<QueryResult> got = Status::Internal("not run");
  std::thread t([&] {
    got = RunQuery(*snap_, *q, bg, obs);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(done.load());
  EXPECT_EQ(blocks.load(), 0u);
  auto now = RunQuery(*snap_, *q, Options());
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_FALSE(done.load());
  user.reset();
  t.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(FormatRows(got->rows, OutputFormat::kCsv), FormatRows(now->rows, OutputFormat::kCsv));
  EXPECT_EQ(FormatRows(got->rows, OutputFormat::kCsv), Reference(*q, Options()));
}

TEST_F(QueryEngineTest, ProgressCountsEveryBlockInRange) {
  std::vector<QueryProgress> seen;
  QueryObserver obs;
  obs.on_progress = [&](const QueryProgress& p) { seen.push_back(p); };
  auto r = RunQuery(*snap_, *ParseVql("* | stats count()"), Options(), obs);
  ASSERT_TRUE(r.ok());
  // Worker 0 reports its blocks (the other worker may have taken them all), then the end.
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().blocks_done, seen.back().blocks_total);
  EXPECT_EQ(seen.back().blocks_total, r->stats.blocks_total);
  EXPECT_EQ(seen.back().rows_scanned, r->stats.rows_scanned);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_LE(seen[i - 1].blocks_done, seen[i].blocks_done);
  }
}

TEST(QueryEngineCorruption, ErrorNamesThePart) {
  fs::path dir = fs::temp_directory_path() / ("vigia_engine_corrupt_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  PartitionSetOptions o;
  o.data_dir = dir.string();
  o.block_rows = 64;
  EventBatch b;
  Generate(&b, *ParseRfc3339("2026-11-22T09:00:00Z"), 500, 9);
  std::string part_dir;
  {
    auto set = PartitionSet::Open(o);
    ASSERT_TRUE(set.ok());
    const EventBatch* pb[] = {&b};
    ASSERT_TRUE((*set)->AddEvents(pb, 1).ok());
    part_dir = (*set)->Snapshot()->parts[0]->reader->dir();
  }
  // Flip a byte in the middle of the data file.
  fs::path data = fs::path(part_dir) / file_names::kPartDataFile;
  std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(fs::file_size(data) / 2));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(fs::file_size(data) / 2));
  c = static_cast<char>(c ^ 0x5a);
  f.write(&c, 1);
  f.close();
  auto set = PartitionSet::Open(o);
  ASSERT_TRUE(set.ok());
  StoreSnapshot snap;
  snap.parts = (*set)->Snapshot();
  ASSERT_EQ(snap.parts->parts.size(), 1u);
  QueryOptions opt;
  auto r = RunQuery(snap, *ParseVql("*"), opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(part_dir), std::string::npos) << r.status().ToString();
  fs::remove_all(dir);
}

TEST(ChunkCacheTest, KeepsRecentChunksWithinItsCapacity) {
  auto chunk = [](size_t rows) {
    auto c = std::make_shared<CachedChunk>();
    c->col.present.assign(rows, 1);
    c->col.ints.assign(rows, 7);
    c->bytes = ChunkMemory(*c);
    return c;
  };
  const size_t one = chunk(100)->bytes;
  ChunkCache cache(one * 9 / 2);  // room for four
  for (const char* k : {"a", "b", "c", "d"}) cache.Put(k, chunk(100));
  ASSERT_NE(cache.Get("a"), nullptr);  // a becomes the most recent
  cache.Put("e", chunk(100));
  EXPECT_LE(cache.bytes(), one * 9 / 2);
  EXPECT_EQ(cache.Get("b"), nullptr);  // the least recently used went first
  EXPECT_NE(cache.Get("a"), nullptr);
  EXPECT_NE(cache.Get("e"), nullptr);
  cache.Put("huge", chunk(1000));  // over a quarter of the capacity: not kept
  EXPECT_EQ(cache.Get("huge"), nullptr);
}

}  // namespace
}  // namespace vigia
