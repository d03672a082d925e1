// The audit module as `vigia serve` wires it, on a fake clock: checkpoints by the scheduler,
// and audit.retention_days dropping whole checkpointed segments while the kept chain still
// verifies from its anchor (GET /v1/audit/verify) and the logs' store is untouched; the
// chainer's lag and progress in GET /v1/stats ("audit_chain") and /metrics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/fake_clock_env.h"
#include "common/time_format.h"
#include "server/response_stream_testing.h"
#include "server/server.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;

class AuditModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_audit_module_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    config_.store.store.data_dir = (dir_ / "data").string();
    config_.http.port = 0;
    config_.http.threads = 1;
    config_.ingest.ua_regexes = "off";
    config_.audit.checkpoint_interval_sec = 60;
    config_.audit.retention_days = 1;
    clock_ = std::make_unique<testing::FakeClockEnv>(Env::Default(),
                                                     *ParseRfc3339("2026-11-20T12:00:00Z"), kSec);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start() {
    Result<std::unique_ptr<Server>> s = Server::Start(config_, clock_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "") {
    HttpRequest req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    std::vector<std::pair<std::string_view, std::string_view>> headers = {
        {"Content-Type", "application/x-ndjson"}};
    req.headers = headers;
    req.body = std::move(body);
    req.receive_ts_ns = clock_->NowNanos();
    HttpResponse resp;
    server_->router().Dispatch(req, &resp);
    testing::DrainStream(&resp);
    return resp;
  }
  void Audit(int from, int to) {
    std::string body;
    for (int i = from; i <= to; ++i) {
      body += R"({"kind":"audit","action":"questao.criada","entity":"questao","entity_id":"Q-)" +
              std::to_string(i) + R"(","user_id":"u-1"})" + "\n";
    }
    ASSERT_EQ(Call("POST", "/v1/events", body).status, 200);
  }
  void Advance(int64_t ns) {
    clock_->Advance(ns);
    server_->scheduler().Settle();
  }

  std::filesystem::path dir_;
  ServerConfig config_;
  std::unique_ptr<testing::FakeClockEnv> clock_;  // outlives server_
  std::unique_ptr<Server> server_;
};

TEST_F(AuditModuleTest, RetentionDropsWholeCheckpointedSegments) {
  Start();
  Audit(1, 10);
  Advance(61 * kSec);  // checkpoint at 10
  Audit(11, 15);
  Advance(61 * kSec);  // checkpoint at 15
  Audit(16, 18);
  // Nothing is a day old yet: the retention task (hourly) keeps everything.
  Advance(3601 * kSec);
  HttpResponse v = Call("GET", "/v1/audit/verify");
  EXPECT_NE(v.body.find(R"("records":18,)"), std::string::npos) << v.body;
  EXPECT_NE(v.body.find(R"("pruned_seq":0,)"), std::string::npos) << v.body;

  Audit(19, 20);
  Advance(2 * 86400 * kSec);
  // Checkpoints at 10, 15 and 18 are older than a day; 20 (the head) is not, and the head
  // stays anyway: records 1..18 go, in whole segments.
  v = Call("GET", "/v1/audit/verify");
  ASSERT_EQ(v.status, 200);
  EXPECT_NE(v.body.find(R"("ok":true)"), std::string::npos) << v.body;
  EXPECT_NE(v.body.find(R"("records":2,)"), std::string::npos) << v.body;
  EXPECT_NE(v.body.find(R"("pruned_seq":18,)"), std::string::npos) << v.body;
  EXPECT_NE(Call("GET", "/metrics").body.find("vigia_audit_pruned_records_total 18"),
            std::string::npos);
  HttpResponse log = Call("GET", "/v1/audit?format=json");
  EXPECT_NE(log.body.find(R"("records":[{"seq":19,)"), std::string::npos) << log.body;
  // The logs' store keeps its own retention (off here): every event is still queryable.
  HttpResponse q = Call("GET", "/v1/query?q=kind:audit%20%7C%20stats%20count()%20as%20n");
  EXPECT_NE(q.body.find("20"), std::string::npos) << q.body;
  // The chain goes on after the prune.
  Audit(21, 21);
  Advance(61 * kSec);
  v = Call("GET", "/v1/audit/verify");
  EXPECT_NE(v.body.find(R"("ok":true)"), std::string::npos) << v.body;
  EXPECT_NE(v.body.find(R"("last_seq":21,)"), std::string::npos) << v.body;
}

TEST_F(AuditModuleTest, TheChainsLagAndProgressAreInStatsAndMetrics) {
  Start();
  Audit(1, 5);
  Audit(6, 7);
  // A read of the chain waits for the chainer: everything written is chained after it.
  ASSERT_NE(Call("GET", "/v1/audit/verify").body.find(R"("records":7,)"), std::string::npos);
  HttpResponse stats = Call("GET", "/v1/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_NE(stats.body.find(R"("audit_chain":{"pending_batches":0,"pending_events":0,)"
                            R"("pending_bytes":0,"behind_seconds":0,)"),
            std::string::npos)
      << stats.body;
  EXPECT_NE(stats.body.find(R"("chained_events":7,"caught_up_records":0,"skipped_events":0,)"
                            R"("failures":0,"error":"","last_error":""})"),
            std::string::npos)
      << stats.body;
  std::string metrics = Call("GET", "/metrics").body;
  for (const char* line :
       {"vigia_audit_chain_events_total 7\n", "vigia_audit_chain_failures_total 0\n",
        "vigia_audit_chain_error 0\n", "vigia_audit_chain_lag_seconds 0\n",
        "vigia_audit_chain_lag_batches 0\n", "vigia_audit_chain_lag_bytes 0\n"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << metrics;
  }
}

}  // namespace
}  // namespace vigia
