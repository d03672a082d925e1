// Logger: the SDK's entry point. Application threads call log()/audit()/report(); each call
// is encoded into the calling thread's own pre-allocated SPSC byte ring and returns — no
// lock, no syscall, no allocation after the thread's first call (which claims a ring). One
// background thread drains all rings, encodes canonical vigia JSON events (docs/architecture.md,
// "The event model"), redacts secrets and hands them to the sinks (stdout, rotated file, shipper).
//
// Why per-thread SPSC rings rather than one MPSC ring: with one shared ring every producer
// writes the same tail index, so four threads logging at once bounce its cache line and the
// median call cost grows with the thread count; a per-thread ring has no shared writable
// cache line between producers, so the cost (~19-20 ns mean on the 2026-12-05 VM, sdk/README.md)
// does not grow with the thread count. The price is memory per producer thread, bounded by
// Config::max_threads × Config::ring_bytes; rings of exited threads are reused, and a thread
// beyond the cap has its events dropped and counted (reason "thread_limit"). Variable-length
// records (not fixed slots) let a 1 MiB ring hold ~10k typical events without capping the
// size of one.
//
// When a ring is full the event is dropped and counted per reason; when space returns the
// background thread emits a "dropped N events" warn event and calls Config::on_drop.
//
// Thread-safety: all logging methods are thread-safe, wait-free and noexcept. flush() and
// shutdown() may block (bounded) and must not be called from the background thread (sink
// code or the on_drop callback).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "vigia/config.h"
#include "vigia/context.h"
#include "vigia/field.h"
#include "vigia/metrics.h"
#include "vigia/shipper.h"
#include "vigia/sink.h"
#include "vigia/status.h"

namespace vigia::sdk {

struct DropStats {
  uint64_t queue_full = 0;    // the thread's ring had no room
  uint64_t thread_limit = 0;  // more producer threads than Config::max_threads
  uint64_t too_large = 0;     // one event larger than a quarter of a ring
  uint64_t stopped = 0;       // logged after shutdown()
  uint64_t total() const { return queue_full + thread_limit + too_large + stopped; }
};

struct AuditEvent {
  std::string_view action;     // "entity.verb", e.g. "sale.pay"
  std::string_view entity;     // "sale"
  std::string_view entity_id;  // "1234"
  bool success = true;
  std::string_view actor;  // defaults to the context's user_id
  bool sensitive = false;
  double duration_ms = -1;  // < 0: not measured
};

class Logger {
 public:
  // Starts the background thread and sinks; ships crash records left by a previous run.
  static Result<std::unique_ptr<Logger>> create(Config cfg);
  ~Logger();  // shutdown()
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool enabled(Level level) const { return level >= min_level_; }

  void log(Level level, std::string_view msg, Fields fields = {}) noexcept {
    if (level >= min_level_) log_current(level, msg, fields.begin(), fields.size());
  }
  void log(const Context& ctx, Level level, std::string_view msg, Fields fields = {}) noexcept {
    if (level >= min_level_) emit(Kind::kLog, level, msg, fields, ctx);
  }
  void trace(std::string_view msg, Fields f = {}) noexcept { log(Level::kTrace, msg, f); }
  void debug(std::string_view msg, Fields f = {}) noexcept { log(Level::kDebug, msg, f); }
  void info(std::string_view msg, Fields f = {}) noexcept { log(Level::kInfo, msg, f); }
  void warn(std::string_view msg, Fields f = {}) noexcept { log(Level::kWarn, msg, f); }
  void error(std::string_view msg, Fields f = {}) noexcept { log(Level::kError, msg, f); }
  void fatal(std::string_view msg, Fields f = {}) noexcept { log(Level::kFatal, msg, f); }

  // Audit record (kind=audit): action/entity/entity_id/outcome/actor + details fields.
  void audit(const AuditEvent& ev, Fields details = {}) noexcept;
  // Error record (kind=error) with type, message and a stack symbolized on the background
  // thread. The stack is the one of the caller of report() (the catch site).
  void report(const std::exception& e, Fields fields = {}) noexcept;
  void report_error(std::string_view type, std::string_view message, Fields fields = {}) noexcept;
  // Lowest-level entry: any kind, explicit context.
  void emit(Kind kind, Level level, std::string_view msg, Fields fields,
            const Context& ctx) noexcept;

  // Same as emit() with a runtime-sized field array (for wrappers such as RequestScope).
  void emit_fields(Kind kind, Level level, std::string_view msg, const Field* fields, size_t n,
                   const Context& ctx) noexcept {
    if (level >= min_level_) emit_list(kind, level, msg, fields, n, ctx, nullptr, 0);
  }

  Metrics& metrics() { return *metrics_; }
  DropStats drops() const;
  // Shipper statistics (all zero when shipping is disabled).
  ShipperStats shipper_stats() const;
  // Events the background thread has encoded and handed to sinks.
  uint64_t events_written() const;

  // Waits until everything logged before the call reached the sinks and they flushed
  // (bounded by timeout). Returns Unavailable on timeout.
  Status flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // Stops accepting events, drains, emits the session summary, closes sinks within
  // Config::shutdown_timeout. Idempotent.
  void shutdown() noexcept;

  struct Impl;

 private:
  explicit Logger(std::unique_ptr<Impl> impl);
  // log() with the thread's current context: the call every log statement makes (six
  // arguments, all in registers; the context is read inside).
  void log_current(Level level, std::string_view msg, const Field* fields, size_t nfields) noexcept;
  void emit_list(Kind kind, Level level, std::string_view msg, const Field* fields, size_t nfields,
                 const Context& ctx, void* const* frames, int nframes) noexcept;
  std::unique_ptr<Impl> impl_;
  Level min_level_;
  std::unique_ptr<Metrics> metrics_;
};

// Process-wide default logger (used by the crash handlers). init() replaces it; the previous
// one is shut down. default_logger() is nullptr before init().
Status init(Config cfg);
Logger* default_logger();
void shutdown_default();

}  // namespace vigia::sdk
