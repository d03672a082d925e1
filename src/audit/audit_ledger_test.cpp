// AuditLedger and LedgerVerifier on real files: a chain verifies; each kind of tampering
// done to a real ledger.bin (or its checkpoints) is named with the first bad record; a torn
// tail is cut on open; concurrent appends keep one valid chain per tenant.
#include "audit/audit_ledger.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/audit_file_names.h"
#include "audit/audit_log.h"
#include "audit/ledger_verifier.h"
#include "event/event_fields.h"

namespace vigia::audit {
namespace {

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigia-audit-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/audit";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<AuditLedger> OpenLedger() {
    AuditLedgerOptions o;
    o.dir = dir_;
    Result<std::unique_ptr<AuditLedger>> l = AuditLedger::Open(o);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? std::move(*l) : nullptr;
  }
  // n records for tenant "acme", a checkpoint after every `every`.
  void Fill(int n, int every = 0) {
    auto l = OpenLedger();
    for (int i = 1; i <= n; ++i) {
      std::string payload =
          R"({"ts":"2026-12-02T10:00:00Z","kind":"audit","action":"sale.created","entity_id":")" +
          std::to_string(i) + "\"}";
      ASSERT_TRUE(l->AppendPayload("acme", 1'000'000'000LL * i, payload).ok());
      if (every > 0 && i % every == 0) {
        ASSERT_TRUE(l->Checkpoint(i).ok());
      }
    }
    ASSERT_TRUE(l->Sync().ok());
  }
  std::string LedgerPath() const { return dir_ + "/" + TenantDirName("acme") + "/ledger.bin"; }
  std::string CheckpointPath() const {
    return dir_ + "/" + TenantDirName("acme") + "/checkpoints.ndjson";
  }
  static std::string Read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void Write(const std::string& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  // The encoded records of the ledger, in file order.
  std::vector<std::string> Records() const {
    std::string all = Read(LedgerPath());
    std::vector<std::string> out;
    std::string_view rest = all;
    while (!rest.empty()) {
      LedgerRecord r;
      size_t size = 0;
      EXPECT_EQ(DecodeRecord(rest, &r, &size), DecodeOutcome::kOk);
      if (size == 0) break;
      out.emplace_back(rest.substr(0, size));
      rest.remove_prefix(size);
    }
    return out;
  }
  void WriteRecords(const std::vector<std::string>& recs) {
    std::string all;
    for (const auto& r : recs) all += r;
    Write(LedgerPath(), all);
  }
  TenantReport Verify(std::string public_key = "") {
    VerifyOptions o;
    o.public_key_hex = std::move(public_key);
    Result<std::vector<TenantReport>> r = VerifyLedgerDir(Env::Default(), dir_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->empty()) return {};
    return (*r)[0];
  }
  static std::string Describe(const TenantReport& r) {
    std::string s;
    for (const auto& b : r.breaks) {
      s += std::string(TamperKindName(b.kind)) + "@" + std::to_string(b.seq) + ": " + b.detail +
           "\n";
    }
    return s;
  }
  static void ExpectFirst(const TenantReport& r, TamperKind kind, uint64_t seq) {
    ASSERT_FALSE(r.breaks.empty()) << "no break found";
    EXPECT_EQ(TamperKindName(r.breaks[0].kind), TamperKindName(kind)) << Describe(r);
    EXPECT_EQ(r.breaks[0].seq, seq) << Describe(r);
  }

  std::string root_, dir_;
};

TEST_F(LedgerTest, IntactChainVerifies) {
  Fill(50, 10);
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.records, 50u);
  EXPECT_EQ(r.checkpoints, 5u);
  EXPECT_EQ(r.sealed_seq, 50u);
  EXPECT_TRUE(r.signatures_checked);  // signing.pub of the directory
}

// Retention drops whole checkpointed segments; what is kept verifies from its anchor (the
// ledger and an export of it alike), appends go on, and a deletion past the anchor is still
// named.
TEST_F(LedgerTest, RetentionPrunesWholeCheckpointedSegments) {
  Fill(30, 10);  // checkpoints at seq 10, 20, 30 signed at ts 10, 20, 30
  auto l = OpenLedger();
  Result<uint64_t> none = l->Prune(5);  // no checkpoint older than the cutoff
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  // Cutoff 100: every checkpoint is older, but the one at the head (30) would leave no
  // record, so the segment up to 20 goes.
  Result<uint64_t> dropped = l->Prune(100);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(*dropped, 20u);
  EXPECT_EQ(Records().size(), 10u);
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.pruned_seq, 20u);
  EXPECT_EQ(r.records, 10u);
  EXPECT_EQ(r.checkpoints, 2u);   // the anchor (20) and 30
  EXPECT_EQ(*l->Prune(100), 0u);  // nothing more to drop

