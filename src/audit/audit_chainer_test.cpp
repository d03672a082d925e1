// AuditChainer with a real Store and a real ledger: each tenant's chain holds its audit
// events in WAL order, exactly once, while many threads append and the chainer attaches in
// the middle; after a restart the WAL's unchained records are caught up; a crash between the
// chaining and the durable position (an older chained.pos), or one that lost the ledger's
// tail, chains nothing twice and loses nothing; flushes keep the WAL the chainer needs; a
// batch of two tenants whose second tenant's ledger write fails (FaultEnv) is retried without
// chaining the first tenant's events again, also across a stop while the retry waits; lag()
// says how far behind (batches, seconds on the Env's clock) and why (the error) while the
// ledger cannot be written (a read-only disk), and all is caught up once it can; an erase has
// the records it needs deleted released at once.
#include "audit/audit_chainer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>
#include <vector>

#include "audit/audit_chain_testing.h"
#include "audit/audit_event.h"
#include "audit/audit_file_names.h"
#include "audit/audit_log.h"
#include "audit/ledger_verifier.h"
#include "common/fake_clock_env.h"
#include "common/fault_env.h"
#include "event/event_fields.h"

namespace vigia::audit {
namespace {

class ChainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigia-chainer-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    chainer_.reset();
    ledger_.reset();
    store_.reset();
    std::filesystem::remove_all(root_);
  }

