// AuditLedger and LedgerVerifier on real files: a chain verifies; each kind of tampering
// done to a real ledger.bin (or its checkpoints) is named with the first bad record; a torn
// tail is cut on open; concurrent appends keep one valid chain per tenant. Every test runs on
// v1 records (one event each, AppendPayload: what a v1 ledger holds) and on v2 batch records
// of one event (AppendAuditEvents); BatchLedgerTest tampers with v2 records of five events
// and with a v1 ledger continued in v2.
#include "audit/audit_ledger.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/audit_bytes.h"
#include "audit/audit_file_names.h"
#include "audit/audit_log.h"
#include "audit/export_csv.h"
#include "audit/ledger_events.h"
#include "audit/ledger_reader.h"
#include "audit/ledger_verifier.h"
#include "event/event_fields.h"
#include "store/wal/batch_codec.h"

namespace vigia::audit {
namespace {

// How Fill writes: v1 records, or v2 batch records of `events` events.
struct Mode {
  int version = 1;
  int events = 1;
};

class LedgerFixture : public ::testing::Test {
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
  // n events for tenant "acme", a checkpoint after every `every` (a multiple of
  // mode_.events for v2), in mode_'s records.
  void Fill(int n, int every = 0) {
    auto l = OpenLedger();
    EventBatch batch;
    for (int i = 1; i <= n; ++i) {
      if (mode_.version == 1) {
        std::string payload =
            R"({"ts":"2026-12-02T10:00:00Z","kind":"audit","action":"sale.created","entity_id":")" +
            std::to_string(i) + "\"}";
        ASSERT_TRUE(l->AppendPayload("acme", 1'000'000'000LL * i, payload).ok());
      } else {
        AddEvent(&batch, 1'000'000'000LL * i, "sale.created", std::to_string(i));
        batch.BeginEvent(1'000'000'000LL * i);  // a log event between: not chained
        batch.AddField(fields::kKind, Value::String("log"));
        if (i % mode_.events == 0 || i == n) {
          ASSERT_TRUE(l->AppendAuditEvents("acme", batch).ok());
          batch = EventBatch();
        }
      }
      if (every > 0 && i % every == 0) {
        ASSERT_TRUE(l->Checkpoint(i).ok());
      }
    }
    ASSERT_TRUE(l->Sync().ok());
  }
  static void AddEvent(EventBatch* b, int64_t ts, const std::string& action,
                       const std::string& entity_id) {
    b->BeginEvent(ts);
    b->AddField(fields::kKind, Value::String("audit"));
    b->AddField(fields::kAction, Value::String(b->arena().Copy(action)));
    b->AddField("entity_id", Value::String(b->arena().Copy(entity_id)));
  }
  // A record of `version` holding one made-up event at `seq`, linked to `prev` and hashed.
  static Hash AppendFake(int version, const Hash& prev, uint64_t seq, int64_t ts,
                         std::string* out) {
    if (version == 1) {
      return AppendRecord(prev, seq, ts, R"({"kind":"audit","action":"user.deleted"})", out);
    }
    EventBatch b;
    AddEvent(&b, ts, "user.deleted", "1");
    std::string bytes;
    batch_codec::Encode(b, &bytes);
    LedgerRecord r;
    r.version = 2;
    r.seq = seq;
    r.ts_ns = ts;
    r.prev = prev;
    r.payload = bytes;
    r.hash = ComputeHash(r);
    AppendEncodedRecord(r, out);
    return r.hash;
  }
  // `r` with `payload` and `prev`, re-hashed, appended to *out in its own version's layout.
  static Hash Rebuild(LedgerRecord r, std::string_view payload, const Hash& prev,
                      std::string* out) {
    r.payload = payload;
    r.prev = prev;
    r.hash = ComputeHash(r);
    AppendEncodedRecord(r, out);
    return r.hash;
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

  Mode mode_;
  std::string root_, dir_;
};

class LedgerTest : public LedgerFixture, public ::testing::WithParamInterface<Mode> {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    mode_ = GetParam();
  }
};

INSTANTIATE_TEST_SUITE_P(Records, LedgerTest, ::testing::Values(Mode{1, 1}, Mode{2, 1}),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return info.param.version == 1 ? std::string("V1")
                                                          : std::string("V2OneEvent");
                         });

TEST_P(LedgerTest, IntactChainVerifies) {
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
TEST_P(LedgerTest, RetentionPrunesWholeCheckpointedSegments) {
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

TEST_P(LedgerTest, ReopenContinuesTheChain) {
  Fill(5);
  Fill(5);  // a second "server start"
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.last_seq, 10u);
}

TEST_P(LedgerTest, EditedRecord) {
  Fill(20, 10);
  auto recs = Records();
  size_t at = recs[6].find("sale.created");
  recs[6][at] = 'S';  // record 7: "Sale.created", same length
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kEdited, 7);
}

TEST_P(LedgerTest, EditedAndReHashedRecord) {
  Fill(20, 10);
  auto recs = Records();
  // The attacker edits record 7 and recomputes its hash (but not the following records').
  LedgerRecord r;
  size_t size;
  ASSERT_EQ(DecodeRecord(recs[6], &r, &size), DecodeOutcome::kOk);
  std::string payload(r.payload);
  payload[payload.find("sale")] = 'S';
  std::string rebuilt;
  Rebuild(r, payload, r.prev, &rebuilt);
  recs[6] = rebuilt;
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kEdited, 7);
}

TEST_P(LedgerTest, WholeChainRewrittenIsCaughtByCheckpoint) {
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
    prev = Rebuild(r, payload, prev, &rebuilt);
    out.push_back(rebuilt);
  }
  WriteRecords(out);
  TenantReport rep = Verify();
  ExpectFirst(rep, TamperKind::kEdited, 1);  // between the start and checkpoint 10
  EXPECT_NE(rep.breaks[0].detail.find("signed checkpoint"), std::string::npos);
}

TEST_P(LedgerTest, DeletedRecord) {
  Fill(20, 10);
  auto recs = Records();
  recs.erase(recs.begin() + 11);  // record 12
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kDeleted, 12);
}

TEST_P(LedgerTest, InsertedCopy) {
  Fill(20, 10);
  auto recs = Records();
  recs.insert(recs.begin() + 9, recs[4]);  // record 5 replayed after record 9
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kInserted, 5);
}

