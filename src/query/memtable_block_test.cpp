// MemtableBlock against the row semantics it replaces: every field read through the block
// equals EventRowAccessor's value, and column filters over the block select exactly the rows
// FilterMatcher selects over the events. Plus the cache's identity and sweeping rules.
#include "query/memtable_block.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "ingest/normalize/normalizer.h"
#include "query/column_filter.h"
#include "query/filter_matcher.h"
#include "query/query_plan.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr int64_t kRecv = 1'800'000'000'000'000'000;

std::shared_ptr<const EventBatch> Normalized(const std::vector<std::string>& lines) {
  auto batch = std::make_shared<EventBatch>();
  Normalizer norm;
  for (const std::string& l : lines) {
    Status s = norm.Normalize(l, kRecv, batch.get());
    EXPECT_TRUE(s.ok()) << s.ToString() << " for " << l;
  }
  return batch;
}

// A mix of types per field, nulls, absent fields, nested objects and text.
std::vector<std::string> Lines() {
  std::vector<std::string> out;
  const char* levels[] = {"info", "error", "warn", "debug"};
  for (int i = 0; i < 300; ++i) {
    std::string l = "{\"ts\":\"2026-11-22T10:" + std::to_string(10 + i / 60) + ":" +
                    std::to_string(10 + i % 50) + "Z\",\"level\":\"" + levels[i % 4] + "\"";
    l += ",\"service\":\"svc-" + std::to_string(i % 3) + "\"";
    if (i % 5 != 0) l += ",\"status\":" + std::to_string(200 + (i * 37) % 400);
    if (i % 7 == 0) l += ",\"code\":\"E" + std::to_string(i) + "\"";
    if (i % 7 == 1) l += ",\"code\":" + std::to_string(i);
    if (i % 7 == 2) l += ",\"code\":null";
    if (i % 11 == 0) l += ",\"ok\":true";
    if (i % 11 == 1) l += ",\"ok\":false";
    if (i % 3 == 0) l += ",\"dur\":" + std::to_string(i) + ".5";
    l += ",\"msg\":\"request " + std::to_string(i) + (i % 13 == 0 ? " deadlock found" : " ok") +
         "\"";
    if (i % 17 == 0) l += ",\"user\":{\"id\":\"u" + std::to_string(i % 4) + "\"}";
    l += "}";
    out.push_back(l);
  }
  return out;
}

TEST(MemtableBlockTest, FieldsReadAsTheEventRowAccessorReadsThem) {
  auto batch = Normalized(Lines());
  auto block = MemtableBlock::Build(*batch);
  ASSERT_EQ(block->num_rows(), batch->size());
  const BlockView& v = block->view();
  const char* names[] = {"level", "service", "status",  "code", "ok",    "dur",
                         "msg",   "_msg",    "user.id", "ts",   "_time", "absent"};
  int64_t mn = INT64_MAX, mx = INT64_MIN;
  for (size_t r = 0; r < batch->size(); ++r) {
    const auto& e = batch->events()[r];
    mn = std::min(mn, e.ts_ns);
    mx = std::max(mx, e.ts_ns);
    EventRowAccessor want(*batch, e);
    BlockRowAccessor got(v, r);
    for (const char* n : names) {
      EXPECT_TRUE(got.Get(n) == want.Get(n)) << "row " << r << " field " << n;
    }
  }
  EXPECT_EQ(block->min_ts(), mn);
  EXPECT_EQ(block->max_ts(), mx);
  // One column per (name, type): `code` is a string in some rows and an int in others.
  ASSERT_NE(v.Find("code"), nullptr);
  EXPECT_GE(v.Find("code")->size(), 2u);
}

