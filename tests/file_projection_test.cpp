// `vigia query --file` with and without its projection (cli/files_backend.h: the decoders
// canonicalize only what can produce the fields a query reads, field_projection.h). Every
// query shape must answer exactly the same both ways, row for row and value for value, with
// the same lines scanned: the golden queries over their dataset, the oracle's random queries
// (every pipe and function) over its random events written as NDJSON, and queries reading
// each kind of name the normalizer makes (aliases that win or lose, <name>_raw, flattened
// and error-object names, extra, details, derived fields, ts spellings) over a file of such
// lines with malformed ones among them. Both runs use the same threads and chunks, so even
// float sums are added in the same order.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "cli/files_backend.h"
#include "common/env.h"
#include "common/time_format.h"
#include "event/event_json.h"
#include "oracle/oracle_compare.h"
#include "oracle/oracle_events.h"
#include "oracle/oracle_queries.h"
#include "support/server_process.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

fs::path SourceDir() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  return fs::path(src ? src : ".");
}

struct Counts {
  size_t queries = 0;
  size_t projected = 0;  // the projection was on (explain says so)
  size_t with_rows = 0;
};

// Runs `text` both ways over `file`; adds a failure describing the first difference.
void Compare(const std::string& file, const std::string& text, int64_t now_ns, Counts* counts) {
  SCOPED_TRACE(text);
  auto q = ParseVql(text);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  QueryOptions opt;
  opt.now_ns = now_ns;
  cli::FilesBackendOptions o;
  o.threads = 2;
  o.chunk_bytes = 16 * 1024;
  auto projected = cli::MakeFilesBackend({file}, o);
  o.decode_all = true;
  auto full = cli::MakeFilesBackend({file}, o);
  Result<std::string> explain = projected->Explain(*q, opt);
  ASSERT_TRUE(explain.ok()) << explain.status().ToString();
  Result<QueryResult> want = full->Run(*q, opt);
  Result<QueryResult> got = projected->Run(*q, opt);
  ++counts->queries;
  if (explain->find("decoded: every field") == std::string::npos) ++counts->projected;
  ASSERT_EQ(got.ok(), want.ok()) << (got.ok() ? want.status() : got.status()).ToString();
  if (!want.ok()) {
    EXPECT_EQ(got.status().ToString(), want.status().ToString());
    return;
  }
  oracle::CompareSpec exact;  // no tolerance: same chunks, same order of every sum
  exact.event_rows = false;
  EXPECT_EQ(oracle::CompareRows(want->rows, got->rows, exact), "");
  EXPECT_EQ(got->stats.rows_scanned, want->stats.rows_scanned);
  EXPECT_EQ(got->stats.rows_matched, want->stats.rows_matched);
  if (!want->rows.empty()) ++counts->with_rows;
}

TEST(FileProjection, GoldenQueriesAnswerTheSame) {
  const fs::path dir = SourceDir() / "tests" / "queries";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".vql") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 15u);
  Counts c;
  for (const fs::path& f : files) {
    Result<std::string> read = Env::Default()->ReadFileToString(f.string());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    const std::string& text = *read;
    int64_t now = *ParseRfc3339("2026-11-22T11:00:00Z");
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("# now: ", 0) == 0) now = *ParseRfc3339(line.substr(7));
    }
    Compare((dir / "dataset.ndjson").string(), text, now, &c);
  }
  EXPECT_GE(c.projected, files.size() / 2);
  EXPECT_GE(c.with_rows, files.size() / 2);
}

TEST(FileProjection, OracleQueriesOverItsEventsAnswerTheSame) {
  oracle::OracleDataOptions d;
  d.seed = 5;
  d.events = 6000;
  oracle::OracleData data = oracle::GenerateOracleData(d);
  testing::TempDir tmp;
  const std::string file = tmp.path() + "/oracle.ndjson";
  {
    std::string text;
    for (const auto& b : data.batches) {
      for (const auto& e : b->events()) {
        AppendEventJson(*b, e, &text);
        text += '\n';
      }
    }
    std::ofstream(file, std::ios::binary) << text;
  }
  oracle::QueryGenerator gen(data, 5);
  Counts c;
  for (int i = 0; i < 250; ++i) Compare(file, gen.Next().text, data.now_ns, &c);
  EXPECT_GE(c.projected, 100u);
  EXPECT_GE(c.with_rows, 125u);
}

