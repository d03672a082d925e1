// Test helper for the store's read side: every event of a snapshot, decoded — what tests
// compare with what they appended (the query engine reads parts block by block instead).
//
// Thread-safety: as StoreSnapshot (immutable); `fn` runs on the caller's thread.
#pragma once

#include <functional>

#include "common/logger.h"
#include "store/store_snapshot.h"

namespace vigia::testing {

// Calls `fn` for every batch of `snapshot`: the events of each part (decoded, one batch per
// part), then the memtable batches in append order. A part that cannot be read is logged
// and skipped (it is listed by Store::Degraded()).
inline void ForEachBatch(const StoreSnapshot& snapshot,
                         const std::function<void(const EventBatch&)>& fn) {
  for (const auto& p : snapshot.parts->parts) {
    Result<EventBatch> events = p->reader->ReadAllEvents();
    if (!events.ok()) {
      logger::Error("store: unreadable part skipped",
                    {{"part", p->reader->dir()}, {"error", events.status().ToString()}});
      continue;
    }
    fn(*events);
  }
  for (const auto& b : snapshot.memtable) fn(*b);
}

}  // namespace vigia::testing
