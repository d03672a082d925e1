// Fingerprinting: the message templater and frame normalizer case by case, then the
// hand-labelled corpus (tests/errors/) through the real NDJSON decoder with the deriver in
// its list, scored by pairwise precision and recall.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "errors/fingerprint.h"
#include "errors/fingerprint_deriver.h"
#include "errors/message_template.h"
#include "errors/stack_frame.h"
#include "ingest/ndjson/ndjson_decoder.h"

namespace vigia::errors {
namespace {

TEST(TemplateMessage, ReplacesVariableParts) {
  EXPECT_EQ(TemplateMessage("user 42 not found"), "user <num> not found");
  EXPECT_EQ(TemplateMessage("id 7f0c2a4e-9b1d-4c3e-8f00-1234567890ab gone"), "id <uuid> gone");
  EXPECT_EQ(TemplateMessage("mail to ana.b+x@example.com failed."), "mail to <email> failed.");
  EXPECT_EQ(TemplateMessage("connect ECONNREFUSED 10.0.3.7:587"), "connect ECONNREFUSED <ip>");
  EXPECT_EQ(TemplateMessage("peer fe80::1 reset"), "peer <ip> reset");
  EXPECT_EQ(TemplateMessage("bad ptr 0x7ffd1234 and sha 9f86d081884c7d65"),
            "bad ptr <hex> and sha <hex>");
  EXPECT_EQ(TemplateMessage("key 'sku-9' missing in \"cart\""), "key <str> missing in <str>");
  EXPECT_EQ(TemplateMessage("took -3.5e3ms  for  user42"), "took <num>ms for user<num>");
  EXPECT_EQ(TemplateMessage("can't parse"), "can't parse");
  EXPECT_EQ(TemplateMessage("first line 1\nsecond 2"), "first line <num>");
  EXPECT_EQ(TemplateMessage("deadbeef is a word"), "deadbeef is a word");
}

TEST(StackFrame, NormalizesAcrossFormats) {
  auto one = [](std::string_view line) {
    auto frames = ParseStack(line, 10);
    EXPECT_EQ(frames.size(), 1u) << line;
    return frames.empty() ? StackFrame{} : frames[0];
  };
  StackFrame py = one("  File \"/srv/app/api/users.py\", line 88, in get_user");
  EXPECT_EQ(py.function, "get_user");
  EXPECT_EQ(py.file, "users.py");
  EXPECT_TRUE(py.in_app);
  EXPECT_FALSE(one("File \"/usr/lib/python3/site-packages/x.py\", line 1, in f").in_app);
  StackFrame java = one("\tat br.acme.OrderService_Subclass.place$$superforward(X.zig:3)");
  EXPECT_EQ(java.function, "br.acme.OrderService.place");
  EXPECT_EQ(one("at br.acme.S.lambda$reserve$12(S.java:9)").function, "br.acme.S.lambda$reserve");
  EXPECT_FALSE(one("at java.base/java.lang.Thread.run(Thread.java:840)").in_app);
  StackFrame js = one("at async Ctl.create (/app/dist/ctl.js:103:22)");
  EXPECT_EQ(js.function, "Ctl.create");
  EXPECT_EQ(js.file, "ctl.js");
  EXPECT_FALSE(one("at Layer.handle (/app/node_modules/express/layer.js:95:5)").in_app);
  StackFrame dart = one("#3      CartPage.build (package:shop/ui/cart_page.dart:42:7)");
  EXPECT_EQ(dart.function, "CartPage.build");
  EXPECT_EQ(dart.file, "cart_page.dart");
  EXPECT_FALSE(one("#0 List.[] (dart:core-patch/growable_array.dart:264:36)").in_app);
  StackFrame cpp = one("pdv::Db::exec(std::string const&) [clone .cold]+0x1a (/opt/pdv/bin/srv)");
  EXPECT_EQ(cpp.function, "pdv::Db::exec(std::string const&)");
  EXPECT_EQ(cpp.file, "srv");
  EXPECT_TRUE(cpp.in_app);
  EXPECT_FALSE(one("abort+0xd7 (/usr/lib/x86_64-linux-gnu/libc.so.6)").in_app);
  EXPECT_TRUE(one("0x7f12c0042520 (/usr/lib/x86_64-linux-gnu/libc.so.6)").function.empty());
  StackFrame bt = one("./srv(_ZN3pdv6Report5buildEm+0x2a) [0x55d1c2a0]");
  EXPECT_EQ(bt.function, "_ZN3pdv6Report5buildEm");
  EXPECT_EQ(NormalizeFileName("/static/js/main.3f2a1b9c.chunk.js"), "main.#.chunk.js");
  // Source excerpts and exception headers are not frames.
  EXPECT_TRUE(ParseStack("    return repo.by_id(user_id)\nValueError: bad (x)\n", 10).empty());
}

TEST(Fingerprint, MethodsAndTitle) {
  ErrorSignature a, b;
  ErrorInput in;
  in.type = "KeyError";
  in.message = "user 1 missing";
  ASSERT_TRUE(ComputeSignature(in, &a));
  in.message = "user 2 missing";
  ASSERT_TRUE(ComputeSignature(in, &b));
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.method, FingerprintMethod::kMessage);
  EXPECT_EQ(a.title, "KeyError: user 1 missing");
  EXPECT_EQ(a.fingerprint.size(), 16u);
  in.function = "f";
  in.file = "/a/b.py";
  ASSERT_TRUE(ComputeSignature(in, &a));
  EXPECT_EQ(a.method, FingerprintMethod::kThrowSite);
  EXPECT_EQ(a.culprit, "f (b.py)");
  EXPECT_FALSE(ComputeSignature(ErrorInput{}, &a));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SourceDir() {
  const char* d = std::getenv("VIGIA_SOURCE_DIR");
  return d ? d : ".";
}

std::string StringField(const EventBatch& b, const EventBatch::EventRef& e, std::string_view n) {
  const Value* v = b.Find(e, n);
  return v && v->type == ValueType::kString ? std::string(v->s) : std::string();
}

TEST(FingerprintDeriver, RunsAtIngestAndClientFingerprintWins) {
  FingerprintDeriver deriver;
  DecoderOptions opt;
  opt.derivers.push_back(&deriver);
  NdjsonDecoder decoder(opt);
  EventBatch batch;
  std::string body =
      "{\"kind\":\"error\",\"error\":{\"type\":\"E\",\"message\":\"n 1\"}}\n"
      "{\"level\":\"error\",\"exception\":{\"type\":\"E\",\"message\":\"n 2\"}}\n"
      "{\"kind\":\"error\",\"fingerprint\":\"mine\",\"msg\":\"x\"}\n"
      "{\"msg\":\"plain log 3\"}\n";
  IngestRequest req;
  req.body = body;
  DecodeResult r = decoder.Decode(req, &batch);
  ASSERT_EQ(r.accepted, 4u);
  const auto& ev = batch.events();
  std::string f0 = StringField(batch, ev[0], "fingerprint");
  EXPECT_EQ(f0.size(), 16u);
  EXPECT_EQ(StringField(batch, ev[1], "fingerprint"), f0);
  EXPECT_EQ(StringField(batch, ev[2], "fingerprint"), "mine");
  EXPECT_EQ(batch.Find(ev[3], "fingerprint"), nullptr);
}

TEST(FingerprintCorpus, PrecisionAndRecall) {
  std::string path = SourceDir() + "/tests/errors/fingerprint_corpus.ndjson";
  std::string body = ReadFile(path);
  ASSERT_FALSE(body.empty()) << path;
  FingerprintDeriver deriver;
  DecoderOptions opt;
  opt.derivers.push_back(&deriver);
  NdjsonDecoder decoder(opt);
  EventBatch batch;
  IngestRequest req;
  req.body = body;
  DecodeResult r = decoder.Decode(req, &batch);
  ASSERT_EQ(r.rejected, 0u);
  std::vector<std::pair<std::string, std::string>> rows;  // label, fingerprint
  for (const auto& e : batch.events()) {
    rows.emplace_back(StringField(batch, e, "group"), StringField(batch, e, "fingerprint"));
    ASSERT_EQ(rows.back().second.size(), 16u) << rows.back().first;
  }
  uint64_t tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = i + 1; j < rows.size(); ++j) {
      bool same_label = rows[i].first == rows[j].first;
      bool same_fp = rows[i].second == rows[j].second;
      if (same_label && same_fp) ++tp;
      if (!same_label && same_fp) {
        ++fp;
        ADD_FAILURE() << "merged: " << rows[i].first << " (line " << i + 1 << ") and "
                      << rows[j].first << " (line " << j + 1 << ")";
      }
      if (same_label && !same_fp) {
        ++fn;
        ADD_FAILURE() << "split: " << rows[i].first << " lines " << i + 1 << " and " << j + 1;
      }
    }
  }
  double precision = tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp);
  double recall = tp + fn == 0 ? 1.0 : double(tp) / double(tp + fn);
  std::map<std::string, int> groups;
  for (const auto& row : rows) ++groups[row.first];
  std::printf(
      "fingerprint corpus: %zu events, %zu groups, %llu same-group pairs; "
      "precision %.3f recall %.3f\n",
      rows.size(), groups.size(), static_cast<unsigned long long>(tp + fn), precision, recall);
  EXPECT_EQ(precision, 1.0);
  EXPECT_EQ(recall, 1.0);
}

}  // namespace
}  // namespace vigia::errors
