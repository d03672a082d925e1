// The seed spellings are meant to normalize to the same events as the canonical spelling
// (docs/architecture.md, "The event model"). This runs vigia's real Normalizer over all four spellings of the same
// generated events and compares every canonical field — a cross-check of the generator's
// spellings and of the normalizer's alias table at once.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "event/event_fields.h"
#include "gen/dataset_generator.h"
#include "gen/record_writer.h"
#include "ingest/normalize/normalizer.h"

namespace vigia::bench {
namespace {

struct Normalized {
  int64_t ts_ns = 0;
  std::map<std::string, std::string> canonical;  // name → typed value as text
};

std::string ValueText(const Value& v) {
  switch (v.type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return v.b ? "b:true" : "b:false";
    case ValueType::kInt:
      return "i:" + std::to_string(v.i);
    case ValueType::kFloat:
      return "f:" + std::to_string(v.f);
    case ValueType::kString:
      return "s:" + std::string(v.s);
  }
  return "?";
}

std::vector<Normalized> NormalizeAll(Spelling spelling, uint64_t events) {
  GenOptions o;
  o.seed = 5;
  o.events = events;
  o.start_ms = 1790000000000;
  DatasetGenerator gen(o);
  RecordWriter writer(spelling);
  Normalizer norm;
  EventBatch batch;
  Record r;
  std::string line;
  std::vector<Normalized> out;
  while (gen.Next(&r)) {
    line.clear();
    writer.Append(r, &line);
    line.pop_back();  // '\n'
    const Status st = norm.Normalize(line, 0, &batch);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << line;
    if (!st.ok()) continue;
    const auto& e = batch.events().back();
    Normalized n;
    n.ts_ns = e.ts_ns;
    for (const Field& f : batch.fields(e)) {
      if (fields::IsCanonical(f.name)) n.canonical[std::string(f.name)] = ValueText(f.value);
    }
    out.push_back(std::move(n));
  }
  return out;
}

TEST(SpellingEquivalence, SeedSpellingsNormalizeToTheCanonicalEvents) {
  const uint64_t n = 20000;
  const std::vector<Normalized> canonical = NormalizeAll(Spelling::kCanonical, n);
  ASSERT_EQ(canonical.size(), n);
  // The comparison must have something to compare: typed canonical fields, errors included.
  size_t with_stack = 0, with_route = 0;
  for (const Normalized& e : canonical) {
    EXPECT_GE(e.canonical.size(), 5u);
    with_stack += e.canonical.count("error.stack");
    with_route += e.canonical.count("route");
  }
  EXPECT_GT(with_stack, 0u);
  EXPECT_GT(with_route, n / 3);
  for (Spelling s : {Spelling::kSeed000, Spelling::kSeed001, Spelling::kSeed004}) {
    const std::vector<Normalized> spelled = NormalizeAll(s, n);
    ASSERT_EQ(spelled.size(), n);
    int reported = 0;
    for (size_t i = 0; i < n && reported < 5; ++i) {
      const bool same =
          spelled[i].ts_ns == canonical[i].ts_ns && spelled[i].canonical == canonical[i].canonical;
      if (!same) {
        ++reported;
        std::string diff;
        for (const auto& [k, v] : canonical[i].canonical) {
          auto it = spelled[i].canonical.find(k);
          if (it == spelled[i].canonical.end())
            diff += " missing " + k + "=" + v + ";";
          else if (it->second != v)
            diff += " " + k + ": " + it->second + " != " + v + ";";
        }
        for (const auto& [k, v] : spelled[i].canonical) {
          if (!canonical[i].canonical.count(k)) diff += " extra " + k + "=" + v + ";";
        }
        if (spelled[i].ts_ns != canonical[i].ts_ns) diff += " ts differs;";
        ADD_FAILURE() << "spelling " << static_cast<int>(s) << " event " << i << ":" << diff;
      }
    }
  }
}

}  // namespace
}  // namespace vigia::bench