  // Appends continue the chain; an export of the pruned chain verifies alone.
  ASSERT_TRUE(l->AppendPayload("acme", 31'000'000'000, R"({"kind":"audit","n":31})").ok());
  ASSERT_TRUE(l->Checkpoint(40).ok());
  ASSERT_TRUE(l->Sync().ok());
  r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.last_seq, 31u);
  std::string text;
  ASSERT_TRUE(WriteAuditExport(Env::Default(), dir_, "acme", [&](std::string_view c) {
                text.append(c);
              }).ok());
  Result<TenantReport> e = VerifyAuditExport(text, {});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(e->ok()) << Describe(*e);
  EXPECT_EQ(e->pruned_seq, 20u);
  l.reset();

  // The first kept record deleted: not an anchored start any more.
  std::vector<std::string> recs = Records();
  recs.erase(recs.begin());
  WriteRecords(recs);
  r = Verify();
  ExpectFirst(r, TamperKind::kDeleted, 1);
  EXPECT_EQ(r.pruned_seq, 0u);
}

TEST_F(LedgerTest, ReopenContinuesTheChain) {
  Fill(5);
  Fill(5);  // a second "server start"
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.last_seq, 10u);
}

TEST_F(LedgerTest, EditedRecord) {
  Fill(20, 10);
  auto recs = Records();
  size_t at = recs[6].find("sale.created");
  recs[6][at] = 'S';  // record 7: "Sale.created", same length
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kEdited, 7);
}

TEST_F(LedgerTest, EditedAndReHashedRecord) {
  Fill(20, 10);
  auto recs = Records();
  // The attacker edits record 7 and recomputes its hash (but not the following records').
  LedgerRecord r;
  size_t size;
  ASSERT_EQ(DecodeRecord(recs[6], &r, &size), DecodeOutcome::kOk);
  std::string payload(r.payload);
  payload[payload.find("sale")] = 'S';
  std::string rebuilt;
  AppendRecord(r.prev, r.seq, r.ts_ns, payload, &rebuilt);
  recs[6] = rebuilt;
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kEdited, 7);
}

TEST_F(LedgerTest, WholeChainRewrittenIsCaughtByCheckpoint) {
  Fill(20, 10);
  auto recs = Records();
  // Re-hash everything from record 4 on, so the chain is internally consistent again.
  Hash prev;
  std::vector<std::string> out;
  for (size_t i = 0; i < recs.size(); ++i) {
    LedgerRecord r;
    size_t size;
    ASSERT_EQ(DecodeRecord(recs[i], &r, &size), DecodeOutcome::kOk);
    if (i == 0) prev = r.prev;
    std::string payload(r.payload);
    if (i == 3) payload[payload.find("sale")] = 'S';
    std::string rebuilt;
    prev = AppendRecord(prev, r.seq, r.ts_ns, payload, &rebuilt);
    out.push_back(rebuilt);
  }
  WriteRecords(out);
  TenantReport rep = Verify();
  ExpectFirst(rep, TamperKind::kEdited, 1);  // between the start and checkpoint 10
  EXPECT_NE(rep.breaks[0].detail.find("signed checkpoint"), std::string::npos);
}

