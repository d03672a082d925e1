// AuditMirror and VerifyCluster over an in-memory ClusterLedgerStore: a node's chains (real
// ledgers in temp dirs) copied in order; a store that is down, then back: the mirror catches
// up and nothing is doubled; a new mirror (a restart) resumes at the store's head; checkpoints
// only after the records they seal; a retention prune that rewrote ledger.bin. The cluster
// verification covers every node's log, passes on untouched copies, and names each kind of
// tampering done to the store's rows (a record changed, removed, reordered, a forged
// checkpoint, a chain cut before its last checkpoint), per log; pinned keys flag an unknown
// log and a missing one.
#include "audit/audit_mirror.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "audit/cluster_ledger_store_testing.h"
#include "audit/cluster_verifier.h"
#include "event/event_fields.h"

namespace vigia::audit {
namespace {

using testing::MemoryClusterLedgerStore;

class MirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigia-mirror-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<AuditLedger> Open(const std::string& node) {
    AuditLedgerOptions o;
    o.dir = root_ + "/" + node + "/audit";
    auto l = AuditLedger::Open(o);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? std::move(*l) : nullptr;
  }
  // `n` batches of `per` audit events for `tenant`, entity ids from `first`.
  static void Append(AuditLedger* l, const std::string& tenant, int n, int per, int first = 1) {
    for (int b = 0; b < n; ++b) {
      EventBatch batch;
      for (int i = 0; i < per; ++i) {
        const int id = first + b * per + i;
        batch.BeginEvent(1'000'000'000LL * id);
        batch.AddField(fields::kKind, Value::String("audit"));
        batch.AddField(fields::kAction, Value::String("sale.created"));
        batch.AddField("entity_id", Value::String(batch.arena().Copy(std::to_string(id))));
      }
      ASSERT_TRUE(l->AppendAuditEvents(tenant, batch).ok());
    }
  }
  AuditMirrorOptions MirrorOptions(AuditLedger* l, const std::string& node) {
    AuditMirrorOptions o;
    o.ledger = l;
    o.store = &store_;
    o.node = node;
    return o;
  }
  ClusterReport Verify(ClusterVerifyOptions o = {}) {
    Result<ClusterReport> r = VerifyCluster(&store_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ClusterReport{};
  }
  // The log of `key` in `r`, tenant `tenant`'s report.
  static const TenantReport* Find(const ClusterReport& r, const std::string& key,
                                  const std::string& tenant) {
    for (const LogReport& l : r.logs) {
      if (l.public_key_hex != key) continue;
      for (const TenantReport& t : l.tenants) {
        if (t.tenant == tenant) return &t;
      }
    }
    return nullptr;
  }
  // Rows of `key`'s `tenant` chain in the store, by position.
  std::vector<MemoryClusterLedgerStore::RecordRow> Rows(const std::string& key,
                                                        const std::string& tenant) {
    std::vector<MemoryClusterLedgerStore::RecordRow> out;
    for (const auto& r : store_.records) {
      if (std::get<0>(r) == key && std::get<1>(r) == tenant) out.push_back(r);
    }
    return out;
  }

  std::string root_;
  MemoryClusterLedgerStore store_;
};

TEST_F(MirrorTest, CopiesEveryChainInOrderAndTheClusterVerifies) {
  auto a = Open("a"), b = Open("b");
  Append(a.get(), "acme", 5, 3);
  Append(a.get(), "", 2, 1);
  Append(b.get(), "acme", 4, 2);
  ASSERT_TRUE(a->Checkpoint(1).ok());
  ASSERT_TRUE(b->Checkpoint(1).ok());
  Append(a.get(), "acme", 1, 2, 100);  // unsealed tail
  AuditMirror ma(MirrorOptions(a.get(), "node-a")), mb(MirrorOptions(b.get(), "node-b"));
  ASSERT_TRUE(ma.RunOnce().ok()) << ma.stats().error;
  ASSERT_TRUE(mb.RunOnce().ok()) << mb.stats().error;
  EXPECT_EQ(ma.stats().records, 8u);  // 6 acme records + 2 of the default tenant
  EXPECT_EQ(ma.stats().checkpoints, 2u);
  EXPECT_EQ(mb.stats().records, 4u);

  ClusterReport r = Verify();
  ASSERT_EQ(r.logs.size(), 2u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.events(), 15u + 2 + 2 + 8);
  const TenantReport* acme_a = Find(r, a->key().public_key_hex(), "acme");
  ASSERT_NE(acme_a, nullptr);
  EXPECT_EQ(acme_a->events, 17u);
  EXPECT_EQ(acme_a->sealed_seq, 15u);
  EXPECT_TRUE(acme_a->signatures_checked);
  for (const LogReport& l : r.logs) {
    ASSERT_EQ(l.nodes.size(), 1u);
    EXPECT_EQ(l.nodes[0], l.public_key_hex == a->key().public_key_hex() ? "node-a" : "node-b");
  }
  // Nothing new: a round appends nothing.
  const uint64_t appends = store_.appends;
  ASSERT_TRUE(ma.RunOnce().ok());
  EXPECT_EQ(store_.appends, appends);
}

TEST_F(MirrorTest, CatchesUpAfterTheStoreWasDownAndAfterARestartWithoutDoubling) {
  auto a = Open("a");
  Append(a.get(), "acme", 3, 2);
  AuditMirrorOptions o = MirrorOptions(a.get(), "node-a");
  o.batch_bytes = 1;  // one record per INSERT: a failure part-way through a catch-up
  {
    AuditMirror m(o);
    ASSERT_TRUE(m.RunOnce().ok());
    store_.fail = true;
    Append(a.get(), "acme", 4, 2, 100);
    EXPECT_FALSE(m.RunOnce().ok());
    EXPECT_NE(m.stats().error, "");
    store_.fail = false;
    ASSERT_TRUE(m.RunOnce().ok());
    EXPECT_EQ(m.stats().error, "");
    EXPECT_EQ(m.stats().failures, 1u);
  }
  EXPECT_EQ(Rows(a->key().public_key_hex(), "acme").size(), 7u);
  // A restart: a new mirror asks the store where it is and sends only what follows.
  Append(a.get(), "acme", 2, 2, 200);
  ASSERT_TRUE(a->Checkpoint(5).ok());
  AuditMirror again(o);
  ASSERT_TRUE(again.RunOnce().ok());
  EXPECT_EQ(again.stats().records, 2u);
  EXPECT_EQ(again.stats().checkpoints, 1u);
  EXPECT_EQ(Rows(a->key().public_key_hex(), "acme").size(), 9u);
  ClusterReport r = Verify();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.events(), 18u);
}

TEST_F(MirrorTest, ARetriedAppendIsHarmless) {
  auto a = Open("a");
  Append(a.get(), "acme", 3, 1);
  AuditMirror m(MirrorOptions(a.get(), "node-a"));
  ASSERT_TRUE(m.RunOnce().ok());
  // The store forgot where it was (a lost answer): the rows are appended again, identical.
  const auto before = store_.records;
  std::vector<MirroredRecord> again;
  for (const auto& r : before)
    again.push_back({std::get<1>(r), std::get<2>(r), std::get<3>(r), std::get<4>(r)});
  ASSERT_TRUE(store_.AppendRecords(a->key().public_key_hex(), again).ok());
  EXPECT_EQ(store_.records, before);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(MirrorTest, ACheckpointWaitsForItsRecordsAndAPrunedLedgerGoesOn) {
  auto a = Open("a");
  Append(a.get(), "acme", 4, 1);
  ASSERT_TRUE(a->Checkpoint(1'000).ok());
  Append(a.get(), "acme", 4, 1, 10);
  ASSERT_TRUE(a->Checkpoint(2'000).ok());
  AuditMirror m(MirrorOptions(a.get(), "node-a"));
  ASSERT_TRUE(m.RunOnce().ok());
  // Retention rewrites ledger.bin (records 1..4 go); later records still follow.
  auto dropped = a->Prune(1'500);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(*dropped, 4u);
  Append(a.get(), "acme", 3, 1, 20);
  ASSERT_TRUE(m.RunOnce().ok()) << m.stats().error;
  EXPECT_EQ(Rows(a->key().public_key_hex(), "acme").size(), 11u);
  ClusterReport r = Verify();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.events(), 11u);  // the store keeps what retention dropped on the node
}

class ClusterTamperTest : public MirrorTest {
 protected:
  void SetUp() override {
    MirrorTest::SetUp();
    a_ = Open("a");
    b_ = Open("b");
    Append(a_.get(), "acme", 6, 2);
    Append(b_.get(), "acme", 3, 1);
    ASSERT_TRUE(a_->Checkpoint(1).ok());
    ASSERT_TRUE(b_->Checkpoint(1).ok());
    AuditMirror ma(MirrorOptions(a_.get(), "node-a")), mb(MirrorOptions(b_.get(), "node-b"));
    ASSERT_TRUE(ma.RunOnce().ok());
    ASSERT_TRUE(mb.RunOnce().ok());
    ASSERT_TRUE(Verify().ok());
    key_ = a_->key().public_key_hex();
  }
  // The one break of node a's acme chain; b's must stay clean.
  ChainBreak OnlyBreak() {
    ClusterReport r = Verify();
    EXPECT_FALSE(r.ok());
    const TenantReport* t = Find(r, key_, "acme");
    const TenantReport* other = Find(r, b_->key().public_key_hex(), "acme");
    EXPECT_TRUE(other != nullptr && other->ok());
    if (t == nullptr || t->breaks.empty()) {
      ADD_FAILURE() << "no break reported";
      return {};
    }
    for (const ChainBreak& b : t->breaks) {
      std::printf("  %s at %llu: %s\n", std::string(TamperKindName(b.kind)).c_str(),
                  static_cast<unsigned long long>(b.seq), b.detail.c_str());
    }
    return t->breaks.front();
  }
  MemoryClusterLedgerStore::RecordRow Take(uint64_t seq) {
    for (auto it = store_.records.begin(); it != store_.records.end(); ++it) {
      if (std::get<0>(*it) == key_ && std::get<2>(*it) == seq) {
        auto row = *it;
        store_.records.erase(it);
        return row;
      }
    }
    ADD_FAILURE() << "no row at " << seq;
    return {};
  }

  std::unique_ptr<AuditLedger> a_, b_;
  std::string key_;
};

TEST_F(ClusterTamperTest, ARecordChangedIsEdited) {
  auto row = Take(5);
  std::string& bytes = std::get<4>(row);
  bytes[bytes.size() - 10] ^= 1;  // inside the payload
  store_.records.insert(row);
  ChainBreak b = OnlyBreak();
  EXPECT_EQ(b.kind, TamperKind::kEdited);
  EXPECT_EQ(b.seq, 5u);
}

TEST_F(ClusterTamperTest, AConflictingRowBesideTheNodesOwnIsNamed) {
  auto row = Take(5);
  store_.records.insert(row);
  std::get<4>(row)[std::get<4>(row).size() - 10] ^= 1;
  store_.records.insert(row);  // both rows at position 5
  ChainBreak b = OnlyBreak();
  EXPECT_TRUE(b.kind == TamperKind::kEdited || b.kind == TamperKind::kInserted);
  EXPECT_EQ(b.seq, 5u);
}

TEST_F(ClusterTamperTest, ARecordRemovedIsDeleted) {
  Take(7);
  ChainBreak b = OnlyBreak();
  EXPECT_EQ(b.kind, TamperKind::kDeleted);
  EXPECT_EQ(b.seq, 7u);
}

TEST_F(ClusterTamperTest, TwoRecordsSwappedAreReordered) {
  auto r3 = Take(3), r5 = Take(5);
  std::swap(std::get<4>(r3), std::get<4>(r5));  // the rows' positions keep, their bytes swap
  store_.records.insert(r3);
  store_.records.insert(r5);
  ChainBreak b = OnlyBreak();
  EXPECT_EQ(b.kind, TamperKind::kReordered);
}

TEST_F(ClusterTamperTest, ACheckpointWithABadSignatureIsForged) {
  std::string json;
  for (const auto& c : store_.checkpoints) {
    if (std::get<0>(c) == key_) json = std::get<3>(c);
  }
  Checkpoint c;
  ASSERT_TRUE(ParseCheckpointJson(json, &c));
  c.seq = 11;
  store_.checkpoints.insert({key_, "acme", 11, CheckpointJson(c)});
  ChainBreak b = OnlyBreak();
  EXPECT_EQ(b.kind, TamperKind::kForged);
  EXPECT_EQ(b.seq, 11u);
}

TEST_F(ClusterTamperTest, AChainCutBeforeItsLastCheckpointIsTruncated) {
  Take(11);
  Take(9);
  ChainBreak b = OnlyBreak();
  EXPECT_EQ(b.kind, TamperKind::kTruncated);
  EXPECT_EQ(b.seq, 9u);
}

TEST_F(ClusterTamperTest, PinnedKeysFlagAnUnknownLogAndAMissingOne) {
  ClusterVerifyOptions o;
  o.trusted_keys = {key_, std::string(64, 'a')};
  ClusterReport r = Verify(o);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.logs.size(), 3u);
  for (const LogReport& l : r.logs) {
    if (l.public_key_hex == key_) {
      EXPECT_TRUE(l.ok());
      EXPECT_TRUE(l.pinned);
    } else if (l.public_key_hex == std::string(64, 'a')) {
      EXPECT_TRUE(l.missing);
    } else {
      EXPECT_FALSE(l.trusted);  // node b's key is not pinned
      EXPECT_FALSE(l.ok());
    }
  }
  // Its own key is trusted without a pin.
  o.trusted_keys = {key_};
  o.own_key = b_->key().public_key_hex();
  EXPECT_TRUE(Verify(o).ok());
}

}  // namespace
}  // namespace vigia::audit