TEST(MemtableBlockTest, ColumnFiltersSelectTheRowsFilterMatcherSelects) {
  auto batch = Normalized(Lines());
  auto block = MemtableBlock::Build(*batch);
  auto lazy = MemtableBlock::Create(*batch);  // built up filter by filter
  const char* filters[] = {
      "level:error",
      "service:svc-1 -level:info",
      "status:>=500",
      "status:>=300 status:<400",
      "code:E14",
      "code:8",
      "code:*",
      "-code:*",
      "ok:true",
      "dur:>100",
      "deadlock",
      "\"deadlock found\"",
      "msg:request*",
      "user.id:u1 or level:warn",
      "status:in(200, 237, 274)",
      "level:~\"err|war\"",
      "_time:[2026-11-22T10:12:00Z, 2026-11-22T10:13:00Z)",
  };
  for (const char* text : filters) {
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << text << ": " << q.status().ToString();
    auto cf = ColumnFilter::Compile(*q->filter, kRecv);
    auto fm = FilterMatcher::Compile(*q->filter, kRecv);
    ASSERT_TRUE(cf.ok() && fm.ok()) << text;
    std::vector<uint8_t> mask(block->num_rows(), 1);
    cf->Apply(block->view(), &mask);
    // The same filter over a view of only its own columns (what the engine builds).
    std::vector<std::string> names;
    CollectFilterFields(*q->filter, &names);
    BlockView own;
    lazy->View(*batch, names, &own);
    std::vector<uint8_t> own_mask(block->num_rows(), 1);
    cf->Apply(own, &own_mask);
    EXPECT_EQ(own_mask, mask) << text;
    size_t matched = 0;
    for (size_t r = 0; r < batch->size(); ++r) {
      EventRowAccessor row(*batch, batch->events()[r]);
      const bool want = fm->Matches(row);
      EXPECT_EQ(mask[r] != 0, want) << text << " row " << r;
      matched += want;
    }
    EXPECT_GT(matched, 0u) << text << " selects nothing: the comparison proves little";
  }
}

// Columns built on demand, a few names at a time in any order, read exactly what the row
// accessor reads, and hold less than a block of every field.
TEST(MemtableBlockTest, ViewsBuildOnlyTheNamesAskedForAndReadAsTheRowAccessor) {
  auto batch = Normalized(Lines());
  auto block = MemtableBlock::Create(*batch);
  EXPECT_EQ(block->built_names(), 0u);
  const std::vector<std::vector<std::string>> asks = {
      {"level"},
      {"code", "level", "absent"},
      {"msg", "msg", "_msg"},
      {"user.id", "ok", "dur", "status", "service", "code"},
  };
  size_t previous_bytes = block->MemoryUsage();
  for (const auto& names : asks) {
    BlockView v;
    block->View(*batch, names, &v);
    ASSERT_EQ(v.num_rows, batch->size());
    for (size_t r = 0; r < batch->size(); ++r) {
      EventRowAccessor want(*batch, batch->events()[r]);
      BlockRowAccessor got(v, r);
      for (const std::string& n : names) {
        EXPECT_TRUE(got.Get(n) == want.Get(n)) << "row " << r << " field " << n;
      }
    }
    for (const ColumnVector* c : v.all) {
      EXPECT_NE(std::find(names.begin(), names.end(), std::string(c->name)), names.end())
          << c->name << " is in the view without being asked for";
    }
    EXPECT_EQ(v.Find("absent"), nullptr);
    EXPECT_GE(block->MemoryUsage(), previous_bytes);
    previous_bytes = block->MemoryUsage();
  }
  EXPECT_EQ(block->built_names(), 10u);  // every distinct name asked for, "absent" included
  EXPECT_LT(block->MemoryUsage(), MemtableBlock::Build(*batch)->MemoryUsage());
  BlockView level;
  block->View(*batch, std::vector<std::string>{"level"}, &level);
  ASSERT_NE(level.Find("level"), nullptr);
  EXPECT_EQ(block->built_names(), 10u);  // built once, reused
}

