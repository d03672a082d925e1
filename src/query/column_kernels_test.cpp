// The columnar kernels over dictionary-form string columns (column_vector.h) against the
// reference semantics: ColumnFilter against FilterMatcher row by row, and ColumnStats (one
// and several `by` keys, mixed types, absent values, time buckets) against
// StatsAggregator::Add. Blocks are built by really encoding and decoding chunks, so
// low-cardinality strings arrive in dictionary form (a constant one as a 1-entry dictionary)
// and unique ones flat, as from a part.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "query/chunk_cache.h"
#include "query/column_filter.h"
#include "query/column_stats.h"
#include "query/field_histogram.h"
#include "query/filter_matcher.h"
#include "query/result_format.h"
#include "query/stats_aggregator.h"
#include "store/format/column_codec.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr size_t kRows = 700;
constexpr int64_t kT0 = 1'700'000'000'000'000'000;
constexpr int64_t kSec = 1'000'000'000;

// Decoded chunks of one block and the storage their views point into.
struct TestBlock {
  std::vector<std::unique_ptr<std::string>> raws;
  std::vector<std::string> owned;  // encoder input strings
  Arena arena;
  std::vector<int64_t> ts;
  std::vector<std::unique_ptr<ColumnVector>> cols;
  BlockView view;

  // Encodes and decodes one column: rows where `value(r)` is non-empty have the field.
  template <typename F>
  const ColumnVector& AddStrings(const std::string& name, F value) {
    std::vector<uint32_t> rows;
    std::vector<std::string> vals;
    for (uint32_t r = 0; r < kRows; ++r) {
      std::string v = value(r);
      if (v.empty()) continue;
      rows.push_back(r);
      vals.push_back(std::move(v));
    }
    std::vector<std::string_view> views(vals.begin(), vals.end());
    ColumnChunkInput in;
    in.type = ColumnType::kString;
    in.num_rows = kRows;
    in.rows = rows;
    in.strings = views;
    return Finish(name, in);
  }
  // Int column: rows r with present(r) have value(r).
  template <typename P, typename F>
  const ColumnVector& AddInts(const std::string& name, P present, F value) {
    std::vector<uint32_t> rows;
    std::vector<int64_t> vals;
    for (uint32_t r = 0; r < kRows; ++r) {
      if (!present(r)) continue;
      rows.push_back(r);
      vals.push_back(value(r));
    }
    ColumnChunkInput in;
    in.type = ColumnType::kInt;
    in.num_rows = kRows;
    in.rows = rows;
    in.ints = vals;
    return Finish(name, in);
  }
  const ColumnVector& Finish(const std::string& name, const ColumnChunkInput& in) {
    std::string stored;
    ColumnChunkSummary sum;
    EncodeColumnChunk(in, 1, IntModes::kWithPacked, &stored, &sum);
    auto col = std::make_unique<ColumnVector>();
    col->name = name;
    raws.push_back(std::make_unique<std::string>());
    EXPECT_TRUE(DecodeColumnChunk(stored, in.type, kRows, raws.back().get(), &arena, col.get()));
    cols.push_back(std::move(col));
    return *cols.back();
  }
  void Build() {
    view = BlockView();
    view.num_rows = kRows;
    view.ts = ts.data();
    for (const auto& c : cols) view.Add(c.get());
  }
};

const char* const kRoutes[] = {"/api/items/{id}", "/api/users", "/login", "/health", "/api/cart"};
const char* const kBrowsers[] = {"Firefox", "Chrome", "Safari"};
const char* const kOs[] = {"Linux", "Windows", "iOS", "Android"};

