// IngestPipeline over a real store: decode → derive → store → live sink, and the admission
// window that keeps "accepted" honest (too old for the retention, too far in the future),
// on a clock the test moves.
#include "ingest/ingest_pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/fake_clock_env.h"
#include "event/event_test_util.h"
#include "store/store_snapshot.h"
#include "store/store_snapshot_testing.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 86'400'000'000'000;
constexpr int64_t kNow = 20'000 * kDay + 12 * 3'600'000'000'000;  // 2024-10-04 12:00 UTC

class RecordingSink : public BatchSink {
 public:
  void Publish(std::shared_ptr<const EventBatch> batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    batches_.push_back(std::move(batch));
  }
  size_t events() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const auto& b : batches_) n += b->size();
    return n;
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<const EventBatch>> batches_;
};

// Marks every event it sees, so the test can tell it ran before the store.
class TagRedactor : public BatchRedactor {
 public:
  void Redact(std::string_view tenant, EventBatch* batch) const override {
    tenants.emplace_back(tenant);
    for (const auto& e : batch->events()) {
      for (Field& f : batch->mutable_fields(e)) {
        if (f.name == "secret") f.value = Value::String("***");
      }
    }
  }
  mutable std::vector<std::string> tenants;
};

class IngestPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigia_pipeline_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    StoreOptions so;
    so.data_dir = dir_.string();
    so.env = &clock_;
    so.retention.days = 30;
    auto s = Store::Open(so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  IngestPipelineOptions Options() {
    IngestPipelineOptions o;
    o.store = store_.get();
    o.sink = &sink_;
    o.retention_days = 30;
    o.max_future_ns = kDay;
    o.env = &clock_;
    return o;
  }

  static std::string Line(int64_t ts_ns, std::string_view msg) {
    return R"({"ts":)" + std::to_string(ts_ns) + R"(,"msg":")" + std::string(msg) +
           R"(","duration_ms":20})" + "\n";
  }

  Result<DecodeResult> Ingest(IngestPipeline& p, const std::string& body,
                              TenantBinding tenant = TenantBinding::FromEvents()) {
    IngestRequest req;
    req.body = body;
    req.tenant = tenant;
    req.receive_ts_ns = clock_.NowNanos();
    return p.Ingest(*FindIngestProtocol("ndjson"), req);
  }

  fs::path dir_;
  testing::FakeClockEnv clock_{Env::Default(), kNow, testing::FakeClockEnv::kRealMonotonic};
  std::unique_ptr<Store> store_;
  RecordingSink sink_;
};

