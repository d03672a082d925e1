#include "event/event_batch_pool.h"

#include <chrono>

#include "common/limits.h"

namespace vigia {

// Never destroyed: a batch destroyed during static destruction (after a pool would have
// been) still gives its arrays to a live pool.
VectorPool<Field>& BatchFieldPool() {
  static auto* pool =
      new VectorPool<Field>(limits::kBatchPoolMaxIdleBytes, limits::kBatchPoolMinBufferBytes);
  return *pool;
}

VectorPool<EventBatch::EventRef>& BatchEventPool() {
  // The event array is ~1/40 of the field array: a small share of the same bound.
  static auto* pool = new VectorPool<EventBatch::EventRef>(limits::kBatchPoolMaxIdleBytes / 16,
                                                           limits::kBatchPoolMinBufferBytes);
  return *pool;
}

size_t ReleaseIdleBatchBuffers() {
  const auto idle_for = std::chrono::milliseconds(limits::kBatchPoolIdleReleaseMs);
  return BatchFieldPool().ReleaseIfIdle(idle_for) + BatchEventPool().ReleaseIfIdle(idle_for);
}

EventBatch::~EventBatch() {
  BatchFieldPool().Give(fields_);
  BatchEventPool().Give(events_);
}

void EventBatch::Reserve(size_t events, size_t fields) {
  if (events_.capacity() == 0) events_ = BatchEventPool().Take(events);
  if (fields_.capacity() == 0) fields_ = BatchFieldPool().Take(fields);
  events_.reserve(events_.size() + events);
  fields_.reserve(fields_.size() + fields);
}

std::vector<Field> EventBatch::TakeFieldBuffer(size_t n) {
  std::vector<Field> v = BatchFieldPool().Take(n);
  v.reserve(n);
  return v;
}

void EventBatch::ReplaceFields(std::vector<Field>& rebuilt) {
  BatchFieldPool().Give(fields_);
  fields_ = std::move(rebuilt);
  rebuilt.clear();
}

}  // namespace vigia
