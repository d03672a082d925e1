#include "vigia/logger.h"

#include <gtest/gtest.h>

#include <climits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"
#include "vigia/audit_scope.h"
#include "vigia/context.h"

namespace vigia::sdk {
namespace {

using testing::contains;

struct FileLogger {
  std::string dir = testing::make_temp_dir();
  std::string path = dir + "/out.ndjson";
  std::unique_ptr<Logger> log;
  explicit FileLogger(Config c = {}) {
    c.file_path = path;
    c.service = "sales-api";
    c.env = "test";
    c.version = "1.2.3";
    c.min_level = Level::kDebug;
    c.metrics_interval = std::chrono::milliseconds(0);
    auto r = Logger::create(std::move(c));
    EXPECT_TRUE(r.ok()) << r.status().message();
    log = std::move(r.value());
  }
  std::vector<std::string> lines() {
    EXPECT_TRUE(log->flush().ok());
    return testing::read_lines(path);
  }
};

TEST(Logger, TypedFieldsContextAndIdentity) {
  FileLogger f;
  {
    ContextScope scope({{"request_id", "req-1"}, {"user_id", "42"}});
    f.log->info("payment_confirmed",
                {{"sale_id", 1234}, {"amount", 123.5}, {"method", "pix"}, {"ok", true}});
  }
  f.log->debug("outside");
  f.log->trace("filtered out by level");
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), 2u);
  const std::string& l = lines[0];
  EXPECT_TRUE(contains(l, "\"kind\":\"log\",\"level\":\"info\"")) << l;
  EXPECT_TRUE(contains(l, "\"service\":\"sales-api\",\"env\":\"test\"")) << l;
  EXPECT_TRUE(contains(l, "\"version\":\"1.2.3\"")) << l;
  EXPECT_TRUE(contains(l, "\"msg\":\"payment_confirmed\"")) << l;
  EXPECT_TRUE(contains(l, "\"request_id\":\"req-1\",\"user_id\":\"42\"")) << l;
  EXPECT_TRUE(contains(l, "\"sale_id\":1234,\"amount\":123.5,\"method\":\"pix\",\"ok\":true")) << l;
  EXPECT_FALSE(contains(lines[1], "request_id")) << lines[1];
  // ts is ns since epoch and close to now.
  long long ts = std::stoll(l.substr(6));
  long long now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  EXPECT_LT(std::llabs(now - ts), 5'000'000'000LL);
}

// The queue's record carries every field type and every string length the inline copies
// distinguish (0, 1–3, 4–7, 8–16, 17–32, longer), with keys and values cut at their limits.
TEST(Logger, EveryFieldTypeAndLengthSurvivesTheQueue) {
  Config c;
  c.max_string_bytes = 100;
  FileLogger f(c);
  const std::string key300(300, 'k'), long_value(1000, 'v');
  std::vector<std::string> values;
  for (size_t n : {0, 1, 2, 3, 4, 7, 8, 9, 16, 17, 31, 32, 33, 99, 100})
    values.push_back(std::string(n, static_cast<char>('a' + n % 26)));
  std::vector<std::string> keys;
  for (size_t i = 0; i < values.size(); ++i) keys.push_back("s" + std::to_string(i));
  std::vector<Field> fields = {{"n", nullptr}, {"f", false},         {"t", true},
                               {"neg", -5},    {"big", INT64_MIN},   {"d", -0.25},
                               {key300, 1},    {"long", long_value}, {"e", ""}};
  for (size_t i = 0; i < values.size(); ++i) fields.emplace_back(keys[i], values[i]);
  f.log->emit_fields(Kind::kLog, Level::kInfo, long_value, fields.data(), fields.size(),
                     Context::current());
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& l = lines[0];
  EXPECT_TRUE(contains(l, "\"msg\":\"" + std::string(100, 'v') + "\"")) << l;
  EXPECT_TRUE(contains(l,
                       "\"n\":null,\"f\":false,\"t\":true,\"neg\":-5,"
                       "\"big\":-9223372036854775808,\"d\":-0.25,"))
      << l;
  EXPECT_TRUE(contains(l, "\"" + std::string(255, 'k') + "\":1,")) << l;
  EXPECT_FALSE(contains(l, std::string(256, 'k'))) << l;
  EXPECT_TRUE(contains(l, "\"long\":\"" + std::string(100, 'v') + "\",\"e\":\"\",")) << l;
  EXPECT_FALSE(contains(l, std::string(101, 'v'))) << l;
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_TRUE(contains(l, "\"" + keys[i] + "\":\"" + values[i] + "\"")) << keys[i] << " " << l;
}

// The fast encoder stores a key of up to 8 bytes with one 8-byte move that may run past the
// field (into the ring's slack when it is the last one, e.g. a 1-byte key and an empty
// string): on a small ring that wraps many times every event must still read back exactly.
TEST(Logger, ShortKeysThroughASmallRingReadBackExactly) {
  Config c;
  c.ring_bytes = 4096;
  FileLogger f(c);
  const std::string keys[] = {"",      "a",      "ab",      "abc",      "abcd",
                              "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi"};
  const std::string values[] = {"", "x", "xyz", "0123456789abcdef0"};
  std::vector<std::string> expected;
  int n = 0;
  for (int round = 0; round < 12; ++round) {
    for (const std::string& k : keys) {
      for (const std::string& v : values) {
        f.log->info("m", {{"i", n}, {k, v}});
        expected.push_back("\"i\":" + std::to_string(n) + ",\"" + k + "\":\"" + v + "\"");
        ++n;
      }
    }
    ASSERT_TRUE(f.log->flush().ok());  // 40 events of < 100 bytes: never a full ring
  }
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), expected.size());
  EXPECT_EQ(f.log->drops().total(), 0u);
  for (size_t i = 0; i < lines.size(); ++i)
    EXPECT_TRUE(contains(lines[i], "\"msg\":\"m\"," + expected[i] + "}")) << lines[i];
}

