#include "alerting/notification.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

Notification Sample() {
  Notification n;
  n.receiver = "hook";
  n.group_key = "hook:{alertname=\"E\"}";
  n.group_labels = {{"alertname", "E"}};
  n.created_ns = 1'800'000'000'000'000'000;
  NotifiedAlert a;
  a.rule = "E";
  a.fingerprint = "00ff";
  a.labels = {{"alertname", "E"}, {"route", "/a"}, {"severity", "page"}};
  a.annotations = {{"summary", "5xx 2%"}};
  a.starts_at_ns = 1'800'000'000'000'000'000;
  a.value = 0.02;
  a.query = "kind:request | stats count()";
  n.alerts.push_back(a);
  a.labels["route"] = "/b";
  a.fingerprint = "00fe";
  a.resolved = true;
  a.ends_at_ns = a.starts_at_ns + 1'000'000'000;
  n.alerts.push_back(a);
  return n;
}

TEST(NotificationTest, RoundTripsThroughTheOutboxForm) {
  Notification n = Sample();
  auto back = DecodeNotification(EncodeNotification(n));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(EncodeNotification(*back), EncodeNotification(n));
  EXPECT_FALSE(DecodeNotification("{\"receiver\":1}").ok());
}

TEST(NotificationTest, Payloads) {
  Notification n = Sample();
  std::string hook = WebhookPayload(n);
  EXPECT_EQ(hook.find(R"({"version":"4","receiver":"hook","status":"firing",)"), 0u) << hook;
  EXPECT_NE(hook.find(R"("commonLabels":{"alertname":"E","severity":"page"})"), std::string::npos)
      << hook;
  EXPECT_NE(hook.find(R"("endsAt":"0001-01-01T00:00:00Z")"), std::string::npos) << hook;
  EXPECT_NE(hook.find(R"("status":"resolved")"), std::string::npos) << hook;
  std::string slack = SlackPayload(n);
  EXPECT_EQ(slack.find(R"({"text":"[FIRING:1] E\n)"), 0u) << slack;
  EXPECT_NE(slack.find("\"blocks\":["), std::string::npos);
  std::string am = AlertmanagerPayload(n, n.created_ns, 240'000'000'000);
  EXPECT_EQ(am.front(), '[');
  EXPECT_NE(am.find(R"("endsAt":"2027-01-15T08:04:00.000Z")"), std::string::npos) << am;
}

TEST(NotificationTest, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace vigia
