// Memtable: the in-memory table of acknowledged batches, each with the WAL sequence number
// of its record. Readers take a Snapshot — an immutable, ref-counted list — and scan it
// without holding any lock, so queries never block appends (and vice versa) beyond the
// copy of a pointer.
//
// Entries are kept in sequence order even when concurrent appenders insert out of order.
// The columnar store later flushes a prefix to a part and drops it with RemoveUpTo(seq).
//
// Thread-safety: thread-safe. Snapshots are immutable and may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "event/event.h"

namespace vigia {

class Memtable {
 public:
  struct Entry {
    uint64_t seq;
    std::shared_ptr<const EventBatch> batch;
  };
  using Snapshot = std::shared_ptr<const std::vector<Entry>>;

  Memtable();

  // REQUIRES: batch != nullptr; seq not already present.
  void Insert(uint64_t seq, std::shared_ptr<const EventBatch> batch);

  // The entries present now, in sequence order. O(1): entries are copy-on-write.
  Snapshot GetSnapshot() const;

  // Drops every entry with sequence <= seq (they are durable elsewhere); returns the
  // memory_bytes() they held.
  uint64_t RemoveUpTo(uint64_t seq);

  uint64_t events() const;
  uint64_t batches() const;
  uint64_t memory_bytes() const;
  // The highest memory_bytes() since construction.
  uint64_t peak_memory_bytes() const;

 private:
  mutable std::mutex mu_;
  // Copy-on-write: the first insert after a snapshot was taken copies the vector.
  // Appends are amortised by keeping capacity; a copy happens at most once per snapshot.
  std::shared_ptr<std::vector<Entry>> entries_;  // guarded by mu_
  mutable bool shared_ = false;  // guarded by mu_; entries_ was handed to a snapshot
  uint64_t events_ = 0;          // guarded by mu_
  uint64_t memory_bytes_ = 0;    // guarded by mu_
  uint64_t peak_bytes_ = 0;      // guarded by mu_
};

}  // namespace vigia