// Lines in many spellings, with the cases where one key's value depends on another.
std::string AliasLine(std::mt19937_64& rng, int i) {
  auto pick = [&](std::initializer_list<const char*> v) { return *(v.begin() + rng() % v.size()); };
  std::string s = "{";
  auto add = [&](const std::string& kv) { s += (s.size() > 1 ? "," : "") + kv; };
  add(std::string(pick({"\"ts\"", "\"timestamp\"", "\"time\"", "\"@timestamp\""})) +
      ":\"2026-11-22T10:" + std::to_string(10 + i % 50) + ":0" + std::to_string(i % 10) + "Z\"");
  if (rng() % 9 == 0) add(R"("ts":"not a time")");
  if (rng() % 2)
    add(std::string("\"kind\":") + pick({"\"request\"", "\"error\"", "\"Event\"", "\"log\""}));
  if (rng() % 3) {
    add(std::string(pick({"\"level\"", "\"lvl\"", "\"severity\""})) + ":" +
        pick({"\"WARNING\"", "\"info\"", "30", "\"ERR\"", "\"chatty\""}));
  }
  if (rng() % 2)
    add(std::string(pick({"\"msg\"", "\"message\""})) + ":" + pick({"\"boom here\"", "\"hello\""}));
  if (rng() % 3 == 0) add(std::string(pick({"\"message\"", "\"mensagem\""})) + ":\"other words\"");
  if (rng() % 2) {
    add(std::string(pick({"\"status\"", "\"status_code\""})) + ":" +
        pick({"200", "\"404\"", "500.0", "\"failed\"", "\"success\"", "\"teapot\""}));
  }
  if (rng() % 2)
    add(std::string(pick({"\"route\"", "\"endpoint\""})) + ":" +
        pick({"\"POST /sales/{id}\"", "\"/health\""}));
  if (rng() % 4 == 0) add(R"("method":"get")");
  if (rng() % 3 == 0) {
    add(std::string(pick({"\"error\"", "\"exception\"", "\"err\""})) + ":" +
        pick({R"({"tipo":"KeyError","message":"boom","foo":1})", R"({"type":"E","line":"x12"})",
              R"("token expired")", R"({"stack":["a","b"],"foo":{"bar":2}})"}));
  }
  if (rng() % 4 == 0)
    add(std::string(pick({"\"error_type\"", "\"exception_type\""})) + ":\"ValueError\"");
  if (rng() % 3 == 0) {
    add(std::string(pick({"\"extra\"", "\"extra_fields\""})) + ":" +
        pick({R"({"level":"debug","msg":"from extra","meta":{"a":5}})", R"({"user_id":7})", "3"}));
  }
  if (rng() % 4 == 0)
    add(std::string(pick({"\"details\"", "\"detalhes\""})) + ":" +
        pick({R"({"x":1,"y":[1]})", "\"plain\""}));
  if (rng() % 2) add(std::string("\"meta\":") + pick({R"({"a":1,"b":{"c":"d"}})", R"({"a":"s"})"}));
  if (rng() % 4 == 0) add(R"("meta.a":2)");
  if (rng() % 2)
    add(std::string(pick({"\"duration_ms\"", "\"latency_ms\"", "\"duration\""})) + ":" +
        pick({"12.5", "\"340\"", "\"slowish\"", "2500"}));
  if (rng() % 3 == 0)
    add(std::string(pick({"\"user_id\"", "\"userId\""})) + ":" + pick({"42", "\"u-1\""}));
  if (rng() % 5 == 0) add(R"("tags":["a","b"],"flag":true)");
  s += "}";
  switch (i % 97) {  // malformed lines, in keys queries read and in keys they do not
    case 13:
      return R"({"ts":"2026-11-22T10:00:00Z","level":"info","junk":tru})";
    case 31:
      return R"({"ts":"2026-11-22T10:00:00Z","msg":"x","deep":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":{"r":{"s":{"t":{"u":{"v":{"w":{"x":{"y":{"z":{"0":{"1":{"2":{"3":{"4":{"5":{"6":1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}})";
    case 47:
      return "{\"ts\":\"yesterday\",\"level\":\"info\"}";
    case 60:
      return "{\"level\":\"info\",\"" + std::string(300, 'n') + "\":1}";
    case 77:
      return "not json";
    default:
      return s;
  }
}

TEST(FileProjection, QueriesOfEveryKindOfNameAnswerTheSame) {
  testing::TempDir tmp;
  const std::string file = tmp.path() + "/aliases.ndjson";
  std::mt19937_64 rng(3);
  {
    std::string text;
    for (int i = 0; i < 6000; ++i) text += AliasLine(rng, i) + "\n";
    std::ofstream(file, std::ios::binary) << text;
  }
  const char* queries[] = {
      "* | stats count()",
      "* | stats count() by (level)",
      "* | stats count() by (kind, level)",
      "* | stats count() by (level_raw, kind_raw)",
      "* | stats count() by (msg)",
      "* | stats count() by (_msg)",
      "* | stats count() by (message, mensagem)",
      "* | stats count() by (status, status_raw)",
      "* | stats count() by (outcome)",
      "* | stats count() by (method, route)",
      "* | stats count() by (error.type, error.message)",
      "* | stats count() by (exception.tipo, err.tipo, exception.type, error_type)",
      "* | stats count() by (error.foo, error.foo.bar, error.line, error.line_raw)",
      "* | stats count() by (error.stack)",
      "* | stats count() by (exception, err)",
      "* | stats count() by (meta.a, meta.b.c)",
      "* | stats count() by (details, details.x, details.y, detalhes)",
      "* | stats count() by (extra, extra_fields, user_id, userId)",
      "* | stats count() by (perf_class)",
      "* | stats count() by (duration_ms_raw) | sort by (count() desc)",
      "* | stats avg(duration_ms), sum(duration_ms), p95(duration_ms) by (route)",
      "* | stats count() by (ts_raw, timestamp, time)",
      "* | stats count() by (tags, flag)",
      "* | stats count() by (_time:10m)",
      "boom | stats count() by (level)",
      "\"other words\" | stats count()",
      "_msg:hello | stats count() by (kind)",
      "status:>=400 | stats count() by (status)",
      "outcome:failure | stats count_distinct(route)",
      "level:warn or level:error | stats count() by (lvl, severity)",
      "-meta.a:* | stats count()",
      "* | top 3 by (error.type)",
      "* | fields ts, level, msg | sort by (level, msg) | limit 40",
      "error.type:* | fields ts, error.type, exception.tipo, error.message",
      "* | sort by (msg) | limit 5 | fields msg, level",
      "kind:request | stats count() as n by (route) | where n > 5 | sort by (n desc)",
      "*",
      "level:warn | limit 20",
  };
  Counts c;
  for (const char* q : queries) Compare(file, q, *ParseRfc3339("2026-11-22T11:00:00Z"), &c);
  EXPECT_GE(c.projected, std::size(queries) - 3);
  EXPECT_GE(c.with_rows, std::size(queries) - 4);
}

}  // namespace
}  // namespace vigia
