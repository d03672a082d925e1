#include "store/store_snapshot.h"

#include <cstdio>
#include <cstdlib>

namespace vigia {
namespace {

// Store::Open returns a StoreImpl, which is also a StoreReader; a Store that is not one is
// a broken invariant (a caller-defined Store passed where an opened store is required).
const StoreReader& ReaderOf(const Store& store) {
  const auto* reader = dynamic_cast<const StoreReader*>(&store);
  if (reader == nullptr) {
    std::fprintf(stderr, "bug: GetSnapshot() on a Store that Store::Open did not return\n");
    std::abort();
  }
  return *reader;
}

}  // namespace

StoreSnapshot GetSnapshot(const Store& store) { return ReaderOf(store).GetSnapshot(); }

}  // namespace vigia