TEST_F(LedgerTest, DeletedRecord) {
  Fill(20, 10);
  auto recs = Records();
  recs.erase(recs.begin() + 11);  // record 12
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kDeleted, 12);
}

TEST_F(LedgerTest, InsertedCopy) {
  Fill(20, 10);
  auto recs = Records();
  recs.insert(recs.begin() + 9, recs[4]);  // record 5 replayed after record 9
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kInserted, 5);
}

TEST_F(LedgerTest, InsertedForgedRecordThatLinks) {
  Fill(20, 10);
  auto recs = Records();
  // A fabricated record at position 6 that links to record 5 and hashes correctly.
  LedgerRecord r5;
  size_t size;
  ASSERT_EQ(DecodeRecord(recs[4], &r5, &size), DecodeOutcome::kOk);
  std::string fake;
  AppendRecord(r5.hash, 6, r5.ts_ns, R"({"kind":"audit","action":"user.deleted"})", &fake);
  recs.insert(recs.begin() + 5, fake);
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kInserted, 6);
}

TEST_F(LedgerTest, ReorderedRecords) {
  Fill(20, 10);
  auto recs = Records();
  std::swap(recs[13], recs[14]);  // records 14 and 15
  WriteRecords(recs);
  TenantReport rep = Verify();
  ExpectFirst(rep, TamperKind::kReordered, 15);
  EXPECT_EQ(rep.breaks.size(), 1u) << Describe(rep);
}

TEST_F(LedgerTest, TruncatedInsideARecordACheckpointVouchesFor) {
  Fill(20, 10);
  std::string all = Read(LedgerPath());
  Write(LedgerPath(), all.substr(0, all.size() - 10));
  TenantReport r = Verify();
  ExpectFirst(r, TamperKind::kTruncated, 20);
  EXPECT_EQ(r.incomplete_tail_bytes, 0u) << Describe(r);
}

// What a kill -9 during the ledger's write(2) leaves: the last record cut short, past the
// last checkpoint. Not tampering (nothing there was acknowledged as chained): the chain
// verifies and the report says how many bytes the incomplete tail holds and where.
TEST_F(LedgerTest, ACutShortLastRecordPastTheLastCheckpointIsAnIncompleteTail) {
  Fill(20, 10);
  const uint64_t whole = Read(LedgerPath()).size();
  {
    auto l = OpenLedger();
    ASSERT_TRUE(l->AppendPayload("acme", 21, R"({"kind":"audit","action":"a.b"})").ok());
  }
  std::string all = Read(LedgerPath());
  ASSERT_GT(all.size(), whole + 30);
  Write(LedgerPath(), all.substr(0, whole + 30));
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.last_seq, 20u);
  EXPECT_EQ(r.incomplete_tail_bytes, 30u);
  EXPECT_EQ(r.incomplete_tail_offset, whole);
  // Without any checkpoint, the same.
  std::filesystem::remove(CheckpointPath());
  r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.incomplete_tail_bytes, 30u);
  // A whole chain verifies without one.
  Write(LedgerPath(), all);
  r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.incomplete_tail_bytes, 0u);
  EXPECT_EQ(r.last_seq, 21u);
}

TEST_F(LedgerTest, TruncatedWholeRecordsBeforeACheckpoint) {
  Fill(20, 10);
  auto recs = Records();
  recs.resize(17);
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kTruncated, 18);
}

TEST_F(LedgerTest, ForgedCheckpointAndWrongKey) {
  Fill(20, 10);
  std::string cps = Read(CheckpointPath());
  size_t at = cps.find("\"seq\":10");
  ASSERT_NE(at, std::string::npos);
  cps.replace(at, 8, "\"seq\":11");
  Write(CheckpointPath(), cps);
  ExpectFirst(Verify(), TamperKind::kForged, 11);
  // With another server's public key, no checkpoint verifies.
  TenantReport other = Verify(std::string(64, 'a'));
  ExpectFirst(other, TamperKind::kForged, 11);
}

