// Backups end to end over a real Store: consistent backup while appending, restore with
// identical answers, incremental backups that upload only new parts, tampering and wrong
// keys detected, atomic restore, files of other subsystems included, prune keeping every
// blob a kept backup names.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "backup/backup_create.h"
#include "backup/backup_prune.h"
#include "backup/backup_restore.h"
#include "backup/backup_store_reader.h"
#include "backup/backup_verify.h"
#include "backup/blob_codec.h"
#include "store/format/file_names.h"
#include "store/format/part_meta.h"
#include "store/store.h"
#include "store/wal/wal_format.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 86'400'000'000'000;
constexpr int64_t kT0 = 20'000 * kDay;  // 2024-10-04

std::shared_ptr<EventBatch> MakeBatch(int64_t ts, int n, const std::string& tenant) {
  auto b = std::make_shared<EventBatch>();
  for (int i = 0; i < n; ++i) {
    b->BeginEvent(ts + i);
    b->AddField("kind", Value::String(i % 5 == 0 ? "request" : "log"));
    b->AddField("msg", Value::String(b->arena().Copy("event number " + std::to_string(ts + i))));
    b->AddField("service", Value::String("sales-api"));
    if (!tenant.empty()) b->AddField("tenant", Value::String(b->arena().Copy(tenant)));
  }
  return b;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vigia_backup_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    data_ = (root_ / "data").string();
    key_file_ = (root_ / "backup.key").string();
    std::ofstream(key_file_) << BackupKey::GenerateKeyFileContents();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Store> OpenStore(uint64_t flush_bytes = 1 << 20) {
    StoreOptions o;
    o.data_dir = data_;
    o.memtable_flush_bytes = flush_bytes;
    o.memtable_flush_age_ms = 60'000;
    o.background_merges = false;  // the parts a test made stay as they are
    auto s = Store::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(*s);
  }

  std::unique_ptr<BackupRepository> Repo(const BackupKeySource& key, bool create = true) {
    auto target = OpenBackupTarget((root_ / "target").string());
    EXPECT_TRUE(target.ok());
    auto repo = BackupRepository::Open(std::move(*target), key, create);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    return repo.ok() ? std::move(*repo) : nullptr;
  }
  std::unique_ptr<BackupRepository> Repo() { return Repo(BackupKeySource{key_file_, ""}); }

  static std::vector<BackupEventCount> Counts(const std::string& dir, uint64_t* total) {
    auto store = OpenStoreForReading(dir, Env::Default());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    auto c = CountStoreEvents(store->get(), total);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_TRUE((*store)->Close().ok());
    return *c;
  }

  fs::path root_;
  std::string data_;
  std::string key_file_;
};

TEST_F(BackupTest, FormatVersionsAreTheStoresOwn) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(MakeBatch(kT0, 10, "")).ok());
  auto repo = Repo();
  auto m = CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->part_format_version, kPartFormatVersion);
  EXPECT_EQ(m->wal_format_version, wal::kWalFormatVersion);
  EXPECT_EQ(m->events, 10u);
}

TEST_F(BackupTest, BackupWhileAppendingRestoresAConsistentCopy) {
  auto store = OpenStore(256 << 10);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->Append(MakeBatch(kT0 + i * 1000, 500, i % 2 ? "acme" : "")).ok());
  }
  ASSERT_TRUE(store->Flush().ok());
  // Another subsystem's state, and files a backup must skip.
  fs::create_directories(fs::path(data_) / "audit");
  std::ofstream(fs::path(data_) / "audit" / "ledger.log") << "entry 1\nentry 2\n";
  std::ofstream(fs::path(data_) / "alerts.state.tmp") << "half-written";

  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      if (!store->Append(MakeBatch(kT0 + kDay + i * 1000, 200, "")).ok()) return;
      ++appended;
    }
  });
  auto repo = Repo();
  auto m = CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default());
  stop = true;
  writer.join();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_GE(m->events, 10'000u);
  EXPECT_EQ(m->events % 100, 0u);  // whole batches only
  bool ledger = false;
  for (const BackupFileEntry& f : m->files) {
    if (f.path == "audit/ledger.log") ledger = true;
    EXPECT_EQ(f.path.find(".tmp"), std::string::npos) << f.path;
    EXPECT_EQ(f.path.find(".checkpoint-"), std::string::npos) << f.path;
  }
  EXPECT_TRUE(ledger);
  // No checkpoint is left in the data directory.
  for (const auto& e : fs::directory_iterator(data_)) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".checkpoint-"));
  }

  const std::string restored = (root_ / "restored").string();
  ASSERT_TRUE(RestoreBackup(repo.get(), *m, restored).ok());
  uint64_t total = 0;
  EXPECT_EQ(Counts(restored, &total), m->counts);
  EXPECT_EQ(total, m->events);
  std::ifstream ledger_in(fs::path(restored) / "audit" / "ledger.log");
  std::string line;
  std::getline(ledger_in, line);
  EXPECT_EQ(line, "entry 1");

  // A restore never overwrites: the directory now exists and is not empty.
  EXPECT_EQ(RestoreBackup(repo.get(), *m, restored).code(), StatusCode::kAlreadyExists);
}

