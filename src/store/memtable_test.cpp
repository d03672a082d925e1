#include "store/memtable.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vigia {
namespace {

std::shared_ptr<const EventBatch> Batch(size_t n) {
  auto b = std::make_shared<EventBatch>();
  for (size_t i = 0; i < n; ++i) {
    b->BeginEvent(static_cast<int64_t>(i));
    b->AddField("kind", Value::String("log"));
  }
  return b;
}

std::vector<uint64_t> Seqs(const Memtable::Snapshot& s) {
  std::vector<uint64_t> v;
  for (const auto& e : *s) v.push_back(e.seq);
  return v;
}

TEST(Memtable, KeepsSequenceOrderWhenInsertedOutOfOrder) {
  Memtable mt;
  for (uint64_t seq : {1, 3, 2, 5, 4, 6}) mt.Insert(seq, Batch(2));
  EXPECT_EQ(Seqs(mt.GetSnapshot()), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(mt.events(), 12u);
  EXPECT_EQ(mt.batches(), 6u);
  EXPECT_GT(mt.memory_bytes(), 0u);
}

TEST(Memtable, SnapshotsAreImmutable) {
  Memtable mt;
  mt.Insert(1, Batch(1));
  Memtable::Snapshot snap = mt.GetSnapshot();
  mt.Insert(2, Batch(1));
  mt.RemoveUpTo(1);
  EXPECT_EQ(Seqs(snap), (std::vector<uint64_t>{1}));
  EXPECT_EQ(Seqs(mt.GetSnapshot()), (std::vector<uint64_t>{2}));
  EXPECT_EQ(mt.events(), 1u);
}

TEST(Memtable, ReadersSeeConsistentPrefixesWhileWritersInsert) {
  Memtable mt;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint64_t seq = 1; seq <= 3000; ++seq) mt.Insert(seq, Batch(1));
    done = true;
  });
  size_t last = 0;
  while (!done) {
    auto snap = mt.GetSnapshot();
    // Single writer inserting in order: every snapshot is exactly 1..n.
    for (size_t i = 0; i < snap->size(); ++i) ASSERT_EQ((*snap)[i].seq, i + 1);
    ASSERT_GE(snap->size(), last);
    last = snap->size();
  }
  writer.join();
  EXPECT_EQ(mt.GetSnapshot()->size(), 3000u);
}

}  // namespace
}  // namespace vigia
