#include "gen/record_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "gen/dataset_generator.h"

namespace vigia::bench {
namespace {

std::string Generate(Spelling s, uint64_t events) {
  GenOptions o;
  o.seed = 11;
  o.events = events;
  o.start_ms = 1790000000000;
  DatasetGenerator gen(o);
  RecordWriter writer(s);
  Record r;
  std::string out;
  while (gen.Next(&r)) writer.Append(r, &out);
  return out;
}

// Every line of every spelling is one valid JSON object.
TEST(RecordWriter, EverySpellingIsValidNdjson) {
  for (Spelling s :
       {Spelling::kCanonical, Spelling::kSeed000, Spelling::kSeed001, Spelling::kSeed004}) {
    const std::string data = Generate(s, 20000);
    // The DOM parser validates each document completely (on-demand would skip values).
    simdjson::dom::parser parser;
    simdjson::dom::document_stream docs;
    ASSERT_EQ(parser.parse_many(data).get(docs), simdjson::SUCCESS);
    size_t lines = 0;
    for (auto doc : docs) {
      simdjson::dom::object obj;
      ASSERT_EQ(doc.get_object().get(obj), simdjson::SUCCESS) << "line " << lines;
      EXPECT_GE(obj.size(), 7u);
      ++lines;
    }
    EXPECT_EQ(lines, 20000u) << static_cast<int>(s);
  }
}

TEST(RecordWriter, SeedSpellingsUseTheirAliases) {
  const std::string c = Generate(Spelling::kCanonical, 60000);
  const std::string s0 = Generate(Spelling::kSeed000, 60000);
  const std::string s1 = Generate(Spelling::kSeed001, 60000);
  const std::string s4 = Generate(Spelling::kSeed004, 60000);
  EXPECT_NE(c.find("\"error.stack\":"), std::string::npos);
  EXPECT_NE(c.find("\"meta.saleId\":"), std::string::npos);
  EXPECT_EQ(s0.rfind("{\"timestamp\":\"2026-09-21T14:13:20.000000+00:00\"", 0), 0u);
  EXPECT_NE(s0.find("\"endpoint\":\"POST /sales/{id}/pay\""), std::string::npos);
  EXPECT_NE(s0.find("\"exception\":{\"type\":"), std::string::npos);
  EXPECT_NE(s0.find("\"traceback\":[\"Traceback (most recent call last):\\n\","),
            std::string::npos);
  EXPECT_NE(s0.find("\"extra_fields\":{\"action\":"), std::string::npos);
  EXPECT_NE(s0.find("\"level\":\"WARNING\""), std::string::npos);
  EXPECT_NE(s1.find("\"nivel\":\"INFO\""), std::string::npos);
  EXPECT_NE(s1.find("\"maquina_id\":"), std::string::npos);
  EXPECT_NE(s1.find("\"erro\":{\"tipo\":"), std::string::npos);
  EXPECT_NE(s1.find("\"acao\":"), std::string::npos);
  EXPECT_EQ(s4.rfind("{\"ts\":\"2026-09-21T14:13:20.000Z\"", 0), 0u);
  EXPECT_NE(s4.find("\"requestId\":"), std::string::npos);
  EXPECT_NE(s4.find("\"route\":\"POST /sales/{id}/pay\""), std::string::npos);
  EXPECT_NE(s4.find("\"meta\":{\"saleId\":"), std::string::npos);
  EXPECT_EQ(s4.find("\"meta.saleId\""), std::string::npos);
  // Same events whatever the spelling: one line each.
  EXPECT_EQ(std::count(s0.begin(), s0.end(), '\n'), std::count(c.begin(), c.end(), '\n'));
}

TEST(RecordWriter, EscapesTextAndPrintsDurations) {
  Record r;
  r.ts_ms = 1000;
  r.kind = RecordKind::kRequest;
  r.service = "s";
  r.host = "h";
  r.logger = "l";
  r.msg = "say \"hi\"\n";
  r.method = "GET";
  r.route = "/a";
  r.path = "/a";
  r.status = 200;
  r.duration_cents = 1250;
  r.ua = "x";
  std::string out;
  RecordWriter(Spelling::kCanonical).Append(r, &out);
  EXPECT_NE(out.find("\"msg\":\"say \\\"hi\\\"\\n\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"duration_ms\":12.5,"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(ParseSpelling("seed004"), Spelling::kSeed004);
  EXPECT_FALSE(ParseSpelling("seed002").has_value());
}

}  // namespace
}  // namespace vigia::bench
