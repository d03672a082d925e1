#include "common/metric_registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace vigia {
namespace {

TEST(MetricRegistryTest, CounterExposition) {
  MetricRegistry r;
  Counter* c =
      r.GetCounter("vigia_ingest_events_total", "Events accepted.", {"protocol"}, {"ndjson"});
  c->Inc(3);
  EXPECT_EQ(
      c, r.GetCounter("vigia_ingest_events_total", "Events accepted.", {"protocol"}, {"ndjson"}));
  r.GetCounter("vigia_ingest_events_total", "Events accepted.", {"protocol"}, {"otlp"})->Inc();
  EXPECT_EQ(r.Exposition(),
            "# HELP vigia_ingest_events_total Events accepted.\n"
            "# TYPE vigia_ingest_events_total counter\n"
            "vigia_ingest_events_total{protocol=\"ndjson\"} 3\n"
            "vigia_ingest_events_total{protocol=\"otlp\"} 1\n");
}

TEST(MetricRegistryTest, GaugeHistogramAndEscaping) {
  MetricRegistry r;
  r.GetGauge("vigia_up", "Always 1.")->Set(1);
  Histogram* h =
      r.GetHistogram("vigia_query_seconds", "Query time.", {0.1, 1}, {"route"}, {"a\"b\\c\nd"});
  h->Observe(0.05);
  h->Observe(0.1);  // le is inclusive
  h->Observe(5);
  const std::string text = r.Exposition();
  EXPECT_NE(text.find("vigia_query_seconds_bucket{route=\"a\\\"b\\\\c\\nd\",le=\"0.1\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigia_query_seconds_sum{route=\"a\\\"b\\\\c\\nd\"} 5.15"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vigia_query_seconds_count{route=\"a\\\"b\\\\c\\nd\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE vigia_up gauge\nvigia_up 1\n"), std::string::npos) << text;
}

TEST(MetricRegistryTest, CardinalityOverflowGoesToOther) {
  MetricRegistry r;
  r.SetMaxSeries("vigia_route_total", 2);
  auto get = [&](const std::string& v) {
    return r.GetCounter("vigia_route_total", "Per route.", {"route"}, {v});
  };
  get("/a")->Inc();
  get("/b")->Inc();
  Counter* other = get("/c");
  EXPECT_EQ(other, get("/d"));
  other->Inc(2);
  const std::string text = r.Exposition();
  EXPECT_NE(text.find("vigia_route_total{route=\"other\"} 2\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("/c"), std::string::npos);
  EXPECT_NE(text.find("vigia_metric_series_overflow_total{family=\"vigia_route_total\"} 2\n"),
            std::string::npos)
      << text;
}

TEST(MetricRegistryTest, CollectorsRunAtScrape) {
  MetricRegistry r;
  int calls = 0;
  r.AddCollector([&] { r.GetGauge("vigia_scrapes", "Scrapes.")->Set(++calls); });
  EXPECT_NE(r.Exposition().find("vigia_scrapes 1\n"), std::string::npos);
  EXPECT_NE(r.Exposition().find("vigia_scrapes 2\n"), std::string::npos);
}

TEST(MetricRegistryTest, ConcurrentUpdatesAreExact) {
  MetricRegistry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        r.GetCounter("vigia_c_total", "C.", {"k"}, {std::to_string(i % 7)})->Inc();
        r.GetHistogram("vigia_h", "H.", {1}, {}, {})->Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t total = 0;
  for (int k = 0; k < 7; ++k)
    total += r.GetCounter("vigia_c_total", "C.", {"k"}, {std::to_string(k)})->value();
  EXPECT_EQ(total, 40000u);
  EXPECT_EQ(r.GetHistogram("vigia_h", "H.", {1})->count(), 40000u);
}

}  // namespace
}  // namespace vigia