TEST_F(LedgerTest, TornTailIsCutOnOpen) {
  Fill(10);
  std::string all = Read(LedgerPath());
  Write(LedgerPath(), all + all.substr(0, 40));  // half a record: a crash mid-append
  auto l = OpenLedger();
  ASSERT_TRUE(l->AppendPayload("acme", 1, R"({"kind":"audit"})").ok());
  ASSERT_TRUE(l->Sync().ok());
  l.reset();
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.last_seq, 11u);
}

TEST_F(LedgerTest, ConcurrentAppendsOfManyTenants) {
  auto l = OpenLedger();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      EventBatch b;
      for (int i = 0; i < 500; ++i) {
        b.BeginEvent(i);
        b.AddField(fields::kKind, Value::String("audit"));
        b.AddField(fields::kLevel, Value::String("info"));
        b.AddField(fields::kTenant, Value::String(t % 2 ? "t1" : "t2"));
        b.AddField(fields::kAction, Value::String("x.y"));
        b.BeginEvent(i);
        b.AddField(fields::kKind, Value::String("log"));
        b.AddField(fields::kLevel, Value::String("info"));
      }
      EXPECT_TRUE(l->AppendAuditEvents("", b).ok());
      EXPECT_TRUE(l->Checkpoint(t).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(l->records_appended(), 2000u);
  l.reset();
  Result<std::vector<TenantReport>> r = VerifyLedgerDir(Env::Default(), dir_, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  for (const TenantReport& rep : *r) {
    EXPECT_TRUE(rep.ok()) << Describe(rep);
    EXPECT_EQ(rep.records, 1000u);
  }
}

TEST_F(LedgerTest, LogFiltersAndExportVerifiesAlone) {
  Fill(30, 10);
  AuditFilter f;
  f.entity_id = "7";
  std::vector<uint64_t> seqs;
  ASSERT_TRUE(ScanAuditLog(Env::Default(), dir_, "acme", f, [&](const LedgerRecord& r) {
                seqs.push_back(r.seq);
                return true;
              }).ok());
  EXPECT_EQ(seqs, std::vector<uint64_t>{7});
  f = {};
  f.since_ns = 25'000'000'000;
  f.limit = 3;
  seqs.clear();
  ASSERT_TRUE(ScanAuditLog(Env::Default(), dir_, "acme", f, [&](const LedgerRecord& r) {
                seqs.push_back(r.seq);
                return true;
              }).ok());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{25, 26, 27}));

  std::string exported;
  ASSERT_TRUE(WriteAuditExport(Env::Default(), dir_, "acme", [&](std::string_view c) {
                exported.append(c);
              }).ok());
  std::string pub = Read(dir_ + "/signing.pub").substr(0, 64);
  VerifyOptions o;
  o.public_key_hex = pub;
  Result<TenantReport> r = VerifyAuditExport(exported, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << Describe(*r);
  EXPECT_EQ(r->records, 30u);
  EXPECT_EQ(r->checkpoints, 3u);
  // An auditor's copy edited afterwards: the edit is named.
  size_t at = exported.find(R"(\"entity_id\":\"12\")");
  ASSERT_NE(at, std::string::npos) << exported.substr(0, 400);
  exported[at + 17] = '9';  // entity_id 12 -> 19
  r = VerifyAuditExport(exported, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectFirst(*r, TamperKind::kEdited, 12);
}

TEST(TenantDirName, RoundTrips) {
  for (std::string t : {"", "acme", "a b/c%", "ünï"}) {
    std::string name = TenantDirName(t);
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_EQ(ParseTenantDirName(name), t);
  }
  EXPECT_EQ(ParseTenantDirName("t-%41"), std::nullopt);  // 'A' is never escaped
  EXPECT_EQ(ParseTenantDirName("x-a"), std::nullopt);
}

}  // namespace
}  // namespace vigia::audit
