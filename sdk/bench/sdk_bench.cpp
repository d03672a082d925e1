// Caller-side cost of one log call (message + int, double, string fields) through the vigia
// SDK and through spdlog's async logger formatting an equivalent JSON line, with 1 and 4
// threads. Each call is timed with rdtsc; counters report median and p99.9 ns per call and
// the caller-side rate. Calls come in bursts smaller than the queue, with the drain excluded
// from timing, so what is measured is the enqueue path, not the background thread.
#include <benchmark/benchmark.h>
#include <spdlog/async.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "vigia/logger.h"
#include "vigia/request_scope.h"

namespace {

using namespace std::chrono_literals;

double ns_per_tick() {
  static double v = [] {
    auto t0 = std::chrono::steady_clock::now();
    uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(50ms);
    uint64_t c1 = __rdtsc();
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(c1 - c0);
  }();
  return v;
}

// Cost of the timing itself (two rdtsc), subtracted from each sample.
uint64_t timer_overhead() {
  static uint64_t v = [] {
    std::vector<uint64_t> s(10000);
    for (auto& x : s) {
      uint64_t a = __rdtsc();
      benchmark::ClobberMemory();
      x = __rdtsc() - a;
    }
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }();
  return v;
}

// mean_ns comes from bursts timed as a whole, without a timer around each call: the
// per-call samples are quantized by the TSC's resolution (~10 ns on some hosts), while a
// burst's total divided by its calls is not. burst_median_ns is the median burst's per-call
// time: next to the mean it shows whether a high mean came from a few slow bursts (the thread
// preempted, the VM's vCPU slowed by its host) or from every call.
void report(benchmark::State& state, std::vector<uint64_t>& samples, double seconds,
            double untimed_seconds, int64_t untimed_calls, std::vector<double>& bursts) {
  std::sort(samples.begin(), samples.end());
  double k = ns_per_tick();
  state.counters["mean_ns"] = benchmark::Counter(
      untimed_seconds * 1e9 / static_cast<double>(untimed_calls), benchmark::Counter::kAvgThreads);
  std::sort(bursts.begin(), bursts.end());
  state.counters["burst_median_ns"] =
      benchmark::Counter(bursts[bursts.size() / 2], benchmark::Counter::kAvgThreads);
  state.counters["median_ns"] = benchmark::Counter(
      static_cast<double>(samples[samples.size() / 2]) * k, benchmark::Counter::kAvgThreads);
  state.counters["p99_9_ns"] =
      benchmark::Counter(static_cast<double>(samples[samples.size() * 999 / 1000]) * k,
                         benchmark::Counter::kAvgThreads);
  state.counters["caller_events_per_s"] = benchmark::Counter(
      static_cast<double>(samples.size()) / seconds, benchmark::Counter::kAvgThreads);
}

constexpr int kBurst = 2000;
constexpr int kIterations = 200;

// The per-call samples of one thread, with every page touched before the timed calls: a
// buffer only reserved page-faults once per 512 samples, between two timed calls (outside the
// rdtsc pair, but the fault's kernel entry and exit disturb the call after it: 0.2 % of the
// calls, as many as the p99.9 looks at). No difference beyond the VM's noise was measured
// (2026-12-05); it removes a confounder.
std::vector<uint64_t> sample_buffer() {
  std::vector<uint64_t> s(static_cast<size_t>(kIterations) * kBurst);
  s.clear();  // keeps the capacity, its pages now resident
  return s;
}

vigia::sdk::Logger* vigia_logger() {
  static std::unique_ptr<vigia::sdk::Logger> log = [] {
    vigia::sdk::Config c;
    c.service = "bench";
    c.metrics_interval = 0ms;
    c.ring_bytes = 1 << 20;  // holds ~8k of these events: a burst never drops
    return std::move(vigia::sdk::Logger::create(c).value());
  }();
  return log.get();
}

void BM_vigia(benchmark::State& state) {
  auto* log = vigia_logger();
  std::vector<uint64_t> samples = sample_buffer();
  const uint64_t ovh = timer_overhead();
  double busy = 0, untimed = 0;
  int64_t i = 0, untimed_calls = 0;
  std::vector<double> bursts;  // per-call ns of each untimed burst
  log->info("warm-up");        // claims this thread's ring outside timing
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kBurst; ++k, ++i) {
      uint64_t a = __rdtsc();
      log->info("payment_confirmed",
                {{"sale_id", i}, {"amount", 123.45}, {"method", "credit_card"}});
      uint64_t d = __rdtsc() - a;
      samples.push_back(d > ovh ? d - ovh : 0);
    }
    busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.PauseTiming();
    (void)log->flush(2000ms);
    state.ResumeTiming();
    auto u0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kBurst; ++k, ++i) {
      log->info("payment_confirmed",
                {{"sale_id", i}, {"amount", 123.45}, {"method", "credit_card"}});
    }
    const double burst =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - u0).count();
    untimed += burst;
    untimed_calls += kBurst;
    bursts.push_back(burst * 1e9 / kBurst);
    state.PauseTiming();
    (void)log->flush(2000ms);
    state.ResumeTiming();
  }
  state.counters["dropped"] = static_cast<double>(log->drops().total());
  report(state, samples, busy, untimed, untimed_calls, bursts);
}
BENCHMARK(BM_vigia)->Threads(1)->Threads(4)->UseRealTime()->Iterations(kIterations);