// A block like the bench's events: dictionary strings, a constant one, unique text, a field
// that is a string in some rows and an int in others, absent values.
void MakeBlock(TestBlock* b) {
  for (size_t r = 0; r < kRows; ++r) b->ts.push_back(kT0 + static_cast<int64_t>(r) * 7 * kSec);
  b->AddStrings("kind", [](uint32_t r) { return std::string(r % 3 == 0 ? "request" : "log"); });
  b->AddStrings("level", [](uint32_t) { return std::string("info"); });
  b->AddStrings("route", [](uint32_t r) { return r % 11 == 5 ? "" : kRoutes[r * 7 % 5]; });
  b->AddInts(
      "route", [](uint32_t r) { return r % 22 == 5; }, [](uint32_t) { return 404; });
  b->AddStrings("browser", [](uint32_t r) { return kBrowsers[r % 3]; });
  b->AddStrings("os", [](uint32_t r) { return r % 13 == 0 ? "" : kOs[r * 5 % 4]; });
  // Enough distinct values that filters fill their per-entry table lazily.
  b->AddStrings("user", [](uint32_t r) { return "u" + std::to_string(r * 7 % 60); });
  b->AddStrings("msg", [](uint32_t r) {
    return "request " + std::to_string(r) + (r % 4 == 0 ? " timeout waiting" : " served");
  });
  b->AddStrings("error.message",
                [](uint32_t r) { return r % 6 == 0 ? "connection Reset by peer" : ""; });
  // Status codes, absent in some rows (log events).
  b->AddInts(
      "status", [](uint32_t r) { return r % 17 != 0; },
      [](uint32_t r) {
        static constexpr int64_t kStatuses[] = {200, 200, 302, 401, 403, 404, 429, 500, 503};
        return kStatuses[r * 5 % 9];
      });
  b->AddInts(
      "duration_ms", [](uint32_t r) { return r % 9 != 0; },
      [](uint32_t r) { return static_cast<int64_t>(r * 37 % 500); });
  // Integers beyond 2^53, where neighbours are one double apart or less.
  b->AddInts(
      "big", [](uint32_t r) { return r % 5 != 0; },
      [](uint32_t r) { return int64_t{9007199254740992} + static_cast<int64_t>(r % 4); });
  b->Build();
}

TEST(ColumnKernelsTest, LowCardinalityStringsDecodeToDictionaryForm) {
  TestBlock b;
  MakeBlock(&b);
  const ColumnVector* kind = (*b.view.Find("kind"))[0];
  ASSERT_TRUE(kind->dictionary);
  EXPECT_EQ(kind->dict.size(), 2u);
  EXPECT_TRUE(kind->strings.empty());
  EXPECT_EQ(kind->StringAt(3), "request");
  EXPECT_EQ(kind->StringAt(4), "log");
  const ColumnVector* level = (*b.view.Find("level"))[0];
  ASSERT_TRUE(level->dictionary);
  EXPECT_EQ(level->dict.size(), 1u);
  EXPECT_EQ(level->Get(kRows - 1).s, "info");
  const ColumnVector* route = (*b.view.Find("route"))[0];
  ASSERT_TRUE(route->dictionary);
  EXPECT_FALSE(route->IsPresent(5));
  EXPECT_EQ(route->Get(5).type, ValueType::kNull);
  EXPECT_EQ(route->StringAt(6), kRoutes[6 * 7 % 5]);
  const ColumnVector* user = (*b.view.Find("user"))[0];
  ASSERT_TRUE(user->dictionary);
  EXPECT_EQ(user->dict.size(), 60u);
  const ColumnVector* msg = (*b.view.Find("msg"))[0];
  EXPECT_FALSE(msg->dictionary);  // unique values stay flat
  EXPECT_EQ(msg->StringAt(8), "request 8 timeout waiting");
}

// Every filter gives the same rows as FilterMatcher over the same block.
TEST(ColumnKernelsTest, FiltersOverDictionariesMatchTheReference) {
  TestBlock b;
  MakeBlock(&b);
  const char* const queries[] = {
      "kind:request",
      "kind:log",
      "level:info",
      "level:error",
      "route:/login",
      "route:/api/*",
      "route:404",
      "route:in(/health, /login, 404)",
      "not route:/health",
      "route:*",
      "os:*",
      "kind:request browser:Chrome os:Linux",
      "kind:request or os:iOS",
      "timeout",
      "time*",
      "reset",
      "\"by peer\"",
      "error.message:Reset",
      "error.message:reset",
      "msg:timeout",
      "msg:\"request 8 timeout waiting\"",
      "kind:request duration_ms:>100",
      "browser:Chrome*",
      "duration_ms:<50",
      "duration_ms:<=37",
      "duration_ms:>=481",
      "duration_ms != 74",
      "duration_ms:=74",
      "route:<500 kind:log",
      "user:u7",
      "user:u1*",
      "user:in(u3, u33, u59) kind:request",
      "big:9007199254740993",
      "big:=9007199254740992",
      "big:in(9007199254740994, 9007199254740995)",
      "big:>9007199254740993",
      "big:<=9007199254740993",
      "big != 9007199254740993",
  };
  size_t matched_somewhere = 0;
  for (const char* q : queries) {
    Result<Query> parsed = ParseVql(q);
    ASSERT_TRUE(parsed.ok()) << q << ": " << parsed.status().ToString();
    Result<ColumnFilter> cf = ColumnFilter::Compile(*parsed->filter, kT0);
    ASSERT_TRUE(cf.ok()) << q;
    Result<FilterMatcher> fm = FilterMatcher::Compile(*parsed->filter, kT0);
    ASSERT_TRUE(fm.ok()) << q;
    std::vector<uint8_t> mask(kRows, 1);
    // Rows already deselected must stay deselected.
    for (size_t r = 0; r < kRows; r += 10) mask[r] = 0;
    cf->Apply(b.view, &mask);
    size_t hits = 0;
    for (size_t r = 0; r < kRows; ++r) {
      BlockRowAccessor row(b.view, r);
      const bool want = r % 10 != 0 && fm->Matches(row);
      EXPECT_EQ(mask[r] != 0, want) << q << " row " << r;
      hits += want;
    }
    matched_somewhere += hits > 0 && hits < kRows - kRows / 10;
  }
  // The queries discriminate: all but a few (level:*, reset) select some rows, not all.
  EXPECT_GE(matched_somewhere, std::size(queries) - 5);
}

