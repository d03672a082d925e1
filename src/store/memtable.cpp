// Memtable: copy-on-write list of acknowledged batches (see memtable.h).
#include "store/memtable.h"

#include <algorithm>

namespace vigia {

Memtable::Memtable() : entries_(std::make_shared<std::vector<Entry>>()) {}

void Memtable::Insert(uint64_t seq, std::shared_ptr<const EventBatch> batch) {
  const uint64_t n = batch->size();
  const uint64_t mem = batch->MemoryUsage();
  std::lock_guard<std::mutex> lock(mu_);
  if (shared_) {
    // A snapshot may still hold the current vector: give writers a private copy. (Not
    // use_count(): its relaxed load would not order the reader's last reads before our
    // writes.) Reserve headroom so the copy also absorbs the next appends.
    auto copy = std::make_shared<std::vector<Entry>>();
    copy->reserve(entries_->size() * 2 + 16);
    copy->assign(entries_->begin(), entries_->end());
    entries_ = std::move(copy);
    shared_ = false;
  }
  std::vector<Entry>& v = *entries_;
  // Appenders finish their WAL writes in nearly sequence order; search from the back.
  auto it = v.end();
  while (it != v.begin() && std::prev(it)->seq > seq) --it;
  v.insert(it, Entry{seq, std::move(batch)});
  events_ += n;
  memory_bytes_ += mem;
  peak_bytes_ = std::max(peak_bytes_, memory_bytes_);
}

Memtable::Snapshot Memtable::GetSnapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  shared_ = true;
  return entries_;
}

uint64_t Memtable::RemoveUpTo(uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  auto keep = std::make_shared<std::vector<Entry>>();
  uint64_t removed = 0;
  for (const Entry& e : *entries_) {
    if (e.seq <= seq) {
      events_ -= e.batch->size();
      removed += e.batch->MemoryUsage();
    } else {
      keep->push_back(e);
    }
  }
  entries_ = std::move(keep);
  shared_ = false;
  memory_bytes_ -= removed;
  return removed;
}

uint64_t Memtable::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

uint64_t Memtable::batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_->size();
}

uint64_t Memtable::memory_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return memory_bytes_;
}

uint64_t Memtable::peak_memory_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_bytes_;
}

}  // namespace vigia