TEST(Logger, ExplicitContextForAsyncWork) {
  FileLogger f;
  Context captured;
  {
    ContextScope scope({{"request_id", "async-7"}});
    captured = Context::current();
  }
  std::thread t([&] {
    f.log->log(captured, Level::kInfo, "from worker");
    ContextScope again(captured);
    f.log->info("reinstalled");
  });
  t.join();
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(contains(lines[0], "\"request_id\":\"async-7\""));
  EXPECT_TRUE(contains(lines[1], "\"request_id\":\"async-7\""));
}

TEST(Logger, RedactsSecretsInFieldsAndMessages) {
  FileLogger f;
  f.log->info("login with password=hunter2", {{"password", "hunter2"},
                                              {"authorization", "Bearer abcdefghijklmnop"},
                                              {"note", "sent Bearer abcdefghijklmnop"}});
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(contains(lines[0], "hunter2")) << lines[0];
  EXPECT_FALSE(contains(lines[0], "abcdefghijklmnop")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "\"password\":\"[REDACTED]\"")) << lines[0];
}

[[gnu::noinline]] void vigia_report_site(Logger& log) {
  try {
    throw std::runtime_error("db down");
  } catch (const std::exception& e) {
    log.report(e, {{"error.code", "E_DB"}});
  }
}

TEST(Logger, ReportExceptionWithSymbolizedStack) {
  FileLogger f;
  vigia_report_site(*f.log);
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& l = lines[0];
  EXPECT_TRUE(contains(l, "\"kind\":\"error\",\"level\":\"error\"")) << l;
  EXPECT_TRUE(contains(
      l, "\"error\":{\"type\":\"std::runtime_error\",\"message\":\"db down\",\"code\":\"E_DB\""))
      << l;
  EXPECT_TRUE(contains(l, "vigia_report_site")) << l;
}

TEST(Logger, AuditAndAuditScope) {
  FileLogger f;
  {
    ContextScope scope({{"user_id", "7"}});
    AuditEvent ev;
    ev.action = "sale.pay";
    ev.entity = "sale";
    ev.entity_id = "99";
    f.log->audit(ev, {{"amount", 10}});
    AuditScope ok(*f.log, "cash.close", "cash", "1");
    ok.success();
  }
  try {
    AuditScope failing(*f.log, "user.delete", "user", "5", true);
    throw std::runtime_error("boom");
  } catch (...) {
  }
  auto lines = f.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(contains(lines[0], "\"kind\":\"audit\"")) << lines[0];
  EXPECT_TRUE(contains(lines[0],
                       "\"action\":\"sale.pay\",\"entity\":\"sale\",\"entity_id\":\"99\","
                       "\"outcome\":\"success\",\"actor\":\"7\""))
      << lines[0];
  EXPECT_TRUE(contains(lines[1], "\"outcome\":\"success\"") && contains(lines[1], "duration_ms"))
      << lines[1];
  EXPECT_TRUE(contains(lines[2], "\"outcome\":\"failure\"") &&
              contains(lines[2], "\"reason\":\"exception\""))
      << lines[2];
  EXPECT_TRUE(contains(lines[2], "\"sensitive\":true")) << lines[2];
}