TEST_F(BackupTest, IncrementalBackupUploadsOnlyNewParts) {
  auto store = OpenStore(64 << 20);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store->Append(MakeBatch(kT0 + i * 10'000, 2000, "")).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  auto repo = Repo();
  auto first = CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->reused_blobs, 0u);
  // 1 % more events, in a new part.
  ASSERT_TRUE(store->Append(MakeBatch(kT0 + kDay, 200, "")).ok());
  ASSERT_TRUE(store->Flush().ok());
  auto second = CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->parent, first->id);
  EXPECT_EQ(second->events, first->events + 200);
  // Only the new part's three files (and possibly a WAL segment) are new.
  EXPECT_LE(second->new_blobs, 4u);
  std::set<std::string> old_blobs;
  for (const auto& f : first->files) old_blobs.insert(f.blob);
  for (const auto& f : second->files) {
    if (old_blobs.count(f.blob)) continue;
    const bool in_first = std::any_of(first->files.begin(), first->files.end(),
                                      [&](const BackupFileEntry& o) { return o.path == f.path; });
    EXPECT_TRUE(!in_first || f.path.starts_with("wal/")) << f.path << " was uploaded again";
  }
  EXPECT_LT(second->new_blob_bytes * 2, first->new_blob_bytes);
  EXPECT_GE(second->reused_blobs, first->files.size() - 1);
}

TEST_F(BackupTest, TamperedBlobFailsVerifyNamingIt) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(MakeBatch(kT0, 3000, "")).ok());
  ASSERT_TRUE(store->Flush().ok());
  auto repo = Repo();
  auto m = CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default());
  ASSERT_TRUE(m.ok()) << m.status().ToString();

  auto good = VerifyBackup(repo.get(), m->id, root_.string());
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_TRUE(good->ok()) << good->ToJson();
  auto evidence = WriteEvidence(*repo, *good, (root_ / "evidence").string());
  ASSERT_TRUE(evidence.ok());
  EXPECT_TRUE(fs::exists(*evidence));

  // Flip one byte in the middle of the biggest blob.
  const BackupFileEntry* big = &m->files[0];
  for (const auto& f : m->files) {
    if (f.size > big->size) big = &f;
  }
  const fs::path blob = root_ / "target" / "blobs" / big->blob.substr(0, 2) / big->blob;
  ASSERT_TRUE(fs::exists(blob));
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(blob) / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(blob) / 2));
    c ^= 0x01;
    f.write(&c, 1);
  }
  auto bad = VerifyBackup(repo.get(), m->id, root_.string());
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_FALSE(bad->ok());
  EXPECT_NE(bad->ToJson().find(big->blob), std::string::npos) << bad->ToJson();
  EXPECT_NE(bad->ToJson().find("authentication failed"), std::string::npos);

  // A failed restore leaves nothing behind.
  const std::string restored = (root_ / "restored").string();
  EXPECT_EQ(RestoreBackup(repo.get(), *m, restored).code(), StatusCode::kCorruption);
  EXPECT_FALSE(fs::exists(restored));
  for (const auto& e : fs::directory_iterator(root_)) {
    EXPECT_EQ(e.path().filename().string().find(".restoring-"), std::string::npos);
  }
}

TEST_F(BackupTest, WrongKeyIsRefused) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(MakeBatch(kT0, 10, "")).ok());
  {
    auto repo = Repo();
    ASSERT_TRUE(CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default()).ok());
  }
  const std::string other = (root_ / "other.key").string();
  std::ofstream(other) << BackupKey::GenerateKeyFileContents();
  auto target = OpenBackupTarget((root_ / "target").string());
  ASSERT_TRUE(target.ok());
  auto repo = BackupRepository::Open(std::move(*target), BackupKeySource{other, ""}, false);
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.status().code(), StatusCode::kUnauthenticated);
  // A key-file repository asked with a passphrase: refused with the reason.
  auto target2 = OpenBackupTarget((root_ / "target").string());
  auto repo2 = BackupRepository::Open(std::move(*target2), BackupKeySource{"", "secret"}, false);
  EXPECT_EQ(repo2.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(BackupTest, PassphraseRepository) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(MakeBatch(kT0, 10, "")).ok());
  std::string id;
  {
    auto repo = Repo(BackupKeySource{"", "correct horse battery staple"});
    ASSERT_NE(repo, nullptr);
    auto m = CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default());
    ASSERT_TRUE(m.ok());
    id = m->id;
  }
  auto target = OpenBackupTarget((root_ / "target").string());
  auto wrong = BackupRepository::Open(std::move(*target), BackupKeySource{"", "wrong"}, false);
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  auto repo = Repo(BackupKeySource{"", "correct horse battery staple"}, false);
  ASSERT_NE(repo, nullptr);
  EXPECT_TRUE(repo->ReadManifest(id).ok());
}