TEST(ColumnKernelsTest, DictionaryFilterCountsAreExact) {
  TestBlock b;
  MakeBlock(&b);
  auto count = [&](const char* q) {
    Result<Query> parsed = ParseVql(q);
    EXPECT_TRUE(parsed.ok()) << q;
    Result<ColumnFilter> cf = ColumnFilter::Compile(*parsed->filter, kT0);
    std::vector<uint8_t> mask(kRows, 1);
    cf->Apply(b.view, &mask);
    size_t n = 0;
    for (uint8_t m : mask) n += m;
    return n;
  };
  EXPECT_EQ(count("kind:request"), (kRows + 2) / 3);
  EXPECT_EQ(count("level:info"), kRows);
  EXPECT_EQ(count("level:error"), 0u);
  EXPECT_EQ(count("Reset"), (kRows + 5) / 6);  // a word of error.message
  EXPECT_EQ(count("reset"), 0u);               // values are case-sensitive
  size_t login = 0, chrome_linux = 0;
  for (size_t r = 0; r < kRows; ++r) {
    login += r % 11 != 5 && kRoutes[r * 7 % 5] == std::string_view("/login");
    chrome_linux += r % 3 == 1 && r % 13 != 0 && r * 5 % 4 == 0;
  }
  EXPECT_EQ(count("route:/login"), login);
  EXPECT_EQ(count("browser:Chrome os:Linux"), chrome_linux);
  EXPECT_GT(chrome_linux, 0u);
}

std::string Render(const std::vector<QueryRecord>& rows) {
  return FormatRows(rows, OutputFormat::kNdjson);
}

// ColumnStats over the block (in two halves, as blocks arrive) equals the row path.
void ExpectStatsMatch(const TestBlock& b, const std::string& vql) {
  SCOPED_TRACE(vql);
  Result<Query> parsed = ParseVql(vql);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Pipe& pipe = parsed->pipes.at(0);
  QueryOptions opt;
  opt.now_ns = kT0;
  TimeRange window;
  auto cs = ColumnStats::Create(pipe, opt, window);
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  Result<ColumnFilter> cf = ColumnFilter::Compile(*parsed->filter, kT0);
  ASSERT_TRUE(cf.ok());
  std::vector<uint8_t> mask(kRows, 1);
  cf->Apply(b.view, &mask);
  std::vector<uint8_t> first(mask), second(mask);
  for (size_t r = 0; r < kRows; ++r) (r < kRows / 2 ? second : first)[r] = 0;
  ASSERT_TRUE((*cs)->AddBlock(b.view, first).ok());
  ASSERT_TRUE((*cs)->AddBlock(b.view, second).ok());

  auto ref = StatsAggregator::Create(pipe, opt.now_ns, window, {});
  ASSERT_TRUE(ref.ok());
  Result<FilterMatcher> fm = FilterMatcher::Compile(*parsed->filter, kT0);
  ASSERT_TRUE(fm.ok());
  for (size_t r = 0; r < kRows; ++r) {
    BlockRowAccessor row(b.view, r);
    if (!fm->Matches(row)) continue;
    ASSERT_TRUE((*ref)->Add(row).ok());
  }
  const std::string want = Render((*ref)->Finish());
  EXPECT_EQ(Render((*cs)->aggregator().Finish()), want);
  EXPECT_NE(want, "");
}

