#include "common/heap_tuning.h"

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/limits.h"

namespace vigia {
namespace {

std::atomic<bool> g_enabled{false};
std::atomic<uint64_t> g_threshold{limits::kHeapReleaseAboveRssBytes};
std::atomic<uint64_t> g_releases{0};
std::atomic<uint64_t> g_release_ns{0};
std::atomic<uint64_t> g_skipped{0};
// Steady-clock times (ns): the last ReleaseFreeHeap call, the last trim, the last over-budget
// check of ReleaseFreeHeapIfDue. 0 = never.
std::atomic<int64_t> g_last_call_ns{0};
std::atomic<int64_t> g_last_trim_ns{0};
std::atomic<int64_t> g_last_check_ns{0};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Trim(int64_t now_ns) {
#if defined(__GLIBC__)
  const int64_t start = NowNs();
  malloc_trim(0);
  const int64_t ns = NowNs() - start;
  g_last_trim_ns.store(now_ns, std::memory_order_relaxed);
  g_releases.fetch_add(1, std::memory_order_relaxed);
  g_release_ns.fetch_add(static_cast<uint64_t>(ns > 0 ? ns : 0), std::memory_order_relaxed);
#else
  (void)now_ns;
#endif
}

// Resident memory above the threshold, or unknown (no /proc: trim as if it were).
bool OverThreshold() {
  const uint64_t t = g_threshold.load(std::memory_order_relaxed);
  if (t == 0) return true;
  const uint64_t rss = ResidentMemoryBytes();
  return rss == 0 || rss > t;
}

}  // namespace

bool ConfigureServerHeap() {
  const char* v = std::getenv("VIGIA_HEAP_TUNING");
  if (v != nullptr && std::string_view(v) == "off") return false;
#if defined(__GLIBC__)
  mallopt(M_ARENA_MAX, limits::kMallocArenas);
  mallopt(M_MMAP_THRESHOLD, limits::kMallocMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, limits::kMallocTrimThreshold);
  g_enabled.store(true, std::memory_order_relaxed);
  return true;
#else
  return false;
#endif
}

void ReleaseFreeHeap(bool force) { ReleaseFreeHeap(force, NowNs()); }

void ReleaseFreeHeap(bool force, int64_t now) {
  if (!g_enabled.load(std::memory_order_relaxed)) return;
  g_last_call_ns.store(now, std::memory_order_relaxed);
  if (!force && !OverThreshold()) {
    g_skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Trim(now);
}

void ReleaseFreeHeapIfDue(int64_t now_ns) {
  if (!g_enabled.load(std::memory_order_relaxed)) return;
  constexpr int64_t kIdleNs = int64_t{limits::kHeapIdleReleaseMs} * 1'000'000;
  constexpr int64_t kCheckNs = int64_t{limits::kHeapOverBudgetCheckMs} * 1'000'000;
  const int64_t last_call = g_last_call_ns.load(std::memory_order_relaxed);
  const int64_t last_trim = g_last_trim_ns.load(std::memory_order_relaxed);
  if (now_ns - last_call >= kIdleNs && now_ns - last_trim >= kIdleNs) {
    Trim(now_ns);
    return;
  }
  if (now_ns - g_last_check_ns.load(std::memory_order_relaxed) < kCheckNs) return;
  g_last_check_ns.store(now_ns, std::memory_order_relaxed);
  if (now_ns - last_trim >= kCheckNs && OverThreshold()) Trim(now_ns);
}

void ReleaseFreeHeapIfDue() { ReleaseFreeHeapIfDue(NowNs()); }

void SetHeapReleaseThreshold(uint64_t rss_bytes) {
  g_threshold.store(rss_bytes, std::memory_order_relaxed);
}

HeapReleaseStats GetHeapReleaseStats() {
  return {g_releases.load(std::memory_order_relaxed),
          static_cast<double>(g_release_ns.load(std::memory_order_relaxed)) / 1e6,
          g_skipped.load(std::memory_order_relaxed)};
}

uint64_t ResidentMemoryBytes() {
  FILE* f = std::fopen("/proc/self/statm", "re");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  const long page = sysconf(_SC_PAGESIZE);
  return n == 2 && page > 0 ? uint64_t{resident} * static_cast<uint64_t>(page) : 0;
}

}  // namespace vigia