TEST_F(IngestPipelineTest, StoresPublishesAndDerives) {
  IngestPipeline p(Options());
  auto r = Ingest(p, Line(kNow, "a") + "not json\n" + Line(kNow - kDay, "b"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 2u);
  EXPECT_EQ(r->rejected, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 2u);
  EXPECT_EQ(store_->Stats().events, 2u);
  EXPECT_EQ(sink_.events(), 2u);
  EXPECT_EQ(p.stats().accepted, 2u);
  EXPECT_EQ(p.stats().rejected, 1u);
  size_t derived = 0;
  vigia::testing::ForEachBatch(GetSnapshot(*store_), [&](const EventBatch& b) {
    for (const auto& e : b.events()) derived += b.Find(e, "perf_class") != nullptr;
  });
  EXPECT_EQ(derived, 2u);
}

TEST_F(IngestPipelineTest, RefusesEventsRetentionWouldDropOrFromTheFuture) {
  IngestPipeline p(Options());
  // Day boundaries: with 30 days the oldest day kept is today - 29, from its first ns.
  const int64_t today = kNow / kDay * kDay;
  const int64_t oldest_kept = today - 29 * kDay;
  std::string body;
  for (int i = 0; i < 50; ++i) body += Line(kNow - 60 * kDay + i, "old");
  body += Line(oldest_kept, "first ns kept");
  body += Line(oldest_kept - 1, "last ns dropped");
  body += Line(kNow + kDay, "a day ahead");
  body += Line(kNow + kDay + 1'000'000'000, "too far ahead");
  body += R"({"msg":"no ts: now"})"
          "\n";
  auto r = Ingest(p, body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 3u);
  EXPECT_EQ(r->rejected, 52u);
  ASSERT_GE(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 1u);
  EXPECT_EQ(r->errors[0].error, "older than retention (30d)");
  EXPECT_EQ(store_->Stats().events, 3u);
  // Counted by reason, exactly, beyond the errors listed.
  EXPECT_EQ(r->rejected_by[static_cast<size_t>(RejectReason::kTooOld)], 51u);
  EXPECT_EQ(r->rejected_by[static_cast<size_t>(RejectReason::kTooNew)], 1u);

  // The window moves with the clock.
  clock_.Advance(2 * kDay);
  r = Ingest(p, Line(kNow + kDay + 1'000'000'000, "now fine") + Line(oldest_kept, "now old"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 2u);
  EXPECT_EQ(r->errors[0].error, "older than retention (30d)");
}

TEST_F(IngestPipelineTest, FutureReasonNamesTheLimit) {
  IngestPipelineOptions o = Options();
  o.max_future_ns = 2 * 3'600'000'000'000;
  IngestPipeline p(o);
  auto r = Ingest(p, Line(kNow + 3 * 3'600'000'000'000, "x"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].error, "more than 2h in the future");
  EXPECT_EQ(IngestPipeline::DurationText(90 * 60'000'000'000), "90m");
  EXPECT_EQ(IngestPipeline::DurationText(45'000'000'000), "45s");
}

TEST_F(IngestPipelineTest, NoRetentionNoLimits) {
  IngestPipelineOptions o = Options();
  o.retention_days = 0;
  o.max_future_ns = 0;
  IngestPipeline p(o);
  AdmissionWindow w = p.Admission();
  EXPECT_EQ(w.min_ts_ns, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(w.max_ts_ns, std::numeric_limits<int64_t>::max());
}

TEST_F(IngestPipelineTest, RedactorsRunBeforeTheStore) {
  TagRedactor redactor;
  IngestPipelineOptions o = Options();
  o.redactors.push_back(&redactor);
  IngestPipeline p(o);
  auto batch = std::make_shared<EventBatch>();
  batch->BeginEvent(kNow);
  batch->AddField("kind", S("log"));
  batch->AddField("level", S("info"));
  batch->AddField("secret", S("hunter2"));
  ASSERT_TRUE(p.Submit(TenantBinding::FromKey("acme"), batch).ok());
  ASSERT_EQ(redactor.tenants.size(), 1u);
  EXPECT_EQ(redactor.tenants[0], "acme");
  std::string seen;
  vigia::testing::ForEachBatch(GetSnapshot(*store_), [&](const EventBatch& b) {
    for (const auto& e : b.events()) seen = std::string(b.Find(e, "secret")->s);
  });
  EXPECT_EQ(seen, "***");
}

TEST_F(IngestPipelineTest, TenantComesFromTheKeyOrTheEventsAndMustBeChosen) {
  IngestPipeline p(Options());
  std::string forged = R"({"ts":)" + std::to_string(kNow) + R"(,"msg":"x","tenant":"other"})" +
                       "\n" + Line(kNow, "no tenant field");
  ASSERT_TRUE(Ingest(p, forged, TenantBinding::FromKey("acme")).ok());
  ASSERT_TRUE(Ingest(p, forged, TenantBinding::FromEvents()).ok());
  // A request that does not say how its tenant is chosen stores nothing.
  auto unset = Ingest(p, forged, TenantBinding{});
  EXPECT_EQ(unset.status().code(), StatusCode::kInternal);
  std::multiset<std::string> tenants;
  vigia::testing::ForEachBatch(GetSnapshot(*store_), [&](const EventBatch& b) {
    for (const auto& e : b.events()) {
      size_t n = 0;
      for (const Field& f : b.fields(e)) n += f.name == "tenant";
      EXPECT_LE(n, 1u);
      const Value* t = b.Find(e, "tenant");
      tenants.insert(t ? std::string(t->s) : "-");
    }
  });
  EXPECT_EQ(tenants, (std::multiset<std::string>{"acme", "acme", "other", "-"}));
}

TEST_F(IngestPipelineTest, StoreFailureIsReportedAndNothingPublished) {
  IngestPipeline p(Options());
  ASSERT_TRUE(store_->Close().ok());
  auto r = Ingest(p, Line(kNow, "a"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(sink_.events(), 0u);
  EXPECT_EQ(p.stats().accepted, 0u);
}

// Every per-record message the decoders write maps to its reason (ingest_decoder.h).
TEST(RejectReasonTest, ClassifiesTheMessagesDecodersWrite) {
  auto r = [](std::string_view m) { return RejectReasonName(ClassifyRejection(m)); };
  EXPECT_EQ(r("older than retention (30d)"), "too_old");
  EXPECT_EQ(r("more than 2h in the future"), "too_new");
  EXPECT_EQ(r("more than 1000 fields"), "too_large");
  EXPECT_EQ(r("nesting deeper than 32"), "too_large");
  EXPECT_EQ(r("field name longer than 256 bytes"), "too_large");
  EXPECT_EQ(r("line longer than 1048576 bytes"), "too_large");
  EXPECT_EQ(r("streams[0].values[2]: older than retention (1d)"), "too_old");
  EXPECT_EQ(r("line 3: vigia is append-only: delete is not supported"), "unsupported");
  EXPECT_EQ(r("invalid JSON: unclosed string"), "invalid");
  EXPECT_EQ(r("unparseable ts: \"yesterday\""), "invalid");
  EXPECT_EQ(r("not a JSON object"), "invalid");
}

}  // namespace
}  // namespace vigia
