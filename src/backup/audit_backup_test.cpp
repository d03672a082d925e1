// A backup of a running server's data directory while its audit chainer is ahead of the
// backup's WAL (the ledger and chained.pos are copied after the store's checkpoint, and the
// chainer went on meanwhile — with the position written, or not yet) or behind it (the ledger
// cannot be written: the WAL holds audit events not chained yet), restored with
// RestoreBackup (what `vigia backup restore` runs) and opened like `vigia serve` does (the
// store holding its WAL, then the chainer catching up): the restored chain verifies (what
// `vigia audit verify --data` checks) and holds every audit event the backup holds exactly
// once, in WAL order per tenant, and goes on chaining new events after the restore — also
// when the chainer catches up and writes its position while audit/ is being copied.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "audit/audit_chain_testing.h"
#include "audit/audit_chainer.h"
#include "audit/audit_event.h"
#include "audit/audit_log.h"
#include "audit/ledger_verifier.h"
#include "backup/backup_create.h"
#include "backup/backup_key.h"
#include "backup/backup_restore.h"
#include "common/env_wrapper.h"
#include "common/fault_env.h"
#include "event/event_fields.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

// The default Env, running `hook` once, at the first ListDir or GetFileSize that `when`
// picks (CreateBackup lists the data directory after the store's checkpoint, then takes each
// other file's size just before copying it).
class HookEnv final : public EnvWrapper {
 public:
  using When = std::function<bool(std::string_view op, const std::string& path)>;
  HookEnv(When when, std::function<void()> hook)
      : EnvWrapper(Env::Default()), when_(std::move(when)), hook_(std::move(hook)) {}

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    Maybe("list", dir);
    return EnvWrapper::ListDir(dir);
  }
  Result<uint64_t> GetFileSize(const std::string& p) override {
    Maybe("size", p);
    return EnvWrapper::GetFileSize(p);
  }

 private:
  void Maybe(std::string_view op, const std::string& path) {
    if (!hook_ || !when_(op, path)) return;
    auto h = std::move(hook_);
    hook_ = nullptr;
    h();
  }

  const When when_;
  std::function<void()> hook_;  // only the backup's thread calls
};

class AuditBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vigia_audit_backup_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    data_ = (root_ / "data").string();
    restored_ = (root_ / "restored").string();
    key_file_ = (root_ / "backup.key").string();
    std::ofstream(key_file_) << BackupKey::GenerateKeyFileContents();
  }
  void TearDown() override {
    StopAll();
    fs::remove_all(root_);
  }

  // Opens the store and the chainer on `dir` as the server does. position_each_group: the
  // position is written after every drained group (wal.fsync = always), else only at Start
  // and Stop.
  void OpenAll(const std::string& dir, bool position_each_group, Env* ledger_env = nullptr) {
    StoreOptions so;
    so.data_dir = dir;
    so.hold_wal_for_observer = true;
    so.background_merges = false;
    so.memtable_flush_bytes = 1 << 30;  // flushes only when the test says
    so.wal_segment_bytes = 1;           // a segment per record
    auto s = Store::Open(so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    audit::AuditLedgerOptions lo;
    lo.dir = dir + "/audit";
    lo.env = ledger_env;
    auto l = audit::AuditLedger::Open(lo);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);
    audit::AuditChainerOptions co;
    co.store = store_.get();
    co.ledger = ledger_.get();
    co.sync_each_group = position_each_group;
    co.sync_interval_ms = 3'600'000;
    auto c = audit::AuditChainer::Start(co);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    chainer_ = std::move(*c);
  }
  void StopAll() {
    if (chainer_) {
      EXPECT_TRUE(chainer_->Stop().ok());
    }
    chainer_.reset();
    ledger_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
  }

  // n audit events alternating between tenants "acme" and "beta" (ids <prefix><t><i>), with a
  // log line between them.
  void AppendAudit(const std::string& prefix, int n) {
    auto b = std::make_shared<EventBatch>();
    for (int i = 0; i < n; ++i) {
      for (const char* t : {"acme", "beta"}) {
        b->BeginEvent(1'796'000'000'000'000'000 + i);
        b->AddField(fields::kKind, Value::String("audit"));
        b->AddField(fields::kLevel, Value::String("info"));
        b->AddField(fields::kTenant, Value::String(b->arena().Copy(t)));
        b->AddField(fields::kAction, Value::String("backup.restaurado"));
        std::string id = prefix + t[0] + std::to_string(i);
        b->AddField(fields::kEntityId, Value::String(b->arena().Copy(id)));
      }
      b->BeginEvent(1'796'000'000'000'000'000 + i);
      b->AddField(fields::kKind, Value::String("log"));
      b->AddField(fields::kLevel, Value::String("info"));
      b->AddField(fields::kMsg, Value::String("request completed"));
    }
    ASSERT_TRUE(store_->Append(b).ok());
  }
  void WaitDurable() {
    ASSERT_TRUE(chainer_->WaitChained(60'000));
    for (int i = 0; i < 6000; ++i) {
      audit::AuditChainLag l = chainer_->lag();
      if (l.durable_seq >= l.written_seq) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the chained position was not written";
  }

  // Backs data_ up (the hook runs when `when` says; by default after the store's
  // checkpoint, before the other files are copied) and restores it into restored_.
  BackupManifest Backup(const std::function<void()>& hook, HookEnv::When when = nullptr) {
    if (!when) {
      when = [this](std::string_view op, const std::string& path) {
        return op == "list" && path == data_;
      };
    }
    auto target = OpenBackupTarget((root_ / "target").string());
    EXPECT_TRUE(target.ok());
    auto repo = BackupRepository::Open(std::move(*target), BackupKeySource{key_file_, ""}, true);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    HookEnv env(when, hook);
    auto m = CreateBackup(repo->get(), BackupSource{data_, store_.get()}, &env);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    Status st = RestoreBackup(repo->get(), *m, restored_);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return *m;
  }

  static std::vector<std::string> ChainIds(const std::string& dir, const std::string& tenant) {
    auto ids = testing::ChainEntityIds(dir + "/audit", tenant);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? std::move(*ids) : std::vector<std::string>{};
  }
  static void ExpectVerifies(const std::string& dir) {
    size_t chains = 0;
    Status st = testing::VerifyAllChains(dir + "/audit", &chains);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(chains, 2u);
  }

  fs::path root_;
  std::string data_, restored_, key_file_;
  FaultEnv fault_{Env::Default()};  // outlives the ledger
  std::unique_ptr<Store> store_;
  std::unique_ptr<audit::AuditLedger> ledger_;
  std::unique_ptr<audit::AuditChainer> chainer_;
};

// The chainer goes on between the store's checkpoint and the copy of audit/: the copied
// ledger holds events the copied WAL does not, and chained.pos names WAL records past its
// end (position written after each group) or an older one (written at start only) — both
// restore to a chain that verifies, chains nothing twice and goes on.

TEST_F(AuditBackupTest, LedgerAheadOfTheBackupsWalWithItsPositionWritten) {
  OpenAll(data_, /*position_each_group=*/true);
  AppendAudit("a", 3);
  AppendAudit("b", 2);
  WaitDurable();
  Backup([&] {
    AppendAudit("c", 2);  // after the checkpoint: in the ledger and chained.pos, not the WAL
    WaitDurable();
  });
  StopAll();
  // The original holds all three batches.
  EXPECT_EQ(ChainIds(data_, "acme"),
            (std::vector<std::string>{"aa0", "aa1", "aa2", "ba0", "ba1", "ca0", "ca1"}));

  OpenAll(restored_, true);
  // a, b and c are chained once; the WAL ends after b.
  std::vector<std::string> acme = {"aa0", "aa1", "aa2", "ba0", "ba1", "ca0", "ca1"};
  std::vector<std::string> beta = {"ab0", "ab1", "ab2", "bb0", "bb1", "cb0", "cb1"};
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  EXPECT_EQ(ChainIds(restored_, "beta"), beta);
  EXPECT_EQ(chainer_->lag().caught_up_records, 0u);
  ExpectVerifies(restored_);
  // New events after the restore are chained after them, once.
  AppendAudit("d", 1);
  WaitDurable();
  StopAll();
  acme.push_back("da0");
  beta.push_back("db0");
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  EXPECT_EQ(ChainIds(restored_, "beta"), beta);
  ExpectVerifies(restored_);
  // And again after a restart (the position written after the restore is consistent).
  OpenAll(restored_, true);
  EXPECT_EQ(chainer_->lag().skipped_events, 0u);
  StopAll();
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  ExpectVerifies(restored_);
}

TEST_F(AuditBackupTest, LedgerAheadOfTheBackupsWalWithAnOlderPosition) {
  OpenAll(data_, /*position_each_group=*/false);  // chained.pos written at Start and Stop only
  AppendAudit("a", 3);
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  Backup([&] {
    AppendAudit("c", 2);
    ASSERT_TRUE(chainer_->WaitChained(60'000));
  });
  StopAll();

  OpenAll(restored_, false);
  // chained.pos is the one of the first Start (nothing chained): the catch-up reads "a" back
  // from the WAL and finds it chained already (and "c" beyond the WAL's end).
  EXPECT_EQ(chainer_->lag().caught_up_records, 1u);
  EXPECT_EQ(chainer_->lag().skipped_events, 6u);
  std::vector<std::string> acme = {"aa0", "aa1", "aa2", "ca0", "ca1"};
  std::vector<std::string> beta = {"ab0", "ab1", "ab2", "cb0", "cb1"};
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  EXPECT_EQ(ChainIds(restored_, "beta"), beta);
  ExpectVerifies(restored_);
  AppendAudit("d", 1);
  ASSERT_TRUE(chainer_->WaitChained(60'000));
  StopAll();
  acme.push_back("da0");
  beta.push_back("db0");
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  EXPECT_EQ(ChainIds(restored_, "beta"), beta);
  ExpectVerifies(restored_);
  OpenAll(restored_, false);
  EXPECT_EQ(chainer_->lag().skipped_events, 0u);
  StopAll();
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
}

TEST_F(AuditBackupTest, ChainBehindTheBackupsWalIsCaughtUpAfterTheRestore) {
  OpenAll(data_, /*position_each_group=*/true, &fault_);
  AppendAudit("a", 2);
  WaitDurable();
  fault_.SetReadOnly(true);  // the ledger cannot be written: the chain falls behind
  AppendAudit("b", 3);
  AppendAudit("c", 1);
  // Flushed: the WAL records not chained are in parts too, and the store keeps them.
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_GE(chainer_->lag().batches, 2u);
  Backup(nullptr);
  fault_.SetReadOnly(false);
  WaitDurable();
  StopAll();

  OpenAll(restored_, true);
  EXPECT_EQ(chainer_->lag().caught_up_records, 2u);
  std::vector<std::string> acme = {"aa0", "aa1", "ba0", "ba1", "ba2", "ca0"};
  std::vector<std::string> beta = {"ab0", "ab1", "bb0", "bb1", "bb2", "cb0"};
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  EXPECT_EQ(ChainIds(restored_, "beta"), beta);
  ExpectVerifies(restored_);
  AppendAudit("d", 1);
  WaitDurable();
  StopAll();
  acme.push_back("da0");
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  ExpectVerifies(restored_);
  // The original caught up by itself once its ledger could be written.
  EXPECT_EQ(ChainIds(data_, "acme"),
            (std::vector<std::string>{"aa0", "aa1", "ba0", "ba1", "ba2", "ca0"}));
  ExpectVerifies(data_);
}

TEST_F(AuditBackupTest, AChainCatchingUpWhileTheAuditDirectoryIsCopiedLosesNothing) {
  OpenAll(data_, /*position_each_group=*/true, &fault_);
  AppendAudit("a", 2);
  WaitDurable();
  fault_.SetReadOnly(true);
  AppendAudit("b", 2);
  for (int i = 0; i < 6000 && chainer_->health().ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(chainer_->health().ok());
  // Behind at the store's checkpoint (b is in the backup's WAL, not in the ledger); it
  // catches up and writes its position between the copies of two files of audit/. The
  // backup copies chained.pos before the ledgers (names in order): the copied position is
  // the older one, and the catch-up after the restore passes over what the newer ledgers
  // hold. (Copied the other way round, the position would name b as chained while the
  // copied ledgers lack it, and b would be lost.)
  int audit_files = 0;
  Backup(
      [&] {
        fault_.SetReadOnly(false);
        WaitDurable();
      },
      [&](std::string_view op, const std::string& path) {
        return op == "size" && path.starts_with(data_ + "/audit/") && ++audit_files == 2;
      });
  StopAll();

  OpenAll(restored_, true);
  std::vector<std::string> acme = {"aa0", "aa1", "ba0", "ba1"};
  std::vector<std::string> beta = {"ab0", "ab1", "bb0", "bb1"};
  EXPECT_EQ(ChainIds(restored_, "acme"), acme);
  EXPECT_EQ(ChainIds(restored_, "beta"), beta);
  ExpectVerifies(restored_);
  StopAll();
}

}  // namespace
}  // namespace vigia
