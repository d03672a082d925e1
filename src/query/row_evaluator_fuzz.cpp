// Fuzz target for the row evaluator: any input must parse or fail with a Status; a query that
// parses must also compile (filter matcher, aggregates, pipes) and evaluate over a small batch
// without crashing, hanging or leaking. Built as a libFuzzer binary with -DVIGIA_FUZZ=ON
// (clang), and driven by src/vql/vql_parser_fuzz_test.cpp (random mutations of real queries)
// in every build. The parser alone has its own target in src/vql.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "query/row_evaluator.h"
#include "vql/vql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigia;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto q = ParseVql(text);
  if (!q.ok()) return 0;
  static const EventBatch* batch = [] {
    auto* b = new EventBatch();
    for (int i = 0; i < 8; ++i) {
      b->BeginEvent(1'800'000'000'000'000'000 + i * 30'000'000'000LL);
      b->AddField("kind", Value::String(i % 2 ? "request" : "log"));
      b->AddField("msg", Value::String(i % 3 ? "Login failed for x" : "ok"));
      b->AddField("status", Value::Int(200 + 100 * (i % 4)));
      b->AddField("duration_ms", Value::Float(i * 12.5));
      b->AddField("route", Value::String(i % 2 ? "/a/{id}" : "/b"));
    }
    return b;
  }();
  QueryOptions opt;
  opt.now_ns = 1'800'000'000'000'000'000 + 600'000'000'000LL;
  opt.max_groups = 1000;
  auto ev = RowEvaluator::Create(*q, opt);
  if (!ev.ok()) return 0;
  if (!(*ev)->Add(*batch).ok()) return 0;
  (void)(*ev)->Finish();
  return 0;
}