TEST(ColumnKernelsTest, GroupsMatchTheRowPath) {
  TestBlock b;
  MakeBlock(&b);
  ExpectStatsMatch(b, "* | stats count() by (kind)");
  ExpectStatsMatch(b, "* | stats count(), avg(duration_ms) by (route)");  // string, int, null
  ExpectStatsMatch(b, "* | stats count() by (level)");                    // constant chunk
  ExpectStatsMatch(b, "* | stats count() by (msg)");                      // flat strings
  ExpectStatsMatch(b, "kind:request | stats count(), max(duration_ms) by (browser, os)");
  ExpectStatsMatch(b, "* | stats count() by (browser, os, route, kind)");
  ExpectStatsMatch(b, "* | stats count() by (_time:1h, route)");
  ExpectStatsMatch(b, "* | stats count() by (duration_ms, kind)");  // int key
  ExpectStatsMatch(b, "* | stats count() by (missing, kind)");
  ExpectStatsMatch(b, "* | stats count() if (os:Linux) as linux by (route, browser)");
  ExpectStatsMatch(b, "* | top 3 by (os, browser)");
  // Plain counts take the code-histogram path (CountOnly): a dictionary key with absent
  // rows (the null group), a filtered mask, two counts, no key, a missing key column.
  ExpectStatsMatch(b, "* | stats count() by (browser)");
  ExpectStatsMatch(b, "kind:request | stats count() as n, count() by (os)");
  ExpectStatsMatch(b, "route:/login | stats count()");
  ExpectStatsMatch(b, "* | stats count() by (missing)");
  ExpectStatsMatch(b, "* | top 2 by (kind)");
  ExpectStatsMatch(b, "kind:request | stats count(), avg(duration_ms) by (user)");
  ExpectStatsMatch(b, "* | stats count(route), rate() by (user, kind)");
}

TEST(ColumnKernelsTest, SingleFieldOfFilters) {
  auto field = [](const char* q) {
    Result<Query> parsed = ParseVql(q);
    EXPECT_TRUE(parsed.ok()) << q;
    Result<ColumnFilter> cf = ColumnFilter::Compile(*parsed->filter, kT0);
    EXPECT_TRUE(cf.ok()) << q;
    return cf->single_field();
  };
  EXPECT_EQ(field("status:500"), "status");
  EXPECT_EQ(field("status:>=200 status:<400"), "status");
  EXPECT_EQ(field("not status:in(401, 403) or status:~\"^5\""), "status");
  EXPECT_EQ(field("_msg:timeout"), "msg");
  EXPECT_EQ(field("status:500 kind:request"), "");
  EXPECT_EQ(field("status:500 _time:5m"), "");
  EXPECT_EQ(field("timeout"), "");  // bare words read every text field
  EXPECT_EQ(field("*"), "");
}

// FieldHistogram's count of each condition equals ColumnFilter::Apply's selection counted,
// for every kind of column it takes and the ones it refuses.
TEST(ColumnKernelsTest, FieldHistogramCountsMatchTheFilter) {
  TestBlock b;
  MakeBlock(&b);
  struct Case {
    const char* field;
    bool taken;  // Build accepts the block's column
    std::vector<const char*> conds;
  };
  const Case cases[] = {
      {"status",
       true,
       {"status:429", "status:in(401, 403)", "status:>=200 status:<400", "status:>=500",
        "not status:200", "status != 404", "status:*", "status:~\"^4\"", "status:5*", "status:<0"}},
      {"user", true, {"user:u7", "user:u1*", "user:in(u3, u33, u59)", "not user:u0", "user:>u5"}},
      {"kind", true, {"kind:request", "not kind:log", "kind:*"}},
      {"os", true, {"os:Linux", "os:*", "not os:iOS"}},
      {"big", true, {"big:9007199254740993", "big:>9007199254740992", "big != 9007199254740994"}},
      {"missing", true, {"missing:1", "not missing:1", "missing:*", "missing != 2"}},
      {"duration_ms", true, {"duration_ms:<50", "duration_ms:>=481"}},
      {"route", false, {"route:/login", "route:404"}},  // a string and an int column
      {"msg", false, {"msg:timeout"}},                  // flat strings
  };
  std::vector<std::vector<uint8_t>> masks;
  masks.emplace_back(kRows, 1);
  masks.emplace_back(kRows, 1);
  for (size_t r = 0; r < kRows; r += 10) masks.back()[r] = 0;
  masks.emplace_back(kRows, 0);
  masks.emplace_back(kRows, 0);
  masks.back()[17] = 1;  // a single row, without status
  FieldHistogram h;
  for (const Case& c : cases) {
    for (size_t mi = 0; mi < masks.size(); ++mi) {
      SCOPED_TRACE(std::string(c.field) + " mask " + std::to_string(mi));
      const bool built = h.Build(b.view, c.field, masks[mi]);
      EXPECT_EQ(built, c.taken);
      if (!built) continue;
      for (const char* q : c.conds) {
        Result<Query> parsed = ParseVql(q);
        ASSERT_TRUE(parsed.ok()) << q;
        Result<ColumnFilter> cf = ColumnFilter::Compile(*parsed->filter, kT0);
        ASSERT_TRUE(cf.ok()) << q;
        ASSERT_EQ(cf->single_field(), c.field) << q;
        std::vector<uint8_t> mask = masks[mi];
        cf->Apply(b.view, &mask);
        uint64_t want = 0;
        for (uint8_t m : mask) want += m != 0;
        EXPECT_EQ(h.Count(*cf), want) << q;
      }
    }
  }
  // Status codes: 8 distinct values and the absent rows.
  ASSERT_TRUE(h.Build(b.view, "status", masks[0]));
  EXPECT_EQ(h.num_values(), 8u + 1u);
}

