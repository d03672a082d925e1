#include "alerting/alert_state_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace vigia {
namespace {

std::string TempPath(const char* name) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name + std::to_string(::getpid());
}

TEST(AlertStateFileTest, RoundTripsAndDetectsDamage) {
  Env* env = Env::Default();
  std::string path = TempPath("vigia_alert_state_");
  AlertStateSnapshot s;
  AlertInstance a;
  a.group = "g";
  a.rule = "R";
  a.query = "* | stats count() as \"n\"";
  a.labels = {{"alertname", "R"}, {"route", "/ü"}};
  a.annotations = {{"summary", "x"}};
  a.fingerprint = LabelsFingerprint(a.labels);
  a.state = AlertState::kFiring;
  a.active_at_ns = 1;
  a.fired_at_ns = 2;
  a.last_active_ns = 3;
  a.value = 0.25;
  s.instances.push_back(a);
  s.groups.push_back(NotifiedGroup{"webhook/{}", "webhook", 5, 6, {{a.fingerprint, "firing"}}});
  ASSERT_TRUE(SaveAlertState(env, path, s).ok());
  auto back = LoadAlertState(env, path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->instances.size(), 1u);
  EXPECT_EQ(back->instances[0].labels, a.labels);
  EXPECT_EQ(back->instances[0].query, a.query);
  EXPECT_EQ(back->instances[0].state, AlertState::kFiring);
  EXPECT_EQ(back->instances[0].fired_at_ns, 2);
  EXPECT_EQ(back->instances[0].value, 0.25);
  ASSERT_EQ(back->groups.size(), 1u);
  EXPECT_EQ(back->groups[0].sent.at(a.fingerprint), "firing");
  EXPECT_EQ(back->groups[0].last_notify_ns, 6);

  std::string data = *env->ReadFileToString(path);
  data[data.size() - 5] ^= 1;
  auto f = env->NewWritableFile(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(data).ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto damaged = LoadAlertState(env, path);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), StatusCode::kCorruption);
  ASSERT_TRUE(env->RemoveFile(path).ok());
  auto missing = LoadAlertState(env, path);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->instances.empty());
}

}  // namespace
}  // namespace vigia
