// DiskModule: keeps the server alive and consistent as the data directory's file system
// fills up (docs/operations.md, "Disk full and I/O errors"). Two thresholds on its free
// space (Env::GetDiskSpace, statvfs):
//   - below disk.low_watermark_bytes (checked every disk.check_interval_sec by the scheduler
//     task `disk.watermark`): a warning, a kind=alert event `disk.low` (state firing, then
//     resolved), /health/ready "degraded", and — with disk.low_watermark_drop — size
//     retention applied early: the oldest partitions are dropped (Store::DropOldestPartitions,
//     never the newest day) until the free space is back above the watermark;
//   - below disk.reserve_bytes — free space minus the live WAL bytes, the room the next
//     flush needs for the parts it writes before it deletes the WAL they cover: ingest is refused
//     (an IngestGate: 503 with Retry-After, the reason in the body, nothing of the batch stored)
//     *before* a WAL write fails, so flushes and merges still have room; /health/ready is
//     "unavailable" (load balancers drain the node), queries go on, and ingest resumes by itself
//     once space returns (the gate re-reads the free space at most every
//     limits::kDiskSampleIntervalMs).
// A disk that fills anyway (another process, a reserve set too low) still ends in the
// store's own ENOSPC handling: the failed WAL write is refused the same way.
// Metrics: vigia_disk_free_bytes, vigia_disk_total_bytes, vigia_disk_ingest_refused_total,
// vigia_disk_low_dropped_bytes_total.
//
// Thread-safety: see ServerModule; Admit() runs on every ingest thread (atomics only).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "common/limits.h"
#include "common/metric_registry.h"
#include "ingest/ingest_pipeline.h"
#include "server/server_module.h"

namespace vigia {

// [disk]
struct DiskModuleOptions {
  uint64_t reserve_bytes = limits::kDiskReserveBytes;             // 0 = never refuse
  uint64_t low_watermark_bytes = limits::kDiskLowWatermarkBytes;  // 0 = no watermark
  bool low_watermark_drop = true;  // drop the oldest partitions below the watermark
  int check_interval_sec = limits::kDiskCheckIntervalSec;
};

class DiskModule final : public ServerModule, public IngestGate {
 public:
  explicit DiskModule(DiskModuleOptions options) : options_(options) {}

  std::string_view name() const override { return "disk"; }
  Status Start(ServerContext* ctx) override;
  HealthState Health(JsonWriter* details) const override;

  // IngestGate: Unavailable while the free space is below disk.reserve_bytes.
  Status Admit() override;

  // The scheduler task: re-reads the free space, alerts on a change of state, drops the
  // oldest partitions below the watermark. Public for tests.
  Status Check();

 private:
  enum class DiskState { kOk, kLow, kFull };

  // Reads the free space now (and updates the gauges); false when statvfs failed.
  bool Sample() const;
  // Sample() when the last reading is older than limits::kDiskSampleIntervalMs.
  void Refresh() const;
  DiskState StateOf(uint64_t free_bytes) const;
  std::string Describe(uint64_t free_bytes) const;
  // Free bytes left once the unflushed WAL is written out as parts.
  uint64_t RoomAfterFlush(uint64_t free_bytes) const;
  void EmitAlert(const std::string& alert, bool firing, const std::string& msg);

  const DiskModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::string path_;

  // The last reading (UINT64_MAX: unknown, treated as plenty).
  mutable std::atomic<uint64_t> free_bytes_{UINT64_MAX};
  mutable std::atomic<uint64_t> total_bytes_{0};
  // Live WAL bytes at the last sample: the next flush writes parts for them before the WAL
  // segments they cover are deleted, so the reserve counts them as already spent.
  mutable std::atomic<uint64_t> wal_bytes_{0};
  mutable std::atomic<int64_t> sampled_at_ns_{INT64_MIN};  // monotonic

  std::mutex check_mu_;                  // one Check at a time
  DiskState reported_ = DiskState::kOk;  // guarded by check_mu_: the state last alerted

  Gauge* free_gauge_ = nullptr;
  Gauge* total_gauge_ = nullptr;
  Counter* refused_ = nullptr;
  Counter* dropped_bytes_ = nullptr;
};

}  // namespace vigia
