// The ClickHouse copy (vigia-gen --derived-out) must carry exactly the fields vigia derives
// when it ingests the plain line; this runs vigia's real Normalizer both ways over generated
// events and compares browser/browser_version/os/os_version/device.
#include "gen/derived_columns.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "gen/dataset_generator.h"
#include "gen/record_writer.h"
#include "ingest/normalize/normalizer.h"

namespace vigia::bench {
namespace {

constexpr std::string_view kDerived[] = {"browser", "browser_version", "os", "os_version",
                                         "device"};

const UaFieldDeriver& Deriver() {
  static const UaFieldDeriver* d = [] {
    // The repository's pinned uap-core (third_party/uap-core; CMake passes its path).
    std::string path = std::string(VIGIA_UAP_CORE_DIR) + "/regexes.yaml";
    auto loaded = UaFieldDeriver::LoadFile(path);
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().ToString();
      std::abort();
    }
    return loaded.value().release();
  }();
  return *d;
}

std::map<std::string, std::string> DerivedOf(Normalizer& n, const std::string& line) {
  EventBatch batch;
  Status st = n.Normalize(line, 0, &batch);
  EXPECT_TRUE(st.ok()) << st.ToString() << " " << line;
  std::map<std::string, std::string> out;
  if (batch.empty()) return out;
  for (std::string_view name : kDerived) {
    if (const Value* v = batch.Find(batch.events().back(), name)) out[std::string(name)] = v->s;
  }
  return out;
}

TEST(DerivedColumns, PeerCopyCarriesWhatVigiaDerives) {
  GenOptions o;
  o.events = 3000;
  o.start_ms = 1'767'225'600'000;
  DatasetGenerator gen(o);
  RecordWriter writer(Spelling::kCanonical);
  DerivedColumns derived(&Deriver());
  NormalizerOptions with_ua;
  with_ua.derivers.push_back(&Deriver());
  Normalizer vigia_path(with_ua);
  Normalizer peer_path;  // no classifier: the fields must come from the line itself
  Record rec;
  size_t requests = 0;
  std::set<std::string> browsers;
  while (gen.Next(&rec)) {
    std::string line, peer_line;
    writer.Append(rec, &line);
    std::string_view ua = rec.kind == RecordKind::kRequest ? rec.ua : "";
    derived.Append(line, ua, &peer_line);
    ASSERT_EQ(peer_line.back(), '\n');
    auto want = DerivedOf(vigia_path, line);
    auto got = DerivedOf(peer_path, peer_line);
    ASSERT_EQ(got, want) << peer_line;
    if (!ua.empty()) {
      ++requests;
      ASSERT_TRUE(got.count("browser")) << line;
      browsers.insert(got["browser"]);
    } else {
      EXPECT_EQ(peer_line, line);
    }
  }
  EXPECT_GT(requests, 500u);
  EXPECT_GE(browsers.size(), 10u);  // the catalog's variety survives
}

TEST(DerivedColumns, EscapesAndKeepsLinesWithoutUa) {
  DerivedColumns derived(&Deriver());
  std::string out;
  derived.Append("{\"a\":1}", "", &out);
  EXPECT_EQ(out, "{\"a\":1}");
  out.clear();
  derived.Append("{\"a\":1}\n", "curl/7.88.1", &out);
  EXPECT_EQ(out,
            "{\"a\":1,\"browser\":\"curl\",\"browser_version\":\"7.88\",\"os\":\"Other\","
            "\"device\":\"bot\"}\n");
}

}  // namespace
}  // namespace vigia::bench
