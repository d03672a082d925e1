// StoreSnapshot and StoreReader: the read side of the Store, for the query engine.
//
// The server holds a Store through the narrow facade of store.h (append, flush, stats,
// health) and never sees parts or snapshots. Whatever scans events — the query engine's
// local backend, the store's own tests, offline tools — includes this header and reads a
// StoreSnapshot: the immutable parts plus the memtable batches they do not cover, taken
// atomically, unchanged while flushes, merges and retention run.
//
// Every Store opened by Store::Open is a StoreReader; ReaderOf() gives that view without
// the facade having to mention snapshots.
//
// Thread-safety: StoreReader is thread-safe; a StoreSnapshot is immutable (share it freely).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "event/event.h"
#include "store/partition_set.h"
#include "store/store.h"

namespace vigia {

// A consistent read view: parts plus the memtable batches they do not cover. Stays valid
// (and unchanged) while flushes, merges and retention run.
struct StoreSnapshot {
  std::shared_ptr<const PartSnapshot> parts;                // never null
  std::vector<std::shared_ptr<const EventBatch>> memtable;  // in WAL order
};

class StoreReader {
 public:
  virtual ~StoreReader() = default;
  // Parts + memtable as of now.
  virtual StoreSnapshot GetSnapshot() const = 0;
};

// The read side of `store`, sharing its ownership.
// REQUIRES: `store` was opened by Store::Open (every Store is).
std::shared_ptr<const StoreReader> ReaderOf(std::shared_ptr<const Store> store);

// ReaderOf(store).GetSnapshot(), for a caller that holds the store itself.
// REQUIRES: as for ReaderOf.
StoreSnapshot GetSnapshot(const Store& store);

// Calls `fn` for every batch of `snapshot`: the events of each part (decoded, one batch per
// part), then the memtable batches in append order. A part that cannot be read is logged
// and skipped (it is listed by Store::Degraded()).
void ForEachBatch(const StoreSnapshot& snapshot, const std::function<void(const EventBatch&)>& fn);

}  // namespace vigia
