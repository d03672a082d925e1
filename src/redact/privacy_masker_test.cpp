#include "redact/privacy_masker.h"

#include <gtest/gtest.h>

#include "event/event_fields.h"

namespace vigia::redact {
namespace {

std::unique_ptr<PrivacyMasker> Make(PrivacyOptions o, MetricRegistry* m = nullptr) {
  auto r = PrivacyMasker::Make(std::move(o), m);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

// One event per entry of `fields` (name, value) lists.
EventBatch Batch(const std::vector<std::vector<std::pair<std::string, std::string>>>& events) {
  EventBatch b;
  for (const auto& ev : events) {
    b.BeginEvent(1);
    for (const auto& [k, v] : ev) {
      b.AddField(b.arena().Copy(k), Value::String(b.arena().Copy(v)));
    }
  }
  return b;
}

std::string Get(const EventBatch& b, size_t i, std::string_view name) {
  const Value* v = b.Find(b.events()[i], name);
  return v && v->type == ValueType::kString ? std::string(v->s) : "<none>";
}

TEST(PrivacyMaskerTest, TruncatesIpv4To24AndIpv6To48) {
  EXPECT_EQ(TruncateIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(TruncateIp("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
  EXPECT_EQ(TruncateIp("::ffff:198.51.100.23"), "::ffff:198.51.100.0");
  EXPECT_EQ(TruncateIp("not-an-ip"), std::nullopt);
  EXPECT_EQ(TruncateIp("203.0.113.77:443"), std::nullopt);
}

TEST(PrivacyMaskerTest, MasksIpUaAndQueryPerDefaults) {
  PrivacyOptions o;
  o.defaults = {IpMode::kTruncate, UaMode::kFamily, true};
  MetricRegistry metrics;
  auto m = Make(o, &metrics);
  EventBatch b = Batch({{{"ip", "203.0.113.77"},
                         {"ua", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0"},
                         {"browser", "Firefox"},
                         {"browser_version", "120.0"},
                         {"os", "Linux"},
                         {"path", "/search?q=ana+maria&cpf=1#top"},
                         {"http.x_forwarded_for", "198.51.100.9, 10.1.2.3"},
                         {"meta.referer", "https://shop.example/p?id=7"},
                         {"msg", "unchanged 203.0.113.77"}},
                        {{"ua", "curl/8.4.0"}, {"path", "/health"}}});
  m->Redact("", &b);
  EXPECT_EQ(Get(b, 0, "ip"), "203.0.113.0");
  EXPECT_EQ(Get(b, 0, "ua"), "Firefox/120.0");
  EXPECT_EQ(Get(b, 0, "browser"), "Firefox");  // derived stats stay
  EXPECT_EQ(Get(b, 0, "os"), "Linux");
  EXPECT_EQ(Get(b, 0, "path"), "/search");
  EXPECT_EQ(Get(b, 0, "http.x_forwarded_for"), "198.51.100.0, 10.1.2.0");
  EXPECT_EQ(Get(b, 0, "meta.referer"), "https://shop.example/p");
  EXPECT_EQ(Get(b, 0, "msg"), "unchanged 203.0.113.77");  // free text is redaction's business
  EXPECT_EQ(Get(b, 1, "ua"), "curl/8.4.0");  // no derived browser: the first product token
  EXPECT_EQ(Get(b, 1, "path"), "/health");
  std::string text = metrics.Exposition();
  EXPECT_NE(text.find(R"(vigia_privacy_masked_total{what="ip"} 2)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(vigia_privacy_masked_total{what="query"} 2)"), std::string::npos) << text;
}

TEST(PrivacyMaskerTest, HashIsKeyedAndJoinable) {
  PrivacyOptions o;
  o.defaults.ip = IpMode::kHash;
  EXPECT_FALSE(PrivacyMasker::Make(o, nullptr).ok());  // no key
  o.hmac_key = "k1";
  auto m = Make(o);
  EventBatch b =
      Batch({{{"ip", "203.0.113.77"}}, {{"ip", "203.0.113.77"}}, {{"ip", "203.0.113.78"}}});
  m->Redact("", &b);
  EXPECT_TRUE(Get(b, 0, "ip").starts_with("[hmac:"));
  EXPECT_EQ(Get(b, 0, "ip"), Get(b, 1, "ip"));
  EXPECT_NE(Get(b, 0, "ip"), Get(b, 2, "ip"));
  o.hmac_key = "k2";
  auto m2 = Make(o);
  EventBatch c = Batch({{{"ip", "203.0.113.77"}}});
  m2->Redact("", &c);
  EXPECT_NE(Get(c, 0, "ip"), Get(b, 0, "ip"));
}

TEST(PrivacyMaskerTest, OverridesPerTenantAndService) {
  auto ov = ParsePrivacyOverrides(
      "service=checkout: ip=truncate query=drop; tenant=acme: ip=none ua=family");
  ASSERT_TRUE(ov.ok()) << ov.status().ToString();
  ASSERT_EQ(ov->size(), 2u);
  PrivacyOptions o;
  o.overrides = *ov;
  EXPECT_TRUE(o.active());
  auto m = Make(o);
  EXPECT_EQ(m->RuleFor("", "web"), PrivacyRule{});
  EXPECT_EQ(m->RuleFor("", "checkout"), (PrivacyRule{IpMode::kTruncate, UaMode::kFull, true}));
  // Both match: the later (tenant) wins for ip, query stays from the service rule.
  EXPECT_EQ(m->RuleFor("acme", "checkout"), (PrivacyRule{IpMode::kNone, UaMode::kFamily, true}));
  EventBatch b = Batch({{{"service", "checkout"}, {"ip", "203.0.113.77"}},
                        {{"service", "web"}, {"ip", "203.0.113.77"}},
                        {{"service", "checkout"}, {"tenant", "acme"}, {"ip", "203.0.113.77"}}});
  m->Redact("", &b);
  EXPECT_EQ(Get(b, 0, "ip"), "203.0.113.0");
  EXPECT_EQ(Get(b, 1, "ip"), "203.0.113.77");
  EXPECT_EQ(Get(b, 2, "ip"), "203.0.113.77");
  // The key's tenant wins over the event's field.
  EventBatch c = Batch({{{"service", "checkout"}, {"tenant", "acme"}, {"ip", "203.0.113.77"}}});
  m->Redact("other", &c);
  EXPECT_EQ(Get(c, 0, "ip"), "203.0.113.0");
}

TEST(PrivacyMaskerTest, RejectsMalformedOverrides) {
  for (const char* bad : {"checkout: ip=hash", "service=: ip=hash", "service=a: ip=maybe",
                          "service=a: color=red", "tenant=a:", "service=a: query=yes"}) {
    EXPECT_FALSE(ParsePrivacyOverrides(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParsePrivacyOverrides("").ok());
  EXPECT_FALSE(ParseIpMode("mask").ok());
  EXPECT_FALSE(ParseUaMode("short").ok());
}

}  // namespace
}  // namespace vigia::redact
