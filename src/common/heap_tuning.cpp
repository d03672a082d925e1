#include "common/heap_tuning.h"

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string_view>

#include "common/limits.h"

namespace vigia {
namespace {

std::atomic<bool> g_enabled{false};
std::atomic<uint64_t> g_releases{0};
std::atomic<uint64_t> g_release_ns{0};

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

void ReleaseFreeHeap() {
  if (!g_enabled.load(std::memory_order_relaxed)) return;
#if defined(__GLIBC__)
  const auto start = std::chrono::steady_clock::now();
  malloc_trim(0);
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  g_releases.fetch_add(1, std::memory_order_relaxed);
  g_release_ns.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
#endif
}

HeapReleaseStats GetHeapReleaseStats() {
  return {g_releases.load(std::memory_order_relaxed),
          static_cast<double>(g_release_ns.load(std::memory_order_relaxed)) / 1e6};
}

}  // namespace vigia