TEST(Logger, MetricsAndSessionSummaryAtShutdown) {
  FileLogger f;
  auto& c = f.log->metrics().counter("orders");
  c.add(3);
  auto& h = f.log->metrics().histogram("db.query");
  for (int i = 1; i <= 100; ++i) h.record(i);
  { ScopedTimer t(f.log->metrics().histogram("scoped")); }
  f.log->shutdown();
  auto lines = testing::read_lines(f.path);
  std::string all;
  for (auto& l : lines) all += l + "\n";
  EXPECT_TRUE(contains(all, "\"metric\":\"orders\",\"metric_type\":\"counter\",\"value\":3"))
      << all;
  EXPECT_TRUE(contains(all, "\"metric\":\"db.query\"")) << all;
  EXPECT_TRUE(contains(all, "\"count\":100,\"min\":1,\"max\":100,\"avg\":50.5")) << all;
  EXPECT_TRUE(contains(all, "\"msg\":\"session summary\"")) << all;
  auto snap = h.snapshot();
  EXPECT_NEAR(snap.p50, 50, 2.5);
  EXPECT_NEAR(snap.p95, 95, 4);
  EXPECT_NEAR(snap.p99, 99, 4);
}

TEST(Logger, DropsAreCountedExactlyAndReported) {
  Config c;
  c.ring_bytes = 4096;  // ~40 events of this size
  uint64_t callback_total = 0;
  c.on_drop = [&](std::string_view reason, uint64_t n) {
    if (reason == "queue_full") callback_total += n;
  };
  FileLogger f(c);
  const int kN = 20000;
  for (int i = 0; i < kN; ++i)
    f.log->info("burst", {{"i", i}, {"pad", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}});
  auto lines = f.lines();
  DropStats d = f.log->drops();
  uint64_t burst = 0, reported = 0;
  for (const auto& l : lines) {
    if (contains(l, "\"msg\":\"burst\"")) ++burst;
    size_t p = l.find("\"dropped\":");
    if (p != std::string::npos && contains(l, "queue_full"))
      reported += std::stoull(l.substr(p + 10));
  }
  EXPECT_GT(d.queue_full, 0u);
  EXPECT_EQ(burst + d.queue_full, static_cast<uint64_t>(kN));
  EXPECT_EQ(reported, d.queue_full);
  f.log->shutdown();
  EXPECT_EQ(callback_total, d.queue_full);
}

TEST(Logger, ManyThreadsExactAccounting) {
  Config c;
  c.ring_bytes = 16384;
  c.max_threads = 6;  // 8 threads: two of them hit the thread limit until rings free up
  FileLogger f(c);
  constexpr int kThreads = 8, kPer = 5000;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      ContextScope s({{"request_id", "t" + std::to_string(t)}});
      for (int i = 0; i < kPer; ++i) f.log->info("m", {{"t", t}, {"i", i}});
    });
  for (auto& t : ts) t.join();
  auto lines = f.lines();
  uint64_t got = 0;
  for (const auto& l : lines)
    if (contains(l, "\"msg\":\"m\"")) ++got;
  DropStats d = f.log->drops();
  EXPECT_EQ(got + d.queue_full + d.thread_limit, static_cast<uint64_t>(kThreads * kPer));
}

// A thread_local whose destructor logs runs after the thread gave its ring back (the ring's
// owner is destroyed first when it was created later): that call borrows a free ring for the
// one record, and the ring stays free for the next thread.
struct LogsAtThreadExit {
  Logger* log = nullptr;
  ~LogsAtThreadExit() {
    if (log) log->info("from thread exit", {{"n", 1}});
  }
};

TEST(Logger, CallDuringThreadExitIsDeliveredAndFreesTheRing) {
  Config c;
  c.max_threads = 1;  // one ring: the next thread gets it only if the exiting one let it go
  FileLogger f(c);
  std::thread t([&] {
    static thread_local LogsAtThreadExit late;  // constructed before the thread's first call
    late.log = f.log.get();
    f.log->info("first");
  });
  t.join();
  std::thread u([&] { f.log->info("second thread"); });
  u.join();
  auto lines = f.lines();
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_TRUE(contains(all, "\"msg\":\"first\"")) << all;
  EXPECT_TRUE(contains(all, "\"msg\":\"from thread exit\"")) << all;
  EXPECT_TRUE(contains(all, "\"msg\":\"second thread\"")) << all;
  EXPECT_EQ(f.log->drops().total(), 0u);
}

TEST(Logger, LoggingAfterShutdownIsCountedNotCrashing) {
  FileLogger f;
  f.log->shutdown();
  f.log->info("late");
  EXPECT_EQ(f.log->drops().stopped, 1u);
  EXPECT_FALSE(f.log->flush().ok());
}

TEST(Logger, RejectsBadConfig) {
  Config c;
  c.ring_bytes = 10;
  EXPECT_FALSE(Logger::create(c).ok());
  Config d;
  d.file_path = "/nonexistent-dir/x/y.log";
  EXPECT_FALSE(Logger::create(d).ok());
}

}  // namespace
}  // namespace vigia::sdk