TEST_F(BackupTest, OfflineDataDirectoryBackup) {
  {
    auto store = OpenStore(0);  // WAL only: the backup must carry the WAL
    ASSERT_TRUE(store->Append(MakeBatch(kT0, 100, "t1")).ok());
    StoreOptions o;
    ASSERT_TRUE(store->Close().ok());
  }
  auto repo = Repo();
  auto m = CreateBackup(repo.get(), BackupSource{data_, nullptr}, Env::Default());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->events, 100u);
  ASSERT_EQ(m->counts.size(), 2u);
  EXPECT_EQ(m->counts[0].partition, "20241004.t1");
}

TEST_F(BackupTest, PruneKeepsEveryBlobAKeptBackupNames) {
  auto store = OpenStore(64 << 20);
  auto repo = Repo();
  std::vector<BackupManifest> ms;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store->Append(MakeBatch(kT0 + i * 10'000, 1000, "")).ok());
    ASSERT_TRUE(store->Flush().ok());
    auto m = CreateBackup(repo.get(), BackupSource{data_, store.get()}, Env::Default());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ms.push_back(*m);
  }
  BackupRetention keep_last;
  keep_last.keep_last = 1;
  auto r = PruneBackups(repo.get(), keep_last, Env::Default()->NowNanos());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kept, std::vector<std::string>{ms[2].id});
  EXPECT_EQ(r->deleted.size(), 2u);
  // The kept backup still verifies (its reused blobs from the first backups are there).
  auto v = VerifyBackup(repo.get(), ms[2].id, root_.string());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->ToJson();
  EXPECT_EQ(PruneBackups(repo.get(), BackupRetention{}, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(BackupRetentionTest, DailyWeeklyMonthly) {
  // One backup a day for 60 days, at noon.
  std::vector<std::string> ids;
  std::vector<int64_t> created;
  for (int d = 0; d < 60; ++d) {
    created.push_back(kT0 + d * kDay + kDay / 2);
    ids.push_back(NewBackupId(created.back()));
  }
  const int64_t now = created.back();
  BackupRetention daily;
  daily.keep_daily = 14;
  EXPECT_EQ(BackupsToKeep(ids, created, daily, now).size(), 14u);
  BackupRetention age;
  age.max_age_days = 30;
  EXPECT_EQ(BackupsToKeep(ids, created, age, now).size(), 31u);
  BackupRetention mix;
  mix.keep_daily = 7;
  mix.keep_weekly = 4;
  mix.keep_monthly = 3;
  auto kept = BackupsToKeep(ids, created, mix, now);
  EXPECT_GE(kept.size(), 7u);
  EXPECT_LE(kept.size(), 7u + 4u + 3u);
  EXPECT_EQ(kept.back(), ids.back());
}

TEST(BlobCodecTest, RoundTripAndTruncation) {
  auto key = BackupKey::FromKeyFileContents(BackupKey::GenerateKeyFileContents());
  ASSERT_TRUE(key.ok());
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>(i);
  auto enc = EncodeBlobToString(*key, "blobs/aa/name", big);
  ASSERT_TRUE(enc.ok());
  auto dec = DecodeBlobFromString(*key, "blobs/aa/name", *enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, big);
  // Under another name (a blob moved onto another's name): refused.
  EXPECT_EQ(DecodeBlobFromString(*key, "blobs/aa/other", *enc).status().code(),
            StatusCode::kCorruption);
  // Truncated at any message boundary or inside one: refused.
  for (size_t cut : {enc->size() - 1, enc->size() / 2, size_t{40}}) {
    EXPECT_EQ(DecodeBlobFromString(*key, "blobs/aa/name", enc->substr(0, cut)).status().code(),
              StatusCode::kCorruption)
        << cut;
  }
  EXPECT_EQ(DecodeBlobFromString(*key, "blobs/aa/name", *enc + "x").status().code(),
            StatusCode::kCorruption);
  auto empty = EncodeBlobToString(*key, "n", "");
  ASSERT_TRUE(empty.ok());
  auto dec_empty = DecodeBlobFromString(*key, "n", *empty);
  ASSERT_TRUE(dec_empty.ok());
  EXPECT_EQ(*dec_empty, "");
}

}  // namespace
}  // namespace vigia
