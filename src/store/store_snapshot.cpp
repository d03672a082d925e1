#include "store/store_snapshot.h"

#include <cstdio>
#include <cstdlib>

#include "common/logger.h"

namespace vigia {
namespace {

// Store::Open returns a StoreImpl, which is also a StoreReader; a Store that is not one is
// a broken invariant (a caller-defined Store passed where an opened store is required).
const StoreReader& CheckedReader(const Store& store) {
  const auto* reader = dynamic_cast<const StoreReader*>(&store);
  if (reader == nullptr) {
    std::fprintf(stderr, "bug: ReaderOf() on a Store that Store::Open did not return\n");
    std::abort();
  }
  return *reader;
}

}  // namespace

std::shared_ptr<const StoreReader> ReaderOf(std::shared_ptr<const Store> store) {
  const StoreReader& reader = CheckedReader(*store);
  return std::shared_ptr<const StoreReader>(std::move(store), &reader);
}

StoreSnapshot GetSnapshot(const Store& store) { return CheckedReader(store).GetSnapshot(); }

void ForEachBatch(const StoreSnapshot& snapshot, const std::function<void(const EventBatch&)>& fn) {
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

}  // namespace vigia
