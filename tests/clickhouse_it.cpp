// The ClickHouse backend against real ClickHouse servers (Debian's clickhouse-server, started
// by bench/clickhouse/clickhouse.sh on loopback ports in a temp dir, stopped at the end):
//   - the schema: `MigrateSchema` twice is idempotent and records each version once;
//   - one server: the golden queries (tests/queries/*.vql over dataset.ndjson) answered by
//     ClickHouseQueryBackend equal their references, which the row evaluator and the columnar
//     engine also produce (query_golden_test); the oracle's random queries agree with the row
//     evaluator over the same events (the query oracle's harness, tests/oracle);
//   - a cluster of two shards (two servers, a remote_servers config, events_local on each and
//     the Distributed `events`): the same golden answers, the rows spread over both shards, one
//     request's events on one shard; a shard that is down fails the query (Unavailable).
// Labels peers;cluster;no_sanitizer. CLICKHOUSE_IT_ITERS sets the number of random queries.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_query_backend.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/clickhouse_writer.h"
#include "common/time_format.h"
#include "oracle/oracle_compare.h"
#include "oracle/oracle_events.h"
#include "oracle/oracle_queries.h"
#include "queries/golden_dataset.h"
#include "query/result_format.h"
#include "query/row_evaluator.h"
#include "support/clickhouse_process.h"
#include "vql/vql_parser.h"

namespace vigia::clickhouse {
namespace {

namespace fs = std::filesystem;

fs::path Source() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  return fs::path(src ? src : ".");
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using testing::ClickHouseProcess;

// --- the golden dataset (as golden_test.cpp loads it: flattened with dots, ts parsed) ---

std::shared_ptr<EventBatch> GoldenDataset() {
  auto b = std::make_shared<EventBatch>();
  Status st =
      testing::LoadGoldenDataset((Source() / "tests/queries/dataset.ndjson").string(), b.get());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return b;
}

// Copies events [from, to) of `src` (views into src's arena).
EventBatch Slice(const EventBatch& src, size_t from, size_t to) {
  EventBatch b;
  for (size_t i = from; i < to; ++i) {
    const EventBatch::EventRef& e = src.events()[i];
    b.BeginEvent(e.ts_ns);
    for (const Field& f : src.fields(e)) b.AddField(f.name, f.value);
  }
  return b;
}

// Every golden query through `backend`; each answer must equal its reference.
void ExpectGoldenAnswers(QueryBackend& backend) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(Source() / "tests/queries")) {
    if (e.path().extension() == ".vql") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u);
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.filename().string());
    std::string text = ReadFile(f);
    QueryOptions opt;
    opt.now_ns = *ParseRfc3339("2026-11-22T11:00:00Z");
    OutputFormat format = OutputFormat::kCsv;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("# now: ", 0) == 0) opt.now_ns = *ParseRfc3339(line.substr(7));
      if (line.rfind("# format: ", 0) == 0) format = *ParseOutputFormat(line.substr(10));
    }
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    auto res = backend.Run(*q, opt);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    fs::path ref = f;
    ref.replace_extension(".reference");
    EXPECT_EQ(FormatRows(res->rows, format, QueryColumns(*q)), ReadFile(ref));
  }
}