  void OpenStore() {
    StoreOptions so;
    so.data_dir = root_;
    so.hold_wal_for_observer = true;
    so.background_merges = false;
    so.wal_segment_bytes = 1;   // a segment per record: a flush could delete any of them
    so.flush_on_close = false;  // Close keeps the WAL, like a crash (tests rewind chained.pos)
    Result<std::unique_ptr<Store>> s = Store::Open(so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  // ledger_env: the ledger's files go through it (nullptr = the default Env).
  // chainer_env: the chainer's (its clock times the lag).
  void StartChainer(Env* ledger_env = nullptr, Env* chainer_env = nullptr) {
    AuditLedgerOptions lo;
    lo.dir = root_ + "/audit";
    lo.env = ledger_env;
    Result<std::unique_ptr<AuditLedger>> l = AuditLedger::Open(lo);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);
    AuditChainerOptions co;
    co.store = store_.get();
    co.ledger = ledger_.get();
    co.env = chainer_env;
    co.sync_interval_ms = 3'600'000;  // the position is written at Start and Stop only
    Result<std::unique_ptr<AuditChainer>> c = AuditChainer::Start(co);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    chainer_ = std::move(*c);
  }
  void StopAll() {
    if (chainer_) {
      ASSERT_TRUE(chainer_->Stop().ok());
    }
    chainer_.reset();
    ledger_.reset();
    if (store_) {
      ASSERT_TRUE(store_->Close().ok());
    }
    store_.reset();
  }

  // A batch of audit events for `tenant` (ids id_prefix0..n-1) and as many request logs.
  static std::shared_ptr<EventBatch> Batch(const std::string& tenant, const std::string& id_prefix,
                                           int n) {
    auto b = std::make_shared<EventBatch>();
    for (int i = 0; i < n; ++i) {
      b->BeginEvent(1'796'000'000'000'000'000 + i);
      b->AddField(fields::kKind, Value::String("audit"));
      b->AddField(fields::kLevel, Value::String("info"));
      if (!tenant.empty()) b->AddField(fields::kTenant, Value::String(b->arena().Copy(tenant)));
      b->AddField(fields::kAction, Value::String("sale.refunded"));
      b->AddField(fields::kEntityId, Value::String(b->arena().Copy(id_prefix + std::to_string(i))));
      b->BeginEvent(1'796'000'000'000'000'000 + i);
      b->AddField(fields::kKind, Value::String("log"));
      b->AddField(fields::kLevel, Value::String("info"));
      b->AddField(fields::kMsg, Value::String("request completed"));
    }
    return b;
  }

  // n audit events alternating between tenants "acme" (ids <prefix>a<i>) and "beta"
  // (<prefix>b<i>), "acme" first: the ledger writes acme's records, then beta's.
  static std::shared_ptr<EventBatch> TwoTenantBatch(const std::string& prefix, int n) {
    auto b = std::make_shared<EventBatch>();
    for (int i = 0; i < n; ++i) {
      for (const char* t : {"acme", "beta"}) {
        b->BeginEvent(1'796'000'000'000'000'000 + i);
        b->AddField(fields::kKind, Value::String("audit"));
        b->AddField(fields::kLevel, Value::String("info"));
        b->AddField(fields::kTenant, Value::String(b->arena().Copy(t)));
        b->AddField(fields::kAction, Value::String("sale.refunded"));
        std::string id = prefix + (t[0] == 'a' ? "a" : "b") + std::to_string(i);
        b->AddField(fields::kEntityId, Value::String(b->arena().Copy(id)));
      }
    }
    return b;
  }
  // Polls until the chainer reports a failed ledger write (it then waits 1 s to retry).
  void WaitForChainError() {
    for (int i = 0; i < 6000 && chainer_->health().ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_FALSE(chainer_->health().ok());
  }

  // The entity ids of a tenant's chain, in chain order.
  std::vector<std::string> ChainIds(const std::string& tenant) {
    Result<std::vector<std::string>> ids = testing::ChainEntityIds(root_ + "/audit", tenant);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? std::move(*ids) : std::vector<std::string>{};
  }
  // The audit entity ids of a tenant in the WAL's order (the store holds the whole WAL).
  std::vector<std::string> WalIds(const std::string& tenant) {
    std::vector<std::string> ids;
    Status st = store_->ReadWal(0, UINT64_MAX, [&](uint64_t, std::shared_ptr<const EventBatch> b) {
      for (const auto& e : b->events()) {
        if (!IsAuditEvent(*b, e)) continue;
        if (StringField(*b, e, fields::kTenant) != tenant) continue;
        ids.emplace_back(StringField(*b, e, fields::kEntityId));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return ids;
  }
  void ExpectVerifies() {
    Status st = testing::VerifyAllChains(root_ + "/audit");
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  std::string root_;
  FaultEnv fault_{Env::Default()};  // outlives the ledger (declared first)
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLedger> ledger_;
  std::unique_ptr<AuditChainer> chainer_;
};

TEST_F(ChainerTest, ChainsEachTenantInWalOrderWhileThreadsAppendAndItAttachesMidway) {
  OpenStore();
  StartChainer();  // writes the first position (nothing written yet)
  ASSERT_TRUE(chainer_->Stop().ok());
  chainer_.reset();
  ledger_.reset();

  constexpr int kThreads = 4, kBatches = 60;
  std::atomic<int> appended{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::string tenant = (t + b) % 2 ? "acme" : "";
        auto batch = Batch(tenant, "t" + std::to_string(t) + "b" + std::to_string(b) + "e", 5);
        ASSERT_TRUE(store_->Append(batch).ok());
        appended.fetch_add(1);
      }
    });
  }
  // Attached while the appends go on: what came before is caught up from the WAL, the rest
  // is handed over, nothing twice.
  while (appended.load() < kThreads * kBatches / 4) std::this_thread::yield();
  StartChainer();
  for (auto& th : threads) th.join();
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  AuditChainLag lag = chainer_->lag();
  EXPECT_EQ(lag.batches, 0u);
  EXPECT_EQ(lag.chained_seq, lag.written_seq);
  EXPECT_GT(lag.caught_up_records, 0u);

  for (std::string tenant : {"", "acme"}) {
    std::vector<std::string> chain = ChainIds(tenant);
    EXPECT_EQ(chain.size(), size_t{kThreads * kBatches / 2 * 5}) << "tenant " << tenant;
    EXPECT_EQ(chain, WalIds(tenant)) << "tenant " << tenant;
  }
  ExpectVerifies();
}

TEST_F(ChainerTest, CatchesUpFromTheWalAfterARestartEvenPastAFlush) {
  OpenStore();
  StartChainer();
  ASSERT_TRUE(store_->Append(Batch("acme", "a", 10)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  // Down: the chainer stops (position written), the store goes on taking batches.
  ASSERT_TRUE(chainer_->Stop().ok());
  chainer_.reset();
  ASSERT_TRUE(store_->Append(Batch("acme", "b", 10)).ok());
  ASSERT_TRUE(store_->Append(Batch("", "c", 10)).ok());
  // A flush puts them in parts; the WAL segments stay for the chainer.
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  ledger_.reset();

  OpenStore();
  StartChainer();
  EXPECT_EQ(chainer_->lag().caught_up_records, 2u);
  EXPECT_EQ(chainer_->lag().skipped_events, 0u);
  std::vector<std::string> acme = ChainIds("acme");
  ASSERT_EQ(acme.size(), 20u);
  EXPECT_EQ(acme[0], "a0");
  EXPECT_EQ(acme[10], "b0");
  EXPECT_EQ(ChainIds("").size(), 10u);
  ExpectVerifies();
  StopAll();
}

TEST_F(ChainerTest, CrashBetweenChainingAndThePositionChainsNothingTwice) {
  const std::string pos = root_ + "/audit/" + std::string(kChainedPositionFile);
  OpenStore();
  StartChainer();
  ASSERT_TRUE(store_->Append(Batch("acme", "a", 4)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  ASSERT_TRUE(chainer_->Stop().ok());
  chainer_.reset();
  // The position as it was before the next batches were chained.
  std::filesystem::copy_file(pos, pos + ".old");
  StartChainer();
  ASSERT_TRUE(store_->Append(Batch("acme", "b", 4)).ok());
  ASSERT_TRUE(store_->Append(Batch("", "c", 3)).ok());
  ASSERT_TRUE(store_->Append(Batch("acme", "d", 4)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  StopAll();
  // The crash: every record chained and durable, the position not rewritten since "a".
  std::filesystem::rename(pos + ".old", pos);

  OpenStore();
  StartChainer();
  EXPECT_EQ(chainer_->lag().caught_up_records, 3u);
  EXPECT_EQ(chainer_->lag().skipped_events, 11u);
  EXPECT_EQ(ChainIds("acme"), WalIds("acme"));
  EXPECT_EQ(ChainIds("acme").size(), 12u);
  EXPECT_EQ(ChainIds(""), WalIds(""));
  ExpectVerifies();
  // And the chain goes on from there.
  ASSERT_TRUE(store_->Append(Batch("acme", "e", 2)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  EXPECT_EQ(ChainIds("acme"), WalIds("acme"));
  ExpectVerifies();
  StopAll();
}

TEST_F(ChainerTest, RecordsLostFromTheLedgersTailAreChainedAgainFromTheWal) {
  const std::string pos = root_ + "/audit/" + std::string(kChainedPositionFile);
  OpenStore();
  StartChainer();
  ASSERT_TRUE(chainer_->Stop().ok());
  chainer_.reset();
  std::filesystem::copy_file(pos, pos + ".old");
  StartChainer();
  // Two batches: two batch records (ledger_record.h v2), of 5 events and of 1.
  ASSERT_TRUE(store_->Append(Batch("acme", "a", 5)).ok());
  ASSERT_TRUE(store_->Append(Batch("acme", "b", 1)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  StopAll();
  // A crash before the position was written and before the ledger's last bytes reached the
  // disk: the last record (the second batch's) is torn (cut when the ledger opens).
  std::filesystem::rename(pos + ".old", pos);
  const std::string ledger =
      root_ + "/audit/" + TenantDirName("acme") + "/" + std::string(kLedgerFile);
  std::filesystem::resize_file(ledger, std::filesystem::file_size(ledger) - 10);

  OpenStore();
  StartChainer();
  EXPECT_EQ(chainer_->lag().skipped_events, 5u);
  EXPECT_EQ(ChainIds("acme"), WalIds("acme"));
  EXPECT_EQ(ChainIds("acme").size(), 6u);
  ExpectVerifies();
  StopAll();
}

TEST_F(ChainerTest, WithoutAPositionEverythingWrittenBeforeCountsAsChained) {
  // A data directory of a version that chained on the acknowledgement path.
  OpenStore();
  ASSERT_TRUE(store_->Append(Batch("acme", "old", 3)).ok());
  StartChainer();
  EXPECT_EQ(chainer_->lag().caught_up_records, 0u);
  ASSERT_TRUE(store_->Append(Batch("acme", "new", 3)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  EXPECT_EQ(ChainIds("acme"), (std::vector<std::string>{"new0", "new1", "new2"}));
  StopAll();
}

TEST_F(ChainerTest, ASecondTenantsFailedLedgerWriteIsRetriedWithoutChainingTheFirstAgain) {
  OpenStore();
  StartChainer(&fault_);
  // Both chains exist first, so the failing batch costs one append per tenant.
  ASSERT_TRUE(store_->Append(TwoTenantBatch("x", 2)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  const uint64_t writes_before = fault_.writes();
  fault_.FailWriteAt(2);  // acme's append goes through, beta's fails (torn, then cut)
  ASSERT_TRUE(store_->Append(TwoTenantBatch("y", 3)).ok());
  WaitForChainError();
  // The retry (1 s later) writes beta's records only.
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  EXPECT_TRUE(chainer_->health().ok()) << chainer_->health().ToString();
  EXPECT_EQ(fault_.writes() - writes_before, 3u);
  EXPECT_EQ(ChainIds("acme"), (std::vector<std::string>{"xa0", "xa1", "ya0", "ya1", "ya2"}));
  EXPECT_EQ(ChainIds("beta"), (std::vector<std::string>{"xb0", "xb1", "yb0", "yb1", "yb2"}));
  EXPECT_EQ(ChainIds("acme"), WalIds("acme"));
  EXPECT_EQ(ChainIds("beta"), WalIds("beta"));
  ExpectVerifies();
  // The chains go on.
  ASSERT_TRUE(store_->Append(TwoTenantBatch("z", 1)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  EXPECT_EQ(ChainIds("acme"), WalIds("acme"));
  EXPECT_EQ(ChainIds("beta"), WalIds("beta"));
  ExpectVerifies();
  StopAll();
}

TEST_F(ChainerTest, AStopWhileAFailedTenantWaitsForItsRetryChainsNothingTwiceAfterTheRestart) {
  OpenStore();
  StartChainer(&fault_);
  ASSERT_TRUE(store_->Append(TwoTenantBatch("x", 2)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  fault_.FailWriteAt(2);
  ASSERT_TRUE(store_->Append(TwoTenantBatch("y", 3)).ok());
  WaitForChainError();
  // The stop's last try fails too (when it comes before the 1 s retry, as it nearly always
  // does): the position it writes is before this batch, and acme's chain already holds the
  // batch's acme records.
  fault_.FailWriteAt(1);
  ASSERT_TRUE(chainer_->Stop().ok());
  chainer_.reset();
  ledger_.reset();
  fault_.FailWriteAt(0);

  StartChainer();  // the catch-up reads the batch back from the WAL
  EXPECT_EQ(ChainIds("acme"), (std::vector<std::string>{"xa0", "xa1", "ya0", "ya1", "ya2"}));
  EXPECT_EQ(ChainIds("beta"), (std::vector<std::string>{"xb0", "xb1", "yb0", "yb1", "yb2"}));
  EXPECT_EQ(ChainIds("acme"), WalIds("acme"));
  EXPECT_EQ(ChainIds("beta"), WalIds("beta"));
  ExpectVerifies();
  StopAll();
}

TEST_F(ChainerTest, LagSaysHowLongAndWhyTheChainIsBehindWhileTheLedgerCannotBeWritten) {
  constexpr int64_t kSec = 1'000'000'000;
  testing::FakeClockEnv clock(Env::Default(), kSec, kSec);
  OpenStore();
  StartChainer(&fault_, &clock);
  ASSERT_TRUE(store_->Append(Batch("acme", "a", 3)).ok());
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  AuditChainLag l = chainer_->lag();
  EXPECT_EQ(l.chained_events, 3u);
  EXPECT_EQ(l.behind_ns, 0);
  EXPECT_EQ(l.failures, 0u);
  EXPECT_EQ(l.error, "");
  EXPECT_EQ(l.last_error, "");

  fault_.SetReadOnly(true);  // every ledger write fails, and so does reopening the file
  ASSERT_TRUE(store_->Append(Batch("acme", "b", 2)).ok());
  WaitForChainError();
  clock.Advance(7 * kSec);
  l = chainer_->lag();
  EXPECT_EQ(l.batches, 1u);
  EXPECT_EQ(l.behind_ns, 7 * kSec);
  EXPECT_EQ(l.chained_events, 3u);
  EXPECT_GE(l.failures, 1u);
  EXPECT_NE(l.error.find("injected"), std::string::npos) << l.error;
  EXPECT_EQ(l.last_error, l.error);

  fault_.SetReadOnly(false);  // the next retry (each second) reopens the ledger and chains
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  l = chainer_->lag();
  EXPECT_EQ(l.batches, 0u);
  EXPECT_EQ(l.behind_ns, 0);
  EXPECT_EQ(l.chained_events, 5u);
  EXPECT_EQ(l.error, "");
  EXPECT_NE(l.last_error.find("injected"), std::string::npos) << l.last_error;
  EXPECT_EQ(ChainIds("acme"), WalIds("acme"));
  ExpectVerifies();
  StopAll();
}

TEST_F(ChainerTest, AnEraseHasTheWalReleasedAtOnceAndNoSegmentKeepsTheValue) {
  // The position is written at Start and Stop only (sync_interval_ms: an hour), so the
  // segments of the batches below are held until the erase asks for them (Release).
  OpenStore();
  StartChainer();
  ASSERT_TRUE(store_->Append(Batch("", "keep", 3)).ok());
  ASSERT_TRUE(store_->Append(Batch("", "gone-7731-", 3)).ok());
  EXPECT_LT(chainer_->ReleasedSeq(), chainer_->lag().written_seq);
  Result<EraseResult> r =
      store_->Erase({"", std::string(fields::kEntityId), std::string("gone-7731-1")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events, 1u);
  EXPECT_GE(chainer_->ReleasedSeq(), chainer_->lag().written_seq);
  // Nowhere in the store's files (the audit ledger is not erased: audit trails stay).
  for (const auto& e : std::filesystem::recursive_directory_iterator(root_)) {
    if (!e.is_regular_file() || e.path().string().find("/audit/") != std::string::npos) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("gone-7731-1"), std::string::npos) << e.path();
  }
  EXPECT_EQ(ChainIds("").size(), 6u);
  ExpectVerifies();
  StopAll();
}

}  // namespace
}  // namespace vigia::audit
