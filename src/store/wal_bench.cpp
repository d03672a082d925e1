// wal_bench: timed WAL ingest benchmark (not a ctest).
//
// N threads append batches of realistic ~350-byte events (encode + group-committed WAL
// append + memtable insert, i.e. Store::Append) and report events/s and MB/s of encoded
// WAL bytes. Usage: wal_bench [--threads 4] [--seconds 5] [--batch 1000]
//                             [--fsync interval|always|never] [--dir /tmp/...]
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <zstd.h>

#include "store/store.h"
#include "store/wal/batch_codec.h"

namespace vigia {
namespace {

// One realistic request event (~350 bytes as NDJSON).
void AddEvent(EventBatch* b, std::mt19937_64& rng, int64_t ts) {
  static const char* kRoutes[] = {"/sales/{id}/pay", "/auth/login", "/products", "/health",
                                  "/users/{id}"};
  static const char* kServices[] = {"sales-api", "auth", "catalog"};
  Arena& a = b->arena();
  char id[40];
  std::snprintf(id, sizeof id, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  b->BeginEvent(ts);
  b->AddField("kind", Value::String("request"));
  b->AddField("level", Value::String(rng() % 20 ? "info" : "error"));
  b->AddField("service", Value::String(kServices[rng() % 3]));
  b->AddField("env", Value::String("prod"));
  b->AddField("host", Value::String("vm-12"));
  b->AddField("request_id", Value::String(a.Copy(id)));
  b->AddField("user_id", Value::String(a.Copy(std::to_string(rng() % 100000))));
  b->AddField("method", Value::String("POST"));
  b->AddField("route", Value::String(kRoutes[rng() % 5]));
  b->AddField("path", Value::String(a.Copy("/sales/" + std::to_string(rng() % 1000000) + "/pay")));
  b->AddField("status", Value::Int(rng() % 50 ? 200 : 500));
  b->AddField("duration_ms", Value::Float(static_cast<double>(rng() % 100000) / 100.0));
  b->AddField("ip", Value::String(a.Copy("10.0." + std::to_string(rng() % 256) + "." +
                                         std::to_string(rng() % 256))));
  b->AddField("ua",
              Value::String("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0"));
  b->AddField("msg", Value::String("request completed"));
}

int Main(int argc, char** argv) {
  if (std::getenv("WAL_BENCH_MALLOPT")) {
    // Keep freed memory in the process: on this VM every fresh page costs a slow fault.
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  }
  int threads = 4;
  double seconds = 5;
  int batch_size = 1000;
  std::string fsync = "interval";
  std::string dir = std::filesystem::temp_directory_path() / "vigia_wal_bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (k == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (k == "--batch")
      batch_size = std::atoi(argv[i + 1]);
    else if (k == "--fsync")
      fsync = argv[i + 1];
    else if (k == "--dir")
      dir = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  StoreOptions o;
  o.data_dir = dir;
  o.fsync = fsync == "always"  ? FsyncPolicy::kAlways
            : fsync == "never" ? FsyncPolicy::kNever
                               : FsyncPolicy::kInterval;

  // Pre-build a pool of batches per thread so the benchmark measures the store, not the
  // generator; each append still encodes its batch.
  constexpr int kPool = 8;
  std::vector<std::vector<std::shared_ptr<const EventBatch>>> pools(threads);
  size_t encoded_batch_bytes = 0;
  for (int t = 0; t < threads; ++t) {
    std::mt19937_64 rng(t);
    for (int p = 0; p < kPool; ++p) {
      auto b = std::make_shared<EventBatch>();
      for (int i = 0; i < batch_size; ++i) AddEvent(b.get(), rng, 1763790000000000000 + i);
      pools[t].push_back(b);
    }
  }
  {
    std::string enc;
    batch_codec::Encode(*pools[0][0], &enc);
    encoded_batch_bytes = enc.size();
  }

  // Encode/decode speed alone, single thread, in thread CPU time: the machine is shared,
  // and wall time would measure the neighbours.
  {
    auto cpu_now = [] {
      timespec ts;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
    };
    std::string enc;
    double t0 = cpu_now();
    size_t bytes = 0;
    int n = 0;
    while (cpu_now() - t0 < 0.5) {
      std::string_view v = batch_codec::EncodeToScratch(*pools[0][n % kPool]);
      bytes += v.size();
      if (n == 0) enc.assign(v);
      ++n;
    }
    double es = cpu_now() - t0;
    double t1 = cpu_now();
    int m = 0;
    while (cpu_now() - t1 < 0.5) {
      EventBatch out;
      if (!batch_codec::Decode(enc, &out).ok()) return 1;
      ++m;
    }
    double ds = cpu_now() - t1;
    // Would zstd level 1 over each WAL record pay for itself? Ratio and CPU cost.
    std::string z(ZSTD_compressBound(enc.size()), '\0');
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    double t2 = cpu_now();
    int zn = 0;
    size_t zsize = 0;
    while (cpu_now() - t2 < 0.5) {
      zsize = ZSTD_compressCCtx(cctx, z.data(), z.size(), enc.data(), enc.size(), 1);
      ++zn;
    }
    double zs = cpu_now() - t2;
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(zsize)) return 1;
    std::printf("zstd -1 on a record: %.2fx smaller, %.0f MB/s (%.2f M events/s per core)\n",
                static_cast<double>(enc.size()) / zsize, zn * enc.size() / zs / 1e6,
                zn * batch_size / zs / 1e6);
    std::printf(
        "codec (CPU time): encode %.0f MB/s (%.2f M events/s), decode %.0f MB/s (%.2f M "
        "events/s), %zu bytes/batch (%.1f B/event)\n",
        bytes / es / 1e6, n * batch_size / es / 1e6, m * enc.size() / ds / 1e6,
        m * batch_size / ds / 1e6, enc.size(), static_cast<double>(enc.size()) / batch_size);
  }

  auto store = Store::Open(o);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  rusage ru0;
  getrusage(RUSAGE_SELF, &ru0);
  const double cpu_before = ru0.ru_utime.tv_sec + ru0.ru_utime.tv_usec / 1e6 + ru0.ru_stime.tv_sec +
                            ru0.ru_stime.tv_usec / 1e6;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> batches{0};
  std::vector<std::thread> ths;
  auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    ths.emplace_back([&, t] {
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        Status st = (*store)->Append(pools[t][i % kPool]);
        if (!st.ok()) {
          std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
          std::exit(1);
        }
        batches.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : ths) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  StoreStats st = (*store)->Stats();
  Status c = (*store)->Close();
  uint64_t events = batches.load() * batch_size;
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                     ru.ru_stime.tv_usec / 1e6 - cpu_before;
  std::printf(
      "store append: threads=%d fsync=%s batch=%d: %.0f events/s, %.1f MB/s WAL, %llu syncs, "
      "%.1f s wall, %.2f CPU-s (%.0f events per CPU-second)\n",
      threads, fsync.c_str(), batch_size, events / secs,
      batches.load() * encoded_batch_bytes / secs / 1e6,
      static_cast<unsigned long long>(st.wal_syncs), secs, cpu, events / cpu);
  std::filesystem::remove_all(dir);
  return c.ok() ? 0 : 1;
}

}  // namespace
}  // namespace vigia

int main(int argc, char** argv) { return vigia::Main(argc, argv); }