std::shared_ptr<spdlog::logger> spd_logger() {
  static std::shared_ptr<spdlog::logger> log = [] {
    spdlog::init_thread_pool(16384, 1);
    auto sink = std::make_shared<spdlog::sinks::null_sink_mt>();
    auto l = std::make_shared<spdlog::async_logger>("bench", sink, spdlog::thread_pool(),
                                                    spdlog::async_overflow_policy::block);
    l->set_pattern("{\"ts\":\"%Y-%m-%dT%H:%M:%S.%fZ\",\"level\":\"%l\",%v}");
    return l;
  }();
  return log;
}

void BM_spdlog_async(benchmark::State& state) {
  auto log = spd_logger();
  std::vector<uint64_t> samples = sample_buffer();
  const uint64_t ovh = timer_overhead();
  double busy = 0, untimed = 0;
  int64_t i = 0, untimed_calls = 0;
  std::vector<double> bursts;  // per-call ns of each untimed burst
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kBurst; ++k, ++i) {
      uint64_t a = __rdtsc();
      log->info("\"msg\":\"payment_confirmed\",\"sale_id\":{},\"amount\":{},\"method\":\"{}\"", i,
                123.45, "credit_card");
      uint64_t d = __rdtsc() - a;
      samples.push_back(d > ovh ? d - ovh : 0);
    }
    busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.PauseTiming();
    // Let the pool drain (spdlog's flush is itself queued).
    while (spdlog::thread_pool()->queue_size() > 0) std::this_thread::sleep_for(100us);
    state.ResumeTiming();
    auto u0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kBurst; ++k, ++i) {
      log->info("\"msg\":\"payment_confirmed\",\"sale_id\":{},\"amount\":{},\"method\":\"{}\"", i,
                123.45, "credit_card");
    }
    const double burst =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - u0).count();
    untimed += burst;
    untimed_calls += kBurst;
    bursts.push_back(burst * 1e9 / kBurst);
    state.PauseTiming();
    while (spdlog::thread_pool()->queue_size() > 0) std::this_thread::sleep_for(100us);
    state.ResumeTiming();
  }
  report(state, samples, busy, untimed, untimed_calls, bursts);
}
BENCHMARK(BM_spdlog_async)->Threads(1)->Threads(4)->UseRealTime()->Iterations(kIterations);

void BM_request_scope(benchmark::State& state) {
  auto* log = vigia_logger();
  vigia::sdk::RequestOptions opts;
  auto headers = [](std::string_view name) -> std::string_view {
    if (name == "User-Agent") return "Mozilla/5.0 (X11; Linux x86_64)";
    if (name == "X-Forwarded-For") return "203.0.113.9, 10.0.0.1";
    return {};
  };
  int n = 0;
  for (auto _ : state) {
    {
      vigia::sdk::RequestScope rs(*log, "POST", "/sales/{id}/pay", "/sales/9/pay", "10.0.0.1",
                                  headers, opts);
      benchmark::DoNotOptimize(rs.finish(200, 120, 80));
    }
    if (++n == kBurst) {
      n = 0;
      state.PauseTiming();
      (void)log->flush(2000ms);
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_request_scope);

}  // namespace

BENCHMARK_MAIN();
