// Spool: bounded on-disk FIFO of compressed batches the server could not take yet. One file
// per batch named by its sequence number (so replay order is batch order even when an older
// in-flight batch is spooled after newer ones), written to a temp name and renamed.
//
// Thread-safety: externally synchronized (the shipper's mutex).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace vigia::sdk::internal {

struct SpooledBatch {
  uint64_t seq = 0;
  uint32_t events = 0;
  std::string encoding;  // "zstd", "gzip" or ""
  std::string body;      // compressed
};

class Spool {
 public:
  Spool(std::string dir, uint64_t max_bytes);
  // Scans the directory (batches of a previous run are replayed first). Returns the highest
  // sequence found (0 if none).
  uint64_t open();
  // False when it would exceed max_bytes or the write failed.
  bool push(const SpooledBatch& b);
  bool empty() const { return files_.empty(); }
  size_t count() const { return files_.size(); }
  uint64_t bytes() const { return bytes_; }
  // Reads the oldest batch; false if empty or unreadable (an unreadable file is removed).
  bool front(SpooledBatch* out);
  void pop_front();
  bool enabled() const { return !dir_.empty() && max_bytes_ > 0; }

 private:
  std::string path_of(uint64_t seq) const;
  std::string dir_;
  uint64_t max_bytes_;
  uint64_t bytes_ = 0;
  std::map<uint64_t, uint64_t> files_;  // seq -> size
};

}  // namespace vigia::sdk::internal