TEST_P(LedgerTest, InsertedForgedRecordThatLinks) {
  Fill(20, 10);
  auto recs = Records();
  // A fabricated record at position 6 that links to record 5 and hashes correctly.
  LedgerRecord r5;
  size_t size;
  ASSERT_EQ(DecodeRecord(recs[4], &r5, &size), DecodeOutcome::kOk);
  std::string fake;
  AppendFake(mode_.version, r5.hash, 6, r5.ts_ns, &fake);
  recs.insert(recs.begin() + 5, fake);
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kInserted, 6);
}

TEST_P(LedgerTest, ReorderedRecords) {
  Fill(20, 10);
  auto recs = Records();
  std::swap(recs[13], recs[14]);  // records 14 and 15
  WriteRecords(recs);
  TenantReport rep = Verify();
  ExpectFirst(rep, TamperKind::kReordered, 15);
  EXPECT_EQ(rep.breaks.size(), 1u) << Describe(rep);
}

TEST_P(LedgerTest, TruncatedInsideARecordACheckpointVouchesFor) {
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
TEST_P(LedgerTest, ACutShortLastRecordPastTheLastCheckpointIsAnIncompleteTail) {
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

TEST_P(LedgerTest, TruncatedWholeRecordsBeforeACheckpoint) {
  Fill(20, 10);
  auto recs = Records();
  recs.resize(17);
  WriteRecords(recs);
  ExpectFirst(Verify(), TamperKind::kTruncated, 18);
}

TEST_P(LedgerTest, ForgedCheckpointAndWrongKey) {
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

TEST_P(LedgerTest, TornTailIsCutOnOpen) {
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

TEST_P(LedgerTest, ConcurrentAppendsOfManyTenants) {
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
    EXPECT_EQ(rep.events, 1000u);
  }
}

TEST_P(LedgerTest, LogFiltersAndExportVerifiesAlone) {
  Fill(30, 10);
  AuditFilter f;
  f.entity_id = "7";
  std::vector<uint64_t> seqs;
  ASSERT_TRUE(ScanAuditLog(Env::Default(), dir_, "acme", f, [&](const LedgerEvent& r) {
                seqs.push_back(r.seq);
                return true;
              }).ok());
  EXPECT_EQ(seqs, std::vector<uint64_t>{7});
  f = {};
  f.since_ns = 25'000'000'000;
  f.limit = 3;
  seqs.clear();
  ASSERT_TRUE(ScanAuditLog(Env::Default(), dir_, "acme", f, [&](const LedgerEvent& r) {
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

// v2 batch records of five events: 20 events are the records 1..5, 6..10, 11..15, 16..20
// (checkpoints at 10 and 20). A break names the batch record and the positions.
class BatchLedgerTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    mode_ = {2, 5};
  }
  static void ExpectRecord(const TenantReport& r, uint64_t record_seq, uint32_t count) {
    ASSERT_FALSE(r.breaks.empty());
    EXPECT_EQ(r.breaks[0].record_seq, record_seq) << Describe(r);
    EXPECT_EQ(r.breaks[0].record_count, count) << Describe(r);
  }
};

TEST_F(BatchLedgerTest, IntactChainOfBatchRecordsVerifies) {
  Fill(20, 10);
  EXPECT_EQ(Records().size(), 4u);
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.records, 4u);
  EXPECT_EQ(r.events, 20u);
  EXPECT_EQ(r.last_seq, 20u);
  EXPECT_EQ(r.sealed_seq, 20u);
  // Reopened, the ledger goes on from position 21.
  Fill(5);
  r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.last_seq, 25u);
}

TEST_F(BatchLedgerTest, AnEditedEventNamesItsBatchRecord) {
  Fill(20, 10);
  auto recs = Records();
  // Event 7 is the second of record 6..10: its entity_id "7" becomes "9".
  size_t at = recs[1].find(std::string("\x01") + "7");
  ASSERT_NE(at, std::string::npos);
  recs[1][at + 1] = '9';
  WriteRecords(recs);
  TenantReport r = Verify();
  ExpectFirst(r, TamperKind::kEdited, 6);
  ExpectRecord(r, 6, 5);
  EXPECT_NE(r.breaks[0].detail.find("batch record 6..10 (5 events)"), std::string::npos)
      << Describe(r);
}

TEST_F(BatchLedgerTest, DeletedReorderedInsertedTruncatedBatchRecords) {
  Fill(20, 10);
  const auto recs = Records();
  auto edit = recs;
  edit.erase(edit.begin() + 2);  // record 11..15
  WriteRecords(edit);
  TenantReport r = Verify();
  ExpectFirst(r, TamperKind::kDeleted, 11);
  EXPECT_NE(r.breaks[0].detail.find("records 11..15 are missing"), std::string::npos)
      << Describe(r);

  edit = recs;
  std::swap(edit[2], edit[3]);  // 16..20 before 11..15
  WriteRecords(edit);
  r = Verify();
  ExpectFirst(r, TamperKind::kReordered, 16);
  ExpectRecord(r, 16, 5);

  edit = recs;
  edit.insert(edit.begin() + 2, recs[0]);  // record 1..5 replayed after 6..10
  WriteRecords(edit);
  r = Verify();
  ExpectFirst(r, TamperKind::kInserted, 1);
  ExpectRecord(r, 1, 5);

  edit = recs;
  edit.resize(3);  // the last record, which checkpoint 20 vouches for
  WriteRecords(edit);
  ExpectFirst(Verify(), TamperKind::kTruncated, 16);

  // A forged batch record at 11 that links to record 6..10 and hashes correctly.
  edit = recs;
  LedgerRecord r2;
  size_t size;
  ASSERT_EQ(DecodeRecord(recs[1], &r2, &size), DecodeOutcome::kOk);
  std::string fake;
  AppendFake(2, r2.hash, 11, r2.ts_ns, &fake);
  edit.insert(edit.begin() + 2, fake);
  WriteRecords(edit);
  ExpectFirst(Verify(), TamperKind::kInserted, 11);
}

TEST_F(BatchLedgerTest, LogShowsEachEventsPositionAndExportsVerifyAlone) {
  Fill(20, 10);
  AuditFilter f;
  f.entity_id = "7";
  std::vector<LedgerEvent> got;
  ASSERT_TRUE(ScanAuditLog(Env::Default(), dir_, "acme", f, [&](const LedgerEvent& e) {
                got.push_back(e);
                got.back().payload = {};
                return true;
              }).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].seq, 7u);
  EXPECT_EQ(got[0].record_seq, 6u);
  EXPECT_EQ(got[0].index, 1u);
  EXPECT_EQ(got[0].count, 5u);
  EXPECT_EQ(got[0].ts_ns, 7'000'000'000);
  f = {};
  f.limit = 7;
  uint64_t n = 0;
  ASSERT_TRUE(ScanAuditLog(Env::Default(), dir_, "acme", f, [&](const LedgerEvent&) {
                ++n;
                return true;
              }).ok());
  EXPECT_EQ(n, 7u);

  for (bool csv : {false, true}) {
    std::string text;
    auto sink = [&](std::string_view c) { text.append(c); };
    ASSERT_TRUE((csv ? WriteAuditExportCsv(Env::Default(), dir_, "acme", sink)
                     : WriteAuditExport(Env::Default(), dir_, "acme", sink))
                    .ok());
    Result<TenantReport> r = VerifyAuditExport(text, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->ok()) << Describe(*r) << text.substr(0, 600);
    EXPECT_EQ(r->events, 20u);
    // An event line (the readable copy) edited: named with its batch record.
    std::string needle = csv ? R"(""entity_id"":""12"")" : R"(\"entity_id\":\"12\")";
    size_t at = text.find(needle);
    ASSERT_NE(at, std::string::npos) << text.substr(0, 600);
    std::string edited = text;
    edited[at + needle.size() - (csv ? 3 : 3)] = '9';
    r = VerifyAuditExport(edited, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectFirst(*r, TamperKind::kEdited, 12);
    // An event line removed.
    size_t line = text.rfind('\n', at) + 1;
    edited = text;
    edited.erase(line, text.find('\n', at) + 1 - line);
    r = VerifyAuditExport(edited, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->ok()) << (csv ? "csv" : "ndjson");
  }
}

// A data directory written by v1 (one record per event) is read, verified and continued
// with v2 batch records; its checkpoints stay valid.
TEST_F(BatchLedgerTest, AV1LedgerGoesOnWithBatchRecords) {
  mode_ = {1, 1};
  Fill(10, 10);
  mode_ = {2, 5};
  Fill(10);  // positions 11..20 in two batch records
  auto l = OpenLedger();
  ASSERT_TRUE(l->Checkpoint(99).ok());
  ASSERT_EQ(l->Heads().size(), 1u);
  EXPECT_EQ(l->Heads()[0].seq, 20u);
  l.reset();
  EXPECT_EQ(Records().size(), 12u);
  TenantReport r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.records, 12u);
  EXPECT_EQ(r.events, 20u);
  EXPECT_EQ(r.sealed_seq, 20u);
  std::vector<uint64_t> seqs;
  ASSERT_TRUE(ScanAuditLog(Env::Default(), dir_, "acme", {}, [&](const LedgerEvent& e) {
                seqs.push_back(e.seq);
                return true;
              }).ok());
  ASSERT_EQ(seqs.size(), 20u);
  for (uint64_t i = 0; i < 20; ++i) EXPECT_EQ(seqs[i], i + 1);
  // Retention across the two formats: the v1 segment up to checkpoint 10 goes.
  l = OpenLedger();
  Result<uint64_t> dropped = l->Prune(1'000);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(*dropped, 10u);
  l.reset();
  r = Verify();
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.pruned_seq, 10u);
  EXPECT_EQ(r.events, 10u);
}

// Given the audit events' bytes taken from the WAL's (AuditBytes::FromWal, what the chainer
// passes), the ledger holds records that decode to the same events as the records encoded
// from the batch, and the same bytes where nothing is cut: a mixed batch (its audit events
// cut out: the batch's name table kept), a batch of audit events only (its bytes as they
// are), several tenants in one batch (each tenant's events cut) with a skip (the catch-up).
TEST_F(BatchLedgerTest, RecordsGivenTheWalsBytesHoldTheRecordsEncodedFromTheBatch) {
  auto make = [](int shape) {
    EventBatch b;
    for (int i = 0; i < 40; ++i) {
      if (shape == 0 && i % 3 == 1) {  // a log between
        b.BeginEvent(i);
        b.AddField(fields::kKind, Value::String("log"));
        b.AddField("route", Value::String("/x"));
        continue;
      }
      AddEvent(&b, 1'000 + i, i % 2 ? "sale.created" : "user.deleted", std::to_string(i));
      if (shape == 2) b.AddField(fields::kTenant, Value::String(i % 3 ? "t1" : "t2"));
    }
    return b;
  };
  // Each tenant's ledger: its raw bytes, and its events decoded as JSON with their positions.
  auto read = [&](std::string* raw, std::string* events) {
    for (const std::string t : {"", "t1", "t2"}) {
      const std::string path = dir_ + "/" + TenantDirName(t) + "/ledger.bin";
      *raw += Read(path) + "|";
      *events += t + ":";
      if (!std::filesystem::exists(path)) continue;
      auto reader = LedgerReader::Open(Env::Default(), path);
      ASSERT_TRUE(reader.ok());
      LedgerRecord rec;
      uint64_t offset = 0;
      for (;;) {
        auto step = (*reader)->Next(&rec, &offset);
        ASSERT_TRUE(step.ok());
        if (*step != LedgerReader::Step::kRecord) break;
        ASSERT_TRUE(ForEachEvent(rec, [&](const LedgerEvent& e) {
                      *events += std::to_string(e.seq) + " " + std::string(e.payload) + "\n";
                      return true;
                    }).ok());
      }
    }
  };
  for (int shape = 0; shape < 3; ++shape) {
    EventBatch b = make(shape);
    AuditBytes audit;
    auto any = AuditBytes::FromWal(b, batch_codec::EncodeToScratchWithOffsets(b), &audit);
    ASSERT_TRUE(any.ok() && *any) << any.status().ToString();
    std::string raw[2], events[2];
    for (int with_bytes = 0; with_bytes < 2; ++with_bytes) {
      std::filesystem::remove_all(dir_);
      {
        auto l = OpenLedger();
        AuditLedger::SkipCounts skip;
        if (shape == 2) skip["t1"] = 3;  // t1's first three chained already
        const batch_codec::EncodedEvents given =
            with_bytes ? audit.view() : batch_codec::EncodedEvents{};
        ASSERT_TRUE(l->AppendAuditEvents("", b, &skip, given).ok());
        ASSERT_TRUE(l->AppendAuditEvents("", b, nullptr, given).ok());
        ASSERT_TRUE(l->Sync().ok());
      }
      read(&raw[with_bytes], &events[with_bytes]);
      auto reports = VerifyLedgerDir(Env::Default(), dir_, {});
      ASSERT_TRUE(reports.ok());
      for (const TenantReport& r : *reports) EXPECT_TRUE(r.ok()) << Describe(r);
    }
    EXPECT_GT(events[0].size(), 2'000u);
    EXPECT_EQ(events[0], events[1]) << "shape " << shape;
    if (shape == 1) {
      EXPECT_EQ(raw[0], raw[1]) << "a batch of one tenant's audit events: the WAL's bytes";
    } else if (shape == 0) {
      EXPECT_NE(raw[0], raw[1]) << "cut: the batch's whole name table is kept";
    }
  }
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