// Few-valued string fields are built as parts decode their dictionary chunks (one entry per
// distinct value, a code per row), so filters and group-by decide per value, not per row;
// fields with about as many values as rows stay one view per row.
TEST(MemtableBlockTest, FewValuedStringsAreBuiltInDictionaryForm) {
  auto batch = Normalized(Lines());
  auto block = MemtableBlock::Create(*batch);
  BlockView v;
  block->View(*batch, std::vector<std::string>{"level", "service", "msg", "_msg", "code"}, &v);
  auto only = [&](const char* name, ColumnType type) -> const ColumnVector* {
    const auto* cols = v.Find(name);
    if (cols == nullptr) return nullptr;
    for (const ColumnVector* c : *cols) {
      if (c->type == type) return c;
    }
    return nullptr;
  };
  const ColumnVector* level = only("level", ColumnType::kString);
  ASSERT_NE(level, nullptr);
  EXPECT_TRUE(level->dictionary);
  EXPECT_TRUE(level->all_present);
  EXPECT_EQ(level->dict, (std::vector<std::string_view>{"info", "error", "warn", "debug"}));
  EXPECT_EQ(level->codes.size(), batch->size());
  EXPECT_TRUE(level->strings.empty());
  const ColumnVector* service = only("service", ColumnType::kString);
  ASSERT_NE(service, nullptr);
  EXPECT_TRUE(service->dictionary);
  EXPECT_EQ(service->dict.size(), 3u);
  // Present in a seventh of the rows, 43 distinct values: a dictionary with code 0 elsewhere.
  const ColumnVector* code = only("code", ColumnType::kString);
  ASSERT_NE(code, nullptr);
  EXPECT_TRUE(code->dictionary);
  EXPECT_FALSE(code->all_present);
  for (size_t r = 0; r < batch->size(); ++r) {
    if (!code->IsPresent(r)) {
      EXPECT_EQ(code->codes[r], 0) << r;
    }
  }
  // Every message differs: flat.
  const ColumnVector* msg = only("msg", ColumnType::kString);
  if (msg == nullptr) msg = only("_msg", ColumnType::kString);  // as the normalizer names it
  ASSERT_NE(msg, nullptr);
  EXPECT_FALSE(msg->dictionary);
  EXPECT_EQ(msg->strings.size(), batch->size());
}

TEST(MemtableBlockTest, RepeatedFieldNameKeepsTheFirstOccurrence) {
  EventBatch batch;
  batch.BeginEvent(5);
  batch.AddField("a", Value::Int(1));
  batch.AddField("a", Value::String("later"));
  batch.AddField("a", Value::Int(2));
  auto block = MemtableBlock::Build(batch);
  BlockRowAccessor row(block->view(), 0);
  EXPECT_TRUE(row.Get("a") == Value::Int(1));
}

TEST(MemtableBlockTest, CacheBuildsOncePerBatchAndForgetsFreedBatches) {
  MemtableBlockCache cache;
  auto a = Normalized(Lines());
  auto b1 = cache.Get(a);
  auto b2 = cache.Get(a);
  EXPECT_EQ(b1.get(), b2.get());
  EXPECT_EQ(b1->num_rows(), a->size());
  EXPECT_EQ(cache.size(), 1u);
  std::weak_ptr<const MemtableBlock> previous;
  for (int i = 0; i < 200; ++i) {
    auto t = Normalized({"{\"msg\":\"x" + std::to_string(i) + "\"}"});
    EXPECT_EQ(cache.Get(t)->num_rows(), 1u);
    // The previous iteration's batch is gone: the new entry's sweep freed its block, so the
    // cache holds the live batches' blocks, not one per batch ever queried.
    EXPECT_TRUE(previous.expired()) << i;
    EXPECT_EQ(cache.size(), 2u) << i;
    previous = cache.Get(t);
  }
  // The last batch is freed too; hits on a live batch sweep it within kSweepEvery calls.
  for (int i = 0; i < 64; ++i) EXPECT_EQ(cache.Get(a).get(), b1.get());
  EXPECT_TRUE(previous.expired());
  EXPECT_EQ(cache.size(), 1u);
}

// Queries on both worker threads ask for the same batches at once: one build each, and every
// caller gets that one block (run under TSan in make test-tsan).
TEST(MemtableBlockTest, ConcurrentCallersShareOneBuild) {
  MemtableBlockCache cache;
  std::vector<std::shared_ptr<const EventBatch>> batches;
  for (int i = 0; i < 8; ++i) batches.push_back(Normalized(Lines()));
  std::vector<std::vector<const MemtableBlock*>> seen(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      for (const auto& b : batches) seen[t].push_back(cache.Get(b).get());
    });
  }
  for (auto& t : threads) t.join();
  for (size_t t = 1; t < seen.size(); ++t) EXPECT_EQ(seen[t], seen[0]);
  EXPECT_EQ(cache.size(), batches.size());
}

}  // namespace
}  // namespace vigia
