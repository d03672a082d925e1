#include "vigia/logger.h"

#include <cxxabi.h>
#include <execinfo.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "elf_symbolizer.h"
#include "event_encoder.h"
#include "identity.h"
#include "record.h"
#include "spsc_ring.h"
#include "tsc_clock.h"
#include "vigia/crash.h"

namespace vigia::sdk {

using internal::DecodedEvent;
using internal::DecodedField;
using internal::SpscRing;
using internal::TscClock;

namespace {

std::atomic<uint64_t> g_next_logger_id{1};

// The calling thread's ring for the logger it used last, read by every call. Trivially
// destructible on purpose: a thread_local with a destructor is reached through a guard check
// (and registers its destructor on first use) on every access; this one is a plain TLS load.
struct ThreadRing {
  uint64_t logger_id = 0;
  internal::SpscRing* ring = nullptr;  // owned through tl_ring_owner
  uint32_t retry_countdown = 0;
  bool exited = false;  // the thread is exiting (its RingOwner is gone): no ring any more
};
thread_local ThreadRing tl_ring;

// Holds the shared_ptr that keeps the thread's ring alive if the logger dies first, and gives
// the ring back for reuse when the thread exits. Touched only when a ring is claimed or released.
struct RingOwner {
  std::shared_ptr<SpscRing> ring;
  ~RingOwner() {
    if (ring) ring->owned.store(false, std::memory_order_release);
    // A call made later in this thread's exit (another thread_local's destructor) must not
    // write into a ring another thread may now own: it is dropped and counted instead.
    tl_ring.ring = nullptr;
    tl_ring.logger_id = 0;
    tl_ring.exited = true;
  }
};
thread_local RingOwner tl_ring_owner;

size_t round_pow2(size_t v) {
  size_t p = 4096;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

struct Logger::Impl {
  // What every call reads, on a cache line of its own that nothing writes after start but
  // shutdown(): next to the counters below (the worker adds to events_written per event) each
  // call made while the worker delivers events would wait for the line to come back.
  alignas(64) uint64_t logger_id = 0;
  size_t max_str = 0;  // min(cfg.max_string_bytes, 65535): the record's u16 lengths
  std::atomic<bool> accepting{true};

  alignas(64) Config cfg;
  internal::Identity id;
  TscClock clock;
  Metrics* metrics = nullptr;

  std::mutex rings_mu;
  std::vector<std::shared_ptr<SpscRing>> rings;
  std::atomic<uint64_t> rings_version{0};

  // Written by producers when they drop (rare) and by the worker.
  alignas(64) std::atomic<uint64_t> drop_thread_limit{0}, drop_too_large{0}, drop_stopped{0};
  std::atomic<uint64_t> queue_full_total{0};  // mirrored by the worker from the rings
  std::atomic<uint64_t> events_written{0};

  std::vector<std::unique_ptr<Sink>> sinks;
  Shipper* shipper = nullptr;

  std::thread worker;
  std::mutex mu;
  std::condition_variable cv, flush_cv;
  bool stop = false;
  bool shut = false;
  uint64_t flush_req = 0, flush_done = 0;
  std::chrono::steady_clock::time_point flush_deadline;

  SpscRing* acquire_ring(ThreadRing& tr, bool may_block);
  // A free existing ring claimed for one record by a thread that has no ring of its own any
  // more; nullptr when none is free or the lock is taken. The caller releases `owned`.
  SpscRing* borrow_ring();
  void run();
};

SpscRing* Logger::Impl::borrow_ring() {
  std::unique_lock<std::mutex> lock(rings_mu, std::try_to_lock);
  if (!lock.owns_lock()) return nullptr;
  for (auto& r : rings) {
    bool expected = false;
    if (r->owned.compare_exchange_strong(expected, true, std::memory_order_acquire)) return r.get();
  }
  return nullptr;
}

SpscRing* Logger::Impl::acquire_ring(ThreadRing& tr, bool may_block) {
  if (tr.exited) return nullptr;
  RingOwner& owner = tl_ring_owner;
  if (owner.ring && tr.logger_id != logger_id) {
    owner.ring->owned.store(false, std::memory_order_release);
    owner.ring.reset();
    tr.ring = nullptr;
  }
  tr.logger_id = logger_id;
  std::unique_lock<std::mutex> lock(rings_mu, std::defer_lock);
  if (may_block) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return nullptr;
  }
  for (auto& r : rings) {
    bool expected = false;
    if (r->owned.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      owner.ring = r;
      tr.ring = r.get();
      return tr.ring;
    }
  }
  if (rings.size() >= cfg.max_threads) return nullptr;
  try {
    auto r = std::make_shared<SpscRing>(round_pow2(cfg.ring_bytes));
    r->owned.store(true, std::memory_order_relaxed);
    rings.push_back(r);
    rings_version.fetch_add(1, std::memory_order_release);
    owner.ring = std::move(r);
    tr.ring = owner.ring.get();
    return tr.ring;
  } catch (...) {
    return nullptr;
  }
}

namespace {

// Encodes one call into `ring` (see record.h) and publishes it; counts a drop when the event
// is too large or the ring is full. The general encoder: stack frames, keys and strings cut at
// their limits, strings of any length (memcpy). A log call takes write_fast() instead.
[[gnu::noinline]] void write_general(Logger::Impl& I, SpscRing* ring, Kind kind, Level level,
                                     std::string_view msg, const Field* fields, size_t nfields,
                                     const Context& ctx, void* const* frames, int nframes) {
  const size_t max_str = I.max_str;
  const size_t mlen = msg.size() < max_str ? msg.size() : max_str;
  const size_t clen = ctx.size_bytes();
  const size_t nf = nfields < internal::kMaxFields ? nfields : internal::kMaxFields;
  size_t size = internal::kRecordFixed + static_cast<size_t>(nframes) * 8 + mlen + clen;
  for (size_t i = 0; i < nf; ++i) size += internal::field_encoded_size(fields[i], max_str);
  if (size > ring->max_payload()) [[unlikely]] {
    I.drop_too_large.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  char* p = ring->reserve(size);
  if (p == nullptr) [[unlikely]] {
    ring->count_drop();
    return;
  }
  const uint64_t t = TscClock::now();
  std::memcpy(p, &t, 8);
  const uint64_t h = internal::record_header(kind, level, mlen, clen, nframes, nf);
  std::memcpy(p + 8, &h, 8);
  p += internal::kRecordFixed;
  for (int k = 0; k < nframes; ++k) {
    uint64_t a = reinterpret_cast<uintptr_t>(frames[k]);
    std::memcpy(p, &a, 8);
    p += 8;
  }
  internal::copy_bytes(p, msg.data(), mlen);  // n == 0 reads nothing: an empty view may be null
  p += mlen;
  internal::copy_bytes(p, ctx.data(), clen);
  p += clen;
  for (size_t i = 0; i < nf; ++i) p = internal::encode_field<true>(p, fields[i], max_str);
  ring->commit();
}

// The same record for the common call, without a function call or a per-field limit: no stack
// frames, at most kMaxFields fields, every key within kMaxKey, and the message and the strings
// together within max_string_bytes (so nothing is cut); strings are copied inline
// (copy_short), short keys with one 8-byte move into the ring's slack. Returns false, having
// written nothing, for any other call.
static_assert(SpscRing::kSlack >= internal::kFieldOverwrite);
[[gnu::always_inline]] inline bool write_fast(Logger::Impl& I, SpscRing* ring, Kind kind,
                                              Level level, std::string_view msg,
                                              const Field* fields, size_t nfields,
                                              const Context& ctx) {
  const size_t mlen = msg.size(), clen = ctx.size_bytes();
  // One pass sizes the record and checks the limits: type | key length << 8 ORed (every key
  // is within 255 bytes iff the OR is below 1 << 16) and string lengths summed (none is cut
  // iff the sum is within max_str).
  static_assert(internal::kMaxKey == 255);
  size_t size = internal::kRecordFixed + mlen + clen, key_bits = 0, str_sum = 0;
  for (size_t i = 0; i < nfields; ++i) {
    const Field& f = fields[i];
    const uint64_t tk = f.type_key_len();
    const size_t s = f.is_string() ? f.string_size() : 0;
    key_bits |= tk;
    str_sum += s;
    size += 4 + (tk >> 8) + (f.is_string() ? s : 8);
  }
  const size_t max_str = I.max_str;
  if ((nfields > internal::kMaxFields) | (key_bits >> 16 != 0) | (str_sum > max_str) |
      (mlen > max_str) | (size > ring->max_payload())) [[unlikely]] {
    return false;
  }
  char* p = ring->reserve(size);
  if (p == nullptr) [[unlikely]] {
    ring->count_drop();
    return true;
  }
  const uint64_t t = TscClock::now();
  std::memcpy(p, &t, 8);
  const uint64_t h = internal::record_header(kind, level, mlen, clen, 0, nfields);
  std::memcpy(p + 8, &h, 8);
  p += internal::kRecordFixed;
  internal::copy_short(p, msg.data(), mlen);
  p += mlen;
  internal::copy_short(p, ctx.data(), clen);
  p += clen;
  for (size_t i = 0; i < nfields; ++i) p = internal::encode_field<false>(p, fields[i], max_str);
  ring->commit();
  return true;
}

// A call from a thread that is exiting and gave its ring back (a thread_local's destructor
// logging): borrows a free ring for this one record, never waiting for the lock, and gives it
// back at once.
[[gnu::noinline]] void emit_from_exiting_thread(Logger::Impl& I, Kind kind, Level level,
                                                std::string_view msg, const Field* fields,
                                                size_t nfields, const Context& ctx,
                                                void* const* frames, int nframes) {
  SpscRing* ring = I.borrow_ring();
  if (ring == nullptr) {
    I.drop_thread_limit.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (I.accepting.load(std::memory_order_relaxed)) {
    write_general(I, ring, kind, level, msg, fields, nfields, ctx, frames, nframes);
  } else {
    I.drop_stopped.fetch_add(1, std::memory_order_relaxed);
  }
  ring->owned.store(false, std::memory_order_release);
}

// The thread's ring when it has one for this logger, else claims one (first call, another
// logger, over the thread limit now and then); nullptr when the call is dropped or has been
// handled (exiting thread).
[[gnu::noinline]] SpscRing* ring_slow(Logger::Impl& I, ThreadRing& tr, Kind kind, Level level,
                                      std::string_view msg, const Field* fields, size_t nfields,
                                      const Context& ctx, void* const* frames, int nframes) {
  SpscRing* ring = nullptr;
  if (tr.logger_id != I.logger_id) {
    if (tr.exited) [[unlikely]] {
      emit_from_exiting_thread(I, kind, level, msg, fields, nfields, ctx, frames, nframes);
      return nullptr;
    }
    ring = I.acquire_ring(tr, /*may_block=*/true);
  } else if (++tr.retry_countdown % 1024 == 0) {
    // Over the thread limit: retry (without blocking) now and then, rings may have freed up.
    ring = I.acquire_ring(tr, false);
  }
  if (ring == nullptr) I.drop_thread_limit.fetch_add(1, std::memory_order_relaxed);
  return ring;
}

// The whole call, inlined into each entry point.
[[gnu::always_inline]] inline void emit_impl(Logger::Impl& I, Kind kind, Level level,
                                             std::string_view msg, const Field* fields,
                                             size_t nfields, const Context& ctx,
                                             void* const* frames, int nframes) {
  ThreadRing& tr = tl_ring;
  SpscRing* ring = tr.ring;
  if ((tr.logger_id != I.logger_id) | (ring == nullptr)) [[unlikely]] {
    ring = ring_slow(I, tr, kind, level, msg, fields, nfields, ctx, frames, nframes);
    if (ring == nullptr) return;
  }
  if (!I.accepting.load(std::memory_order_relaxed)) [[unlikely]] {
    I.drop_stopped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (nframes == 0 && write_fast(I, ring, kind, level, msg, fields, nfields, ctx)) [[likely]]
    return;
  write_general(I, ring, kind, level, msg, fields, nfields, ctx, frames, nframes);
}

}  // namespace

void Logger::log_current(Level level, std::string_view msg, const Field* fields,
                         size_t nfields) noexcept {
  emit_impl(*impl_, Kind::kLog, level, msg, fields, nfields, Context::current(), nullptr, 0);
}

void Logger::emit(Kind kind, Level level, std::string_view msg, Fields fields,
                  const Context& ctx) noexcept {
  emit_impl(*impl_, kind, level, msg, fields.begin(), fields.size(), ctx, nullptr, 0);
}

void Logger::emit_list(Kind kind, Level level, std::string_view msg, const Field* fields,
                       size_t nfields, const Context& ctx, void* const* frames,
                       int nframes) noexcept {
  emit_impl(*impl_, kind, level, msg, fields, nfields, ctx, frames, nframes);
}

namespace {

// Owns the strings of an event built by the background thread itself.
struct InternalEvent {
  DecodedEvent ev;
  std::deque<std::string> store;
  std::string_view keep(std::string s) { return store.emplace_back(std::move(s)); }
  void str(std::string_view k, std::string v) {
    DecodedField f;
    f.key = keep(std::string(k));
    f.type = Field::Type::kString;
    f.s = keep(std::move(v));
    ev.fields.push_back(f);
  }
  void num(std::string_view k, double v) {
    DecodedField f;
    f.key = keep(std::string(k));
    f.type = Field::Type::kDouble;
    f.d = v;
    ev.fields.push_back(f);
  }
  void integer(std::string_view k, int64_t v) {
    DecodedField f;
    f.key = keep(std::string(k));
    f.type = Field::Type::kInt;
    f.i = v;
    ev.fields.push_back(f);
  }
};

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    default:
      return "signal";
  }
}

}  // namespace

void Logger::Impl::run() {
  internal::EventEncoder enc(id);
  internal::ElfSymbolizer sym;
  DecodedEvent ev;
  std::string json, stack;
  std::vector<std::pair<std::string_view, std::string_view>> fv;
  std::vector<std::shared_ptr<SpscRing>> snapshot;
  uint64_t seen_version = ~uint64_t{0};
  uint64_t reported_thread_limit = 0, reported_too_large = 0, reported_stopped = 0;

  auto deliver = [&](DecodedEvent& e) {
    if (!e.frames.empty()) {
      stack.clear();
      for (size_t k = 0; k < e.frames.size(); ++k) {
        // Return addresses point after the call; -1 lands inside the calling line.
        stack += sym.describe_live(e.frames[k] - (k ? 1 : 0));
        stack += '\n';
      }
      DecodedField f;
      f.key = "error.stack";
      f.type = Field::Type::kString;
      f.s = stack;
      e.fields.push_back(f);
    }
    enc.encode(e, json, fv);
    EventView v{e.ts_ns, e.kind, e.level, e.msg, &fv, json};
    for (auto& s : sinks) s->write(v);
    events_written.fetch_add(1, std::memory_order_relaxed);
  };
  auto deliver_internal = [&](InternalEvent& ie) {
    if (ie.ev.ts_ns == 0) ie.ev.ts_ns = internal::realtime_ns();
    deliver(ie.ev);
  };
  auto report_drop = [&](std::string_view reason, uint64_t n) {
    InternalEvent ie;
    ie.ev.level = Level::kWarn;
    ie.ev.msg = ie.keep("dropped " + std::to_string(n) + " events");
    ie.integer("dropped", static_cast<int64_t>(n));
    ie.str("drop_reason", std::string(reason));
    deliver_internal(ie);
    if (cfg.on_drop) {
      try {
        cfg.on_drop(reason, n);
      } catch (...) {
        // The callback is application code; its failure must not stop the logger.
      }
    }
  };
  auto drain_all = [&]() -> size_t {
    if (rings_version.load(std::memory_order_acquire) != seen_version) {
      std::lock_guard<std::mutex> g(rings_mu);
      snapshot = rings;
      seen_version = rings_version.load(std::memory_order_relaxed);
    }
    size_t n = 0;
    for (auto& r : snapshot) {
      n += r->drain(
          [&](const char* d, size_t len) {
            if (internal::decode_record(d, len, &ev)) {
              ev.ts_ns = clock.to_ns(ev.ticks);
              deliver(ev);
            }
          },
          4096);
    }
    uint64_t qf = 0;
    for (auto& r : snapshot) {
      uint64_t d = r->dropped();
      qf += d;
      if (d > r->reported_drops) {
        report_drop("queue_full", d - r->reported_drops);
        r->reported_drops = d;
      }
    }
    queue_full_total.store(qf, std::memory_order_relaxed);
    auto check = [&](std::atomic<uint64_t>& a, uint64_t& rep, std::string_view why) {
      uint64_t v = a.load(std::memory_order_relaxed);
      if (v > rep) {
        report_drop(why, v - rep);
        rep = v;
      }
    };
    check(drop_thread_limit, reported_thread_limit, "thread_limit");
    check(drop_too_large, reported_too_large, "too_large");
    (void)reported_stopped;  // events after shutdown cannot be reported by a stopped worker
    return n;
  };
  auto emit_metrics = [&](bool summary) {
    for (const auto& m : metrics->snapshot()) {
      InternalEvent ie;
      ie.ev.kind = Kind::kMetric;
      ie.ev.msg = ie.keep(m.name);
      ie.str("metric", m.name);
      ie.str("metric_type", m.type);
      if (!m.unit.empty()) ie.str("unit", m.unit);
      if (m.type == "histogram") {
        ie.num("value", m.hist.avg);
        ie.integer("count", static_cast<int64_t>(m.hist.count));
        ie.num("min", m.hist.min);
        ie.num("max", m.hist.max);
        ie.num("avg", m.hist.avg);
        ie.num("p50", m.hist.p50);
        ie.num("p95", m.hist.p95);
        ie.num("p99", m.hist.p99);
      } else {
        ie.num("value", m.value);
      }
      if (summary) ie.str("scope", "session");
      deliver_internal(ie);
    }
    if (summary) {
      InternalEvent ie;
      ie.ev.kind = Kind::kMetric;
      int64_t end = internal::realtime_ns();
      ie.ev.msg = "session summary";
      ie.str("metric", "session.duration");
      ie.str("unit", "s");
      ie.num("value", static_cast<double>(end - id.start_ns) / 1e9);
      ie.integer("session_start", id.start_ns);
      ie.integer("session_end", end);
      ie.integer("events", static_cast<int64_t>(events_written.load()));
      uint64_t dropped = queue_full_total.load() + drop_thread_limit.load() + drop_too_large.load();
      ie.integer("dropped", static_cast<int64_t>(dropped));
      ie.str("os", id.os);
      ie.str("arch", id.arch);
      deliver_internal(ie);
    }
  };

  // Crash records of a previous run go out first.
  if (!cfg.spool_dir.empty()) {
    for (const auto& cr : read_crash_records(cfg.spool_dir)) {
      // A record of this very process is one its terminate handler is writing right now
      // (it flushes the logger before aborting): it belongs to the next start, not to us.
      if (cr.pid == static_cast<long long>(::getpid())) continue;
      InternalEvent ie;
      ie.ev.kind = Kind::kError;
      ie.ev.level = Level::kFatal;
      ie.ev.ts_ns = cr.time_ns;
      std::string type = cr.signal ? signal_name(cr.signal) : cr.exception_type;
      std::string message =
          cr.signal ? std::string("fatal signal ") + signal_name(cr.signal) : cr.exception_message;
      ie.ev.msg =
          ie.keep(cr.signal ? "crash: " + type : "uncaught exception: " + type + ": " + message);
      ie.str("error.type", type);
      ie.str("error.message", message);
      std::string st;
      for (const auto& f : cr.frames) st += f + "\n";
      ie.str("error.stack", st);
      if (!cr.frames.empty())
        ie.str("error.function", cr.frames.front().substr(0, cr.frames.front().find(" (")));
      ie.integer("prev_pid", cr.pid);
      ie.str("previous_run", cr.identity_json);
      ie.str("crash_source", "previous_run");
      deliver_internal(ie);
      ::unlink(cr.path.c_str());
    }
  }

  auto last_tick = std::chrono::steady_clock::now();
  auto last_calib = last_tick, last_metrics = last_tick;
  for (;;) {
    size_t n = drain_all();
    auto now = std::chrono::steady_clock::now();
    if (now - last_tick >= std::chrono::milliseconds(10)) {
      for (auto& s : sinks) s->tick();
      last_tick = now;
    }
    if (now - last_calib >= std::chrono::seconds(1)) {
      clock.recalibrate();
      last_calib = now;
    }
    if (cfg.metrics_interval.count() > 0 && now - last_metrics >= cfg.metrics_interval) {
      emit_metrics(false);
      last_metrics = now;
    }
    std::unique_lock<std::mutex> lock(mu);
    if (flush_req > flush_done) {
      uint64_t req = flush_req;
      auto deadline = flush_deadline;
      lock.unlock();
      while (drain_all() > 0) {
      }
      for (auto& s : sinks) s->flush(deadline);
      lock.lock();
      flush_done = req;
      flush_cv.notify_all();
      continue;
    }
    if (stop) {
      lock.unlock();
      while (drain_all() > 0) {
      }
      auto deadline = std::chrono::steady_clock::now() + cfg.shutdown_timeout;
      emit_metrics(true);
      for (auto& s : sinks) s->close(deadline);
      return;
    }
    if (n == 0) cv.wait_for(lock, std::chrono::milliseconds(1));
  }
}

Logger::Logger(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), min_level_(impl_->cfg.min_level) {
  metrics_ = std::make_unique<Metrics>();
  impl_->metrics = metrics_.get();
}

Result<std::unique_ptr<Logger>> Logger::create(Config cfg) {
  try {
    auto impl = std::make_unique<Impl>();
    if (cfg.ring_bytes < 4096 || cfg.ring_bytes > (size_t{1} << 30))
      return Status::InvalidArgument("ring_bytes must be within [4 KiB, 1 GiB]");
    if (cfg.max_threads == 0) return Status::InvalidArgument("max_threads must be > 0");
    impl->cfg = std::move(cfg);
    Config& c = impl->cfg;
    impl->id = internal::make_identity(c);
    impl->logger_id = g_next_logger_id.fetch_add(1);
    impl->max_str = c.max_string_bytes < 65535 ? c.max_string_bytes : 65535;
    impl->clock.init();
    if (!c.spool_dir.empty()) ::mkdir(c.spool_dir.c_str(), 0700);
    if (c.stdout_sink) impl->sinks.push_back(make_stdout_sink(c.stdout_format));
    if (!c.file_path.empty()) {
      auto fs = make_file_sink(c.file_path, c.file_max_bytes, c.file_max_files);
      if (!fs.ok()) return fs.status();
      impl->sinks.push_back(std::move(fs.value()));
    }
    if (!c.shipper.endpoint.empty()) {
      auto sh = Shipper::create(c.shipper, c.spool_dir);
      if (!sh.ok()) return sh.status();
      impl->shipper = sh.value().get();
      impl->sinks.push_back(std::move(sh.value()));
    }
    if (c.install_crash_handlers && !c.spool_dir.empty()) {
      Status st = install_crash_handlers(c.spool_dir, impl->id.json_object);
      if (!st.ok()) return st;
    }
    std::unique_ptr<Logger> logger(new Logger(std::move(impl)));
    Impl* raw = logger->impl_.get();
    raw->worker = std::thread([raw] { raw->run(); });
    return logger;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("logger start failed: ") + e.what());
  }
}

Logger::~Logger() { shutdown(); }

void Logger::shutdown() noexcept {
  Impl& I = *impl_;
  {
    std::lock_guard<std::mutex> g(I.mu);
    if (I.shut) return;
    I.shut = true;
    I.stop = true;
  }
  I.accepting.store(false);
  I.cv.notify_all();
  if (I.worker.joinable()) I.worker.join();
}

Status Logger::flush(std::chrono::milliseconds timeout) {
  Impl& I = *impl_;
  std::unique_lock<std::mutex> lock(I.mu);
  if (I.shut) return Status::Unavailable("logger is shut down");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint64_t my = ++I.flush_req;
  I.flush_deadline = deadline;
  I.cv.notify_all();
  if (!I.flush_cv.wait_until(lock, deadline, [&] { return I.flush_done >= my; }))
    return Status::Unavailable("flush timed out");
  return Status::Ok();
}

DropStats Logger::drops() const {
  const Impl& I = *impl_;
  DropStats d;
  d.thread_limit = I.drop_thread_limit.load();
  d.too_large = I.drop_too_large.load();
  d.stopped = I.drop_stopped.load();
  // Exact even before the worker mirrored it: read the producer counters directly.
  std::lock_guard<std::mutex> g(const_cast<Impl&>(I).rings_mu);
  for (const auto& r : I.rings) d.queue_full += r->dropped();
  return d;
}

ShipperStats Logger::shipper_stats() const {
  return impl_->shipper ? impl_->shipper->stats() : ShipperStats{};
}

uint64_t Logger::events_written() const { return impl_->events_written.load(); }

void Logger::audit(const AuditEvent& a, Fields details) noexcept {
  if (!enabled(Level::kInfo)) return;
  const Context& cur = Context::current();
  std::string_view actor = a.actor.empty() ? cur.get("user_id") : a.actor;
  constexpr size_t kMax = 48;
  Field all[kMax] = {{"action", a.action},
                     {"entity", a.entity},
                     {"entity_id", a.entity_id},
                     {"outcome", a.success ? "success" : "failure"},
                     {"actor", actor},
                     {"sensitive", a.sensitive},
                     {"duration_ms", a.duration_ms}};
  size_t n = a.duration_ms < 0 ? 6 : 7;
  for (const Field& f : details) {
    if (n == kMax) break;
    all[n++] = f;
  }
  emit_list(Kind::kAudit, a.success ? Level::kInfo : Level::kWarn, a.action, all, n, cur, nullptr,
            0);
}

void Logger::report_error(std::string_view type, std::string_view message, Fields fields) noexcept {
  void* frames[internal::kMaxFrames];
  int n = ::backtrace(frames, internal::kMaxFrames);
  constexpr size_t kMax = 48;
  Field all[kMax] = {{"error.type", type}, {"error.message", message}};
  size_t k = 2;
  for (const Field& f : fields) {
    if (k == kMax) break;
    all[k++] = f;
  }
  // Skip this function's own frame.
  emit_list(Kind::kError, Level::kError, message, all, k, Context::current(), frames + 1,
            n > 1 ? n - 1 : 0);
}

void Logger::report(const std::exception& e, Fields fields) noexcept {
  // __cxa_demangle may realloc its buffer, so it must own a malloc'd one (report is not a hot
  // path; the allocation is fine here).
  int st = 0;
  char* d = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &st);
  std::string_view type = st == 0 && d ? std::string_view(d) : std::string_view(typeid(e).name());
  report_error(type, e.what(), fields);
  std::free(d);
}

namespace {
Logger* g_default_logger_raw = nullptr;  // read lock-free by crash handlers
std::unique_ptr<Logger> g_default_logger;
std::mutex g_default_mu;
}  // namespace

Status init(Config cfg) {
  auto r = Logger::create(std::move(cfg));
  if (!r.ok()) return r.status();
  std::lock_guard<std::mutex> g(g_default_mu);
  auto old = std::move(g_default_logger);
  g_default_logger = std::move(r.value());
  __atomic_store_n(&g_default_logger_raw, g_default_logger.get(), __ATOMIC_RELEASE);
  if (old) old->shutdown();
  return Status::Ok();
}

Logger* default_logger() { return __atomic_load_n(&g_default_logger_raw, __ATOMIC_ACQUIRE); }

void shutdown_default() {
  std::lock_guard<std::mutex> g(g_default_mu);
  if (g_default_logger) g_default_logger->shutdown();
}

}  // namespace vigia::sdk
