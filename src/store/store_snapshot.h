// StoreSnapshot and StoreReader: the read side of the Store, for the query engine.
//
// The server holds a Store through the narrow facade of store.h (append, flush, stats,
// health) and never sees parts or snapshots. Whatever scans events — the query engine's
// local backend, the store's own tests, offline tools — includes this header and reads a
// StoreSnapshot: the immutable parts plus the memtable batches they do not cover, taken
// atomically, unchanged while flushes, merges and retention run.
//
// Every Store opened by Store::Open is also a StoreReader; GetSnapshot(store) reaches that
// side without the facade having to mention snapshots.
//
// Thread-safety: StoreReader is thread-safe; a StoreSnapshot is immutable (share it freely).
#pragma once

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

// The snapshot of `store` as of now (its StoreReader::GetSnapshot).
// REQUIRES: `store` was opened by Store::Open (every Store is).
StoreSnapshot GetSnapshot(const Store& store);

}  // namespace vigia