TEST(ColumnKernelsTest, ConditionedCountsOverOneFieldMatchTheRowPath) {
  TestBlock b;
  MakeBlock(&b);
  // The KPI shares: several `count() if` over status in one stats pipe (FieldHistogram).
  ExpectStatsMatch(b,
                   "kind:request | stats count() if (status:429) as r429, count() if "
                   "(status:in(401, 403)) as denied, count() if (status:>=200 status:<400) as ok, "
                   "count() if (status:>=500) as bad, count() as total");
  ExpectStatsMatch(b, "* | stats count() if (not status:200) as a, count() if (status:*) as b");
  ExpectStatsMatch(b,
                   "* | stats count() if (user:u7) as a, count() if (user:u1*) as b, "
                   "count() if (status:500) as c, avg(duration_ms)");
  ExpectStatsMatch(b, "* | stats count() if (missing:1) as a, count() if (not missing:1) as b");
  ExpectStatsMatch(b, "* | stats count() if (route:/login) as a, count() if (route:404) as b");
  // With `by`, and a condition over another field next to them: the row path.
  ExpectStatsMatch(b,
                   "* | stats count() if (status:500) as a, count() if (status:200) as b "
                   "by (browser)");
  ExpectStatsMatch(b,
                   "* | stats count() if (status:500 kind:request) as a, count() if "
                   "(status:200) as b, count(status) if (status:>300) as c");
}

TEST(ColumnKernelsTest, MultiKeyGroupsAreDistinctTuples) {
  TestBlock b;
  MakeBlock(&b);
  Result<Query> parsed = ParseVql("* | stats count() by (browser, os)");
  ASSERT_TRUE(parsed.ok());
  QueryOptions opt;
  auto cs = ColumnStats::Create(parsed->pipes[0], opt, TimeRange());
  ASSERT_TRUE(cs.ok());
  ASSERT_TRUE((*cs)->AddBlock(b.view, std::vector<uint8_t>(kRows, 1)).ok());
  std::vector<QueryRecord> rows = (*cs)->aggregator().Finish();
  // browser = r % 3, os = r * 5 % 4 (absent when r % 13 == 0): every pair occurs, plus
  // (browser, null) for the rows without os.
  EXPECT_EQ(rows.size(), 3u * 4u + 3u);
  int64_t total = 0;
  for (const QueryRecord& r : rows) total += r.cols.back().second.i;
  EXPECT_EQ(total, static_cast<int64_t>(kRows));
}

TEST(ColumnKernelsTest, CacheCapacityCanShrinkAndCountsDictionaryForm) {
  TestBlock b;
  MakeBlock(&b);
  auto chunk = std::make_shared<CachedChunk>();
  chunk->col = *(*b.view.Find("kind"))[0];
  chunk->bytes = ChunkMemory(*chunk);
  // Codes, not views: well under the 16 bytes a row of the flat form costs.
  EXPECT_LT(chunk->bytes, kRows * 5);
  EXPECT_GE(chunk->bytes, kRows * 3);  // presence + a 2-byte code per row
  ChunkCache cache(chunk->bytes * 10);
  for (const char* k : {"a", "b", "c"}) cache.Put(k, chunk);
  EXPECT_EQ(cache.bytes(), 3 * chunk->bytes);
  cache.SetCapacity(chunk->bytes * 2);
  EXPECT_EQ(cache.capacity(), chunk->bytes * 2);
  EXPECT_LE(cache.bytes(), 2 * chunk->bytes);
  EXPECT_EQ(cache.Get("a"), nullptr);  // the oldest went first
  EXPECT_NE(cache.Get("c"), nullptr);
}

}  // namespace
}  // namespace vigia
