#include "server/module_disk.h"

#include <cstdio>

#include "common/json_writer.h"
#include "common/logger.h"
#include "common/time_units.h"
#include "server/own_events.h"
#include "server/server_context.h"

namespace vigia {
namespace {

std::string Mb(uint64_t bytes) {
  if (bytes < 1'000'000) return std::to_string(bytes) + " bytes";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace

Status DiskModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
  if (ctx->store == nullptr)
    return Status::Internal("disk module: the store module must start first");
  path_ = ctx->data_dir;
  free_gauge_ = ctx->metrics->GetGauge("vigia_disk_free_bytes",
                                       "Free bytes on the data directory's file system");
  total_gauge_ = ctx->metrics->GetGauge("vigia_disk_total_bytes",
                                        "Size of the data directory's file system in bytes");
  refused_ = ctx->metrics->GetCounter(
      "vigia_disk_ingest_refused_total",
      "Ingest batches refused because free space was below disk.reserve_bytes");
  dropped_bytes_ = ctx->metrics->GetCounter(
      "vigia_disk_low_dropped_bytes_total",
      "Part bytes dropped (oldest partitions) because free space was below the low watermark");
  ctx->metrics->AddCollector([this] { Refresh(); });
  if (Sample()) {
    const uint64_t free = free_bytes_.load();
    if (StateOf(free) != DiskState::kOk) {
      logger::Warn("disk: low on space at start", {{"path", path_}, {"state", Describe(free)}});
    }
  }
  if (options_.reserve_bytes > 0) ctx->ingest_gates.push_back(this);
  ScheduledTask task;
  task.name = "disk.watermark";
  task.interval_ns = int64_t{options_.check_interval_sec} * 1'000'000'000;
  task.run = [this] { return Check(); };
  ctx->scheduler->AddTask(std::move(task));
  return Status::Ok();
}

void DiskModule::Refresh() const {
  const int64_t at = sampled_at_ns_.load();
  if (at == INT64_MIN ||
      ctx_->env->MonotonicNanos() - at >= limits::kDiskSampleIntervalMs * kNanosPerMs) {
    Sample();
  }
}

bool DiskModule::Sample() const {
  Result<DiskSpace> d = ctx_->env->GetDiskSpace(path_);
  sampled_at_ns_.store(ctx_->env->MonotonicNanos());
  if (!d.ok()) {
    // Not knowing is not a reason to refuse ingest: the WAL write reports a real failure.
    free_bytes_.store(UINT64_MAX);
    return false;
  }
  free_bytes_.store(d->free_bytes);
  total_bytes_.store(d->total_bytes);
  wal_bytes_.store(ctx_->store->WalBytes());
  free_gauge_->Set(static_cast<double>(d->free_bytes));
  total_gauge_->Set(static_cast<double>(d->total_bytes));
  return true;
}

uint64_t DiskModule::RoomAfterFlush(uint64_t free_bytes) const {
  const uint64_t wal = wal_bytes_.load();
  return free_bytes > wal ? free_bytes - wal : 0;
}

DiskModule::DiskState DiskModule::StateOf(uint64_t free_bytes) const {
  if (options_.reserve_bytes > 0 && RoomAfterFlush(free_bytes) < options_.reserve_bytes) {
    return DiskState::kFull;
  }
  if (options_.low_watermark_bytes > 0 && free_bytes < options_.low_watermark_bytes) {
    return DiskState::kLow;
  }
  return DiskState::kOk;
}

std::string DiskModule::Describe(uint64_t free_bytes) const {
  switch (StateOf(free_bytes)) {
    case DiskState::kFull:
      return Mb(free_bytes) + " free on the data directory's file system, " +
             Mb(RoomAfterFlush(free_bytes)) + " once the unflushed WAL (" + Mb(wal_bytes_.load()) +
             ") is written as parts, below disk.reserve_bytes (" + Mb(options_.reserve_bytes) +
             "): ingest refused until space is freed";
    case DiskState::kLow:
      return Mb(free_bytes) + " free on the data directory's file system, below " +
             "disk.low_watermark_bytes (" + Mb(options_.low_watermark_bytes) + ")";
    case DiskState::kOk:
      return Mb(free_bytes) + " free";
  }
  return {};
}

Status DiskModule::Admit() {
  Refresh();
  const uint64_t free = free_bytes_.load();
  if (StateOf(free) != DiskState::kFull) return Status::Ok();
  refused_->Inc();
  return Status::Unavailable("disk almost full: " + Describe(free));
}

Status DiskModule::Check() {
  std::lock_guard<std::mutex> l(check_mu_);
  if (!Sample()) return Status::Ok();
  uint64_t free = free_bytes_.load();
  uint64_t dropped = 0;
  if (options_.low_watermark_drop && options_.low_watermark_bytes > 0 &&
      free < options_.low_watermark_bytes) {
    Result<uint64_t> freed = ctx_->store->DropOldestPartitions(options_.low_watermark_bytes - free);
    if (!freed.ok()) {
      logger::Error("disk: dropping the oldest partitions failed",
                    {{"error", freed.status().ToString()}});
    } else if (*freed > 0) {
      dropped = *freed;
      dropped_bytes_->Inc(dropped);
      Sample();
      free = free_bytes_.load();
    }
  }
  const DiskState state = StateOf(free);
  if (dropped > 0) {
    logger::Warn("disk: low on space, dropped the oldest partitions",
                 {{"path", path_}, {"bytes_dropped", dropped}, {"state", Describe(free)}});
    EmitAlert(
        "disk.low", state != DiskState::kOk,
        "low disk: dropped " + Mb(dropped) + " of the oldest partitions; now " + Describe(free));
  }
  if (state == reported_) return Status::Ok();
  switch (state) {
    case DiskState::kFull:
      logger::Error("disk: full, ingest refused", {{"path", path_}, {"state", Describe(free)}});
      break;
    case DiskState::kLow:
      logger::Warn("disk: low on space", {{"path", path_}, {"state", Describe(free)}});
      break;
    case DiskState::kOk:
      logger::Info("disk: space available again", {{"path", path_}, {"state", Describe(free)}});
      break;
  }
  // While ingest is refused the server's own events are refused too: the transition to
  // "full" is in the log and the metrics; "low" fired before it (the watermark is above the
  // reserve) and its resolution is recorded once space returns.
  if (dropped == 0) {
    if (state == DiskState::kOk) {
      EmitAlert("disk.low", false, "disk space available again: " + Describe(free));
    } else if (reported_ == DiskState::kOk) {
      EmitAlert("disk.low", true, "low disk: " + Describe(free));
    }
  }
  reported_ = state;
  return Status::Ok();
}

void DiskModule::EmitAlert(const std::string& alert, bool firing, const std::string& msg) {
  if (ctx_->ingest == nullptr) return;
  std::string line;
  JsonWriter w(&line);
  w.BeginObject()
      .KV("kind", "alert")
      .KV("service", "vigia")
      .KV("level", firing ? "warn" : "info")
      .KV("alert", alert)
      .KV("state", firing ? "firing" : "resolved")
      .KV("msg", msg)
      .EndObject();
  RecordOwnEvents(*ctx_, line, "disk alert event");
}

HealthState DiskModule::Health(JsonWriter* details) const {
  Refresh();
  const uint64_t free = free_bytes_.load();
  const DiskState state = StateOf(free);
  switch (state) {
    case DiskState::kOk:
      return HealthState::kOk;
    case DiskState::kLow:
      details->KV("disk", "low: " + Describe(free));
      return HealthState::kDegraded;
    case DiskState::kFull:
      details->KV("disk", "full: " + Describe(free));
      return HealthState::kUnavailable;
  }
  return HealthState::kUnavailable;
}

}  // namespace vigia
