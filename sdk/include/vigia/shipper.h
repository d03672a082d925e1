// Shipper: the sink that sends events to a vigia server (POST /v1/events, NDJSON, zstd or
// gzip, Bearer key) in batches by count/bytes/time, on its own sender thread with a
// keep-alive libcurl handle. Retries 429/503/5xx/network errors with exponential backoff and
// full jitter (honouring Retry-After); never retries 400/401/403/413. While the server is
// unreachable, batches go to a bounded on-disk spool replayed in order when it returns.
//
// Thread-safety: write/flush/close/tick are called by the logger's background thread only;
// stats() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vigia/config.h"
#include "vigia/sink.h"

namespace vigia::sdk {

struct ShipperStats {
  uint64_t events_sent = 0;      // acknowledged by the server as accepted
  uint64_t events_rejected = 0;  // server said rejected (per-line) or 400/413 batch
  uint64_t events_spooled = 0;   // written to the spool (may be sent later)
  uint64_t events_dropped_spool_full = 0;
  uint64_t events_dropped_unsent = 0;  // at shutdown, neither sent nor spooled
  uint64_t batches_sent = 0;
  uint64_t requests = 0;  // HTTP attempts, including retries
  uint64_t retries = 0;
  uint64_t spool_bytes = 0;
  std::string last_error;  // of the last failed attempt, for diagnostics
};

class Shipper final : public Sink {
 public:
  static Result<std::unique_ptr<Shipper>> create(const ShipperConfig& cfg,
                                                 const std::string& spool_dir);
  ~Shipper() override;
  void write(const EventView& ev) override;
  void flush(std::chrono::steady_clock::time_point deadline) override;
  void close(std::chrono::steady_clock::time_point deadline) override;
  void tick() override;
  ShipperStats stats() const;

  struct Impl;

 private:
  explicit Shipper(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia::sdk