std::string Scalar(ClickHouseClient& c, const std::string& sql) {
  auto r = c.Execute(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  std::string s = r.ok() ? *r : "";
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

TEST(ClickHouseBackend, OneServerAnswersLikeTheEmbeddedEngines) {
  ClickHouseProcess server("single");
  ASSERT_TRUE(server.ok()) << "clickhouse-server did not start (scripts/install-deps.sh)";
  ClickHouseClient client(server.url());
  SchemaOptions schema;
  schema.database = "vigia_it";
  auto before = MigrateSchema(client, schema);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(*before, 0u);
  auto again = MigrateSchema(client, schema);  // idempotent
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, kSchemaVersion);
  EXPECT_EQ(Scalar(client, "SELECT count() FROM vigia_it.vigia_schema"),
            std::to_string(kSchemaVersion));  // one row per version, none twice

  // The golden dataset in three inserts (three parts).
  auto data = GoldenDataset();
  ClickHouseWriter writer(client, schema, 1);
  size_t n = data->size();
  for (auto [from, to] : {std::pair{size_t{0}, n / 3}, {n / 3, 2 * n / 3}, {2 * n / 3, n}}) {
    Status st = writer.Insert(Slice(*data, from, to));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_EQ(Scalar(client, "SELECT count() FROM vigia_it.events"), std::to_string(n));

  ClickHouseBackendOptions bo;
  bo.url = server.url();
  bo.schema = schema;
  bo.events_per_batch = 97;  // several batches per answer
  ClickHouseQueryBackend backend(bo);
  ExpectGoldenAnswers(backend);
  // Some golden stats queries were answered by a GROUP BY (and equal their references).
  auto golden = backend.pushdown_counters();
  std::printf("golden queries: %llu stats pushed down, %llu refused, %llu not pushable\n",
              static_cast<unsigned long long>(golden.pushed),
              static_cast<unsigned long long>(golden.refused),
              static_cast<unsigned long long>(golden.not_pushable));
  EXPECT_GE(golden.pushed, 3u);

  // A trace and a plain filter with a limit (reading stops early).
  auto trace = backend.Trace("req-00614", QueryOptions{});
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  ASSERT_EQ(trace->rows.size(), 2u);
  EXPECT_EQ(trace->rows[0].Get("kind")->s, "request");
  auto limited = ParseVql("kind:request | limit 3");
  ASSERT_TRUE(limited.ok());
  auto lr = backend.Run(*limited, QueryOptions{});
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  EXPECT_EQ(lr->rows.size(), 3u);

  // The random query generator against the row evaluator over the same events.
  oracle::OracleDataOptions dopt;
  dopt.seed = 20261203;
  dopt.events = 6000;
  oracle::OracleData od = oracle::GenerateOracleData(dopt);
  SchemaOptions os;
  os.database = "vigia_oracle";
  ASSERT_TRUE(MigrateSchema(client, os).ok());
  ClickHouseWriter ow(client, os, 1);
  for (const auto& b : od.batches) {
    Status st = ow.Insert(*b);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ClickHouseBackendOptions obo;
  obo.url = server.url();
  obo.schema = os;
  ClickHouseQueryBackend ob(obo);
  const char* iters_env = std::getenv("CLICKHOUSE_IT_ITERS");
  int iters = iters_env ? std::atoi(iters_env) : 250;
  oracle::QueryGenerator gen(od, 4242);
  int failures = 0;
  for (int i = 0; i < iters && failures < 5; ++i) {
    oracle::GeneratedQuery g = gen.Next();
    auto q = ParseVql(g.text);
    ASSERT_TRUE(q.ok()) << g.text;
    QueryOptions opt;
    opt.now_ns = od.now_ns;
    auto ev = RowEvaluator::Create(*q, opt);
    ASSERT_TRUE(ev.ok()) << g.text;
    Status st = Status::Ok();
    for (const auto& b : od.batches) {
      if (st.ok()) st = (*ev)->Add(*b);
    }
    Result<QueryResult> want = st.ok() ? (*ev)->Finish() : Result<QueryResult>(st);
    auto got = ob.Run(*q, opt);
    if (!want.ok()) {
      EXPECT_FALSE(got.ok()) << g.text;
      continue;
    }
    ASSERT_TRUE(got.ok()) << g.text << ": " << got.status().ToString();
    oracle::CompareSpec spec{g.approx_columns, g.float_columns, oracle::RowsAreEvents(*q)};
    std::string diff = oracle::CompareRows(want->rows, got->rows, spec);
    if (!diff.empty()) ++failures;
    EXPECT_EQ(diff, "") << "query: " << g.text;
  }

  // Aggregation pushdown. The row evaluator's answer over the same events, to compare with.
  auto row_answer = [&](const Query& q, const QueryOptions& opt) -> Result<QueryResult> {
    VIGIA_ASSIGN_OR_RETURN(auto ev, RowEvaluator::Create(q, opt));
    for (const auto& b : od.batches) VIGIA_RETURN_IF_ERROR(ev->Add(*b));
    return ev->Finish();
  };
  auto same_answer = [&](const std::string& text) {
    auto q = ParseVql(text);
    EXPECT_TRUE(q.ok()) << text;
    if (!q.ok()) return;
    QueryOptions opt;
    opt.now_ns = od.now_ns;
    auto want = row_answer(*q, opt);
    auto got = ob.Run(*q, opt);
    ASSERT_TRUE(want.ok()) << text << ": " << want.status().ToString();
    ASSERT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    // Exact: no tolerance for floats (avg, min/max of floats), and byte-identical JSON.
    EXPECT_EQ(oracle::CompareRows(want->rows, got->rows, oracle::CompareSpec{}), "") << text;
    EXPECT_EQ(FormatRows(want->rows, OutputFormat::kJson),
              FormatRows(got->rows, OutputFormat::kJson))
        << text;
  };
  auto delta = [&](const std::string& text) {
    auto p0 = ob.pushdown_counters();
    same_answer(text);
    auto p1 = ob.pushdown_counters();
    return std::array<uint64_t, 3>{p1.pushed - p0.pushed, p1.refused - p0.refused,
                                   p1.not_pushable - p0.not_pushable};
  };
  using Counts = std::array<uint64_t, 3>;  // pushed, refused, not pushable
  // Pushed down: filters, keys and aggregates on typed columns that no event holds with
  // another type (service, route, kind, level, ip, bytes_out).
  for (const std::string text :
       {"* | stats count()", "kind:request | stats count(), count(ip) by (service)",
        "-level:error | stats count_distinct(ip), sum(bytes_out), avg(bytes_out), "
        "min(bytes_out), max(bytes_out) by (route) | sort by (count_distinct(ip) desc, route)",
        "service:in(sales-api, auth) | stats count() if (level:error) as e, count() as n by "
        "(_time:1h) "
        "| math e / n as share",
        "bytes_out:>100 | top 3 by (route)"}) {
    EXPECT_EQ(delta(text), (Counts{1, 0, 0})) << text;
    auto q = ParseVql(text);
    QueryOptions opt;
    opt.now_ns = od.now_ns;
    auto ex = ob.Explain(*q, opt);
    ASSERT_TRUE(ex.ok());
    EXPECT_NE(ex->find("-- stats pushed down"), std::string::npos) << *ex;
    EXPECT_NE(ex->find("GROUP BY"), std::string::npos) << *ex;
  }
  // Refused at run time: user_id and status are strings in some events and ints in others
  // (the other type in x) — they must group (and compare) as the row evaluator does.
  EXPECT_EQ(delta("* | stats count() by (user_id)"), (Counts{0, 1, 0}));
  EXPECT_EQ(delta("kind:request | stats max(status), count() by (service)"), (Counts{0, 1, 0}));
  EXPECT_EQ(delta("status:>=500 | stats count()"), (Counts{0, 1, 0}));
  // Not pushable: percentiles, float sums, words of msg.
  EXPECT_EQ(delta("* | stats p95(bytes_out)"), (Counts{0, 0, 1}));
  EXPECT_EQ(delta("* | stats sum(duration_ms)"), (Counts{0, 0, 1}));
  EXPECT_EQ(delta("msg:error | stats count()"), (Counts{0, 0, 1}));
  EXPECT_EQ(delta("code:5 | stats count()"), (Counts{0, 0, 1}));  // no typed column

  // The random pushdown-shaped queries: every answer exact, most pushed, some refused.
  oracle::QueryGenerator pgen(od, 1919);
  auto p0 = ob.pushdown_counters();
  int pushdown_iters = iters_env ? std::max(20, iters / 2) : 150;
  for (int i = 0; i < pushdown_iters; ++i) same_answer(pgen.NextPushdownStats().text);
  auto p1 = ob.pushdown_counters();
  std::printf("pushdown oracle: %d queries, %llu pushed, %llu refused, %llu not pushable\n",
              pushdown_iters, static_cast<unsigned long long>(p1.pushed - p0.pushed),
              static_cast<unsigned long long>(p1.refused - p0.refused),
              static_cast<unsigned long long>(p1.not_pushable - p0.not_pushable));
  EXPECT_GE(p1.pushed - p0.pushed, static_cast<uint64_t>(pushdown_iters / 4));
  EXPECT_GE(p1.refused - p0.refused, 3u);
}

TEST(ClickHouseBackend, TwoShardClusterAnswersLikeOneServer) {
  ClickHouseProcess a("shard1"), b("shard2");
  ASSERT_TRUE(a.ok() && b.ok()) << "clickhouse-server did not start";
  ASSERT_TRUE(testing::ConfigureCluster({&a, &b}, "vigia_it"))
      << "the cluster config was not loaded";
  ClickHouseClient ca(a.url()), cb(b.url());

  SchemaOptions schema;
  schema.database = "vigia_it";
  schema.cluster = "vigia_it";
  for (ClickHouseClient* c : {&ca, &cb}) {
    auto m = MigrateSchema(*c, schema);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
  }
  // Events posted to either server (two writers, as two vigia nodes would).
  auto data = GoldenDataset();
  size_t n = data->size();
  ClickHouseWriter wa(ca, schema, 1), wb(cb, schema, uint64_t{1} << 40);
  ASSERT_TRUE(wa.Insert(Slice(*data, 0, n / 2)).ok());
  ASSERT_TRUE(wb.Insert(Slice(*data, n / 2, n)).ok());
  EXPECT_EQ(Scalar(ca, "SELECT count() FROM vigia_it.events"), std::to_string(n));
  uint64_t on_a = std::stoull(Scalar(ca, "SELECT count() FROM vigia_it.events_local"));
  uint64_t on_b = std::stoull(Scalar(cb, "SELECT count() FROM vigia_it.events_local"));
  EXPECT_EQ(on_a + on_b, n);
  EXPECT_GT(on_a, n / 4);
  EXPECT_GT(on_b, n / 4);
  // One request's events live on one shard.
  auto ids = [](ClickHouseClient& c) {
    std::set<std::string> out;
    std::istringstream in(Scalar(c,
                                 "SELECT DISTINCT request_id FROM vigia_it.events_local "
                                 "WHERE isNotNull(request_id)"));
    for (std::string line; std::getline(in, line);) out.insert(line);
    return out;
  };
  std::set<std::string> ids_a = ids(ca), ids_b = ids(cb);
  EXPECT_GT(ids_a.size(), 10u);
  for (const std::string& id : ids_a) EXPECT_EQ(ids_b.count(id), 0u) << id << " on both shards";

  for (const std::string& url : {a.url(), b.url()}) {
    SCOPED_TRACE(url);
    ClickHouseBackendOptions bo;
    bo.url = url;
    bo.schema = schema;
    ClickHouseQueryBackend backend(bo);
    ExpectGoldenAnswers(backend);
  }

  // A shard that is down: the query fails (Unavailable), never a partial answer.
  b.Stop();
  ClickHouseBackendOptions bo;
  bo.url = a.url();
  bo.schema = schema;
  ClickHouseQueryBackend backend(bo);
  auto q = ParseVql("kind:request | stats count()");
  ASSERT_TRUE(q.ok());
  auto r = backend.Run(*q, QueryOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
}

// Aggregation pushdown measured (docs/clickhouse.md, "Aggregation pushdown"): the numbers
// printed there come from
//   CLICKHOUSE_IT_BENCH_EVENTS=1000000 build/tests/clickhouse_it --gtest_filter='*Pushdown*'
// Oracle events in one server; each stats query with and without pushdown (median of 3 runs
// after a warm-up): latency, rows ClickHouse read, bytes the node received; the answers must
// be the same. Skipped unless CLICKHOUSE_IT_BENCH_EVENTS is set.
TEST(ClickHouseBackend, PushdownBenchmark) {
  const char* n_env = std::getenv("CLICKHOUSE_IT_BENCH_EVENTS");
  if (n_env == nullptr) GTEST_SKIP() << "set CLICKHOUSE_IT_BENCH_EVENTS to run";
  ClickHouseProcess server("bench");
  ASSERT_TRUE(server.ok());
  ClickHouseClient client(server.url());
  SchemaOptions schema;
  schema.database = "vigia_bench";
  ASSERT_TRUE(MigrateSchema(client, schema).ok());
  oracle::OracleDataOptions dopt;
  dopt.seed = 19;
  dopt.events = static_cast<size_t>(std::atoll(n_env));
  oracle::OracleData od = oracle::GenerateOracleData(dopt);
  ClickHouseWriter w(client, schema, 1);
  for (const auto& b : od.batches) ASSERT_TRUE(w.Insert(*b).ok());
  std::printf("events: %s\n", Scalar(client, "SELECT count() FROM vigia_bench.events").c_str());
  ClickHouseBackendOptions on;
  on.url = server.url();
  on.schema = schema;
  ClickHouseBackendOptions off = on;
  off.pushdown = false;
  ClickHouseQueryBackend with(on), without(off);
  for (const char* text :
       {"* | stats count()",
        "kind:request | stats count(), count_distinct(ip), sum(bytes_out), max(bytes_out) by "
        "(service)",
        "-level:debug | stats count() by (_time:1h, level)", "kind:request | top 5 by (route)"}) {
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok());
    QueryOptions opt;
    opt.now_ns = od.now_ns;
    auto measure = [&](ClickHouseQueryBackend& b, QueryResult* last) {
      std::vector<double> ms;
      for (int i = 0; i < 4; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto r = b.Run(*q, opt);
        auto t1 = std::chrono::steady_clock::now();
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        if (!r.ok()) return 0.0;
        *last = std::move(*r);
        if (i > 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      return ms[ms.size() / 2];
    };
    QueryResult a, b;
    auto c0 = with.pushdown_counters();
    double ms_on = measure(with, &a);
    EXPECT_EQ(with.pushdown_counters().pushed - c0.pushed, 4u) << text;
    double ms_off = measure(without, &b);
    EXPECT_EQ(FormatRows(a.rows, OutputFormat::kJson), FormatRows(b.rows, OutputFormat::kJson));
    std::printf(
        "%s\n  pushdown: %.1f ms, %zu result rows, %llu bytes received | rows read in "
        "vigia: %.1f ms, %llu rows, %llu bytes received\n",
        text, ms_on, a.rows.size(), static_cast<unsigned long long>(a.stats.bytes_read), ms_off,
        static_cast<unsigned long long>(b.stats.rows_scanned),
        static_cast<unsigned long long>(b.stats.bytes_read));
  }
}

}  // namespace
}  // namespace vigia::clickhouse
