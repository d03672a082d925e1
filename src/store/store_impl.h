// StoreImpl: the Store of the foundation stage — WAL (durability) + Memtable (reads).
//
// Append: the batch is encoded on the caller's thread (in parallel with other callers),
// group-committed to the WAL, then inserted in the memtable with its WAL sequence. Open
// replays the WAL into the memtable. Health combines the WAL's last error with a periodic
// probe that the data directory accepts new files.
//
// Thread-safety: thread-safe (the Store contract).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "store/memtable.h"
#include "store/store.h"
#include "store/wal_writer.h"

namespace vigia {

class StoreImpl final : public Store {
 public:
  static Result<std::unique_ptr<StoreImpl>> OpenImpl(const StoreOptions& options);
  ~StoreImpl() override;

  Status Append(std::shared_ptr<const EventBatch> batch) override;
  Status Sync() override;
  Status Close() override;
  void ForEachBatch(const std::function<void(const EventBatch&)>& fn) const override;
  StoreStats Stats() const override;
  Status Health() const override;

  // The memtable's current contents with their WAL sequences (for the columnar store
  // flush and for tests).
  Memtable::Snapshot MemtableSnapshot() const { return memtable_.GetSnapshot(); }

 private:
  explicit StoreImpl(const StoreOptions& options, Env* env);
  Status ProbeWritable() const;

  const StoreOptions options_;
  Env* const env_;
  std::unique_ptr<WalWriter> wal_;
  Memtable memtable_;
  std::atomic<bool> closed_{false};

  // Replay outcome of Open, reported by Stats().
  uint64_t replayed_records_ = 0;
  uint64_t corrupt_records_ = 0;
  uint64_t torn_tail_bytes_ = 0;

  // Cached result of the write probe (it creates a file; at most once a second).
  mutable std::mutex probe_mu_;
  mutable int64_t probe_at_ns_ = 0;  // guarded by probe_mu_; 0 = never probed
  mutable Status probe_status_;      // guarded by probe_mu_
};

}  // namespace vigia
