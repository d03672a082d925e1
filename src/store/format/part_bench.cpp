// part_bench: measures the columnar part format on real NDJSON (bench/vigia-gen output):
// bytes per event on disk after flush and merges, per-column bytes, flush/merge speed, full
// scan speed and a request_id needle lookup (blocks and bytes read). Times are CPU seconds
// (process-wide; the flush also in wall seconds).
//
//   vigia-gen --events 1000000 --out /tmp/e.ndjson && part_bench /tmp/e.ndjson [flush_events]
//     [flush_encode_threads]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "ingest/ndjson/ndjson_decoder.h"
#include "store/partition_set.h"

using namespace vigia;

namespace {

// Process CPU seconds (every thread): CPU time stays meaningful on a
// machine shared with other builds, where wall time does not.
double CpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}
double Seconds(double t0) { return CpuNow() - t0; }
// Wall seconds: a flush may use a second thread (PartWriterOptions::encode_threads), so its
// CPU seconds no longer tell how long appends wait for it.
double WallNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s events.ndjson [flush_events=200000] [flush_encode_threads=2]\n",
                 argv[0]);
    return 2;
  }
  const size_t flush_events = argc > 2 ? std::stoul(argv[2]) : 200000;
  const std::string dir = "/tmp/vigia_part_bench_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  PartitionSetOptions o;
  o.data_dir = dir;
  o.merge_min_parts = 2;
  if (argc > 3) o.flush_encode_threads = std::stoi(argv[3]);
  auto set = PartitionSet::Open(o);
  if (!set.ok()) {
    std::fprintf(stderr, "%s\n", set.status().ToString().c_str());
    return 1;
  }
  std::ifstream in(argv[1], std::ios::binary);
  NdjsonDecoder decoder;
  uint64_t ndjson_bytes = 0, events = 0;
  double decode_s = 0, flush_s = 0, flush_wall_s = 0;
  std::string line, chunk;
  std::string probe_id;
  auto flush = [&](EventBatch& batch) {
    if (batch.empty()) return;
    auto t0 = CpuNow();
    const double w0 = WallNow();
    const EventBatch* one[] = {&batch};
    Status s = (*set)->AddEvents(one, 1);
    if (!s.ok()) std::fprintf(stderr, "flush: %s\n", s.ToString().c_str());
    flush_s += Seconds(t0);
    flush_wall_s += WallNow() - w0;
  };
  EventBatch batch;
  size_t lines = 0;
  while (std::getline(in, line)) {
    ndjson_bytes += line.size() + 1;
    chunk += line;
    chunk += '\n';
    if (++lines % 10000 == 0) {
      auto t0 = CpuNow();
      decoder.Decode(chunk, 0, &batch);
      decode_s += Seconds(t0);
      chunk.clear();
      if (batch.size() >= flush_events) {
        if (probe_id.empty()) {
          const Value* v = batch.Find(batch.events()[batch.size() / 2], "request_id");
          if (v) probe_id = std::string(v->s);
        }
        events += batch.size();
        flush(batch);
        batch = EventBatch();
      }
    }
  }
  decoder.Decode(chunk, 0, &batch);
  events += batch.size();
  flush(batch);
  const auto flushed = (*set)->Stats();
  auto t0 = CpuNow();
  uint64_t merges = 0;
  while (true) {
    auto m = (*set)->MergeOnce();
    if (!m.ok() || !*m) break;
    ++merges;
  }
  const double merge_s = Seconds(t0);
  const auto st = (*set)->Stats();
  std::printf("events                  %llu (%.1f B/event as NDJSON)\n",
              static_cast<unsigned long long>(events), double(ndjson_bytes) / events);
  std::printf("decode (NDJSON->batch)  %.2f s\n", decode_s);
  std::printf("flush                   %.2f s (%.0f events/s), %llu parts, %.2f B/event\n", flush_s,
              events / flush_s, static_cast<unsigned long long>(flushed.parts),
              double(flushed.disk_bytes) / events);
  std::printf("flush wall              %.2f s (%.0f events/s)\n", flush_wall_s,
              events / flush_wall_s);
  std::printf("merge                   %.2f s, %llu merges -> %llu parts in %llu partitions\n",
              merge_s, static_cast<unsigned long long>(merges),
              static_cast<unsigned long long>(st.parts),
              static_cast<unsigned long long>(st.partitions));
  std::printf("on disk after merges    %llu bytes = %.2f B/event (%.1fx smaller than NDJSON)\n",
              static_cast<unsigned long long>(st.disk_bytes), double(st.disk_bytes) / events,
              double(ndjson_bytes) / st.disk_bytes);
  // Per-column bytes (chunks + blooms), largest first.
  std::map<std::string, std::pair<uint64_t, uint64_t>> cols;
  auto snap = (*set)->Snapshot();
  for (const auto& p : snap->parts) {
    for (const auto& c : p->reader->meta().columns) {
      auto& e = cols[c.name + ":" + std::string(ColumnTypeName(c.type))];
      e.first += c.stored_bytes;
      e.second += c.bloom_bytes;
    }
  }
  std::vector<std::pair<uint64_t, std::string>> order;
  for (auto& [name, b] : cols) order.push_back({b.first + b.second, name});
  std::sort(order.rbegin(), order.rend());
  std::printf("bytes/event by column (data + bloom):\n");
  for (auto& [total, name] : order) {
    if (double(total) / events < 0.05) continue;
    std::printf("  %-28s %6.2f + %5.2f\n", name.c_str(), double(cols[name].first) / events,
                double(cols[name].second) / events);
  }
  // Full scan of every column.
  ScanSpec all;
  all.all_columns = true;
  ScanStats ss;
  t0 = CpuNow();
  uint64_t rows = 0;
  Status s = ScanSnapshot(
      *snap, all,
      [&](ColumnBatch& b) {
        rows += b.num_rows;
        return Status::Ok();
      },
      &ss);
  double scan_s = Seconds(t0);
  std::printf("full scan, all columns  %.2f s: %.1f M rows/s, %.0f MB/s of disk (%s)\n", scan_s,
              rows / scan_s / 1e6, ss.bytes_read / scan_s / 1e6, s.ToString().c_str());
  ScanSpec two;
  two.columns = {"status", "duration_ms"};
  ScanStats ss2;
  t0 = CpuNow();
  s = ScanSnapshot(
      *snap, two, [&](ColumnBatch&) { return Status::Ok(); }, &ss2);
  scan_s = Seconds(t0);
  std::printf("scan status+duration_ms %.3f s: %.1f M rows/s, %llu bytes read\n", scan_s,
              ss2.rows_scanned / scan_s / 1e6, static_cast<unsigned long long>(ss2.bytes_read));
  ScanSpec needle;
  needle.all_columns = true;
  needle.predicates.push_back(ScanPredicate::Equals("request_id", ScanValue::String(probe_id)));
  ScanStats ns;
  t0 = CpuNow();
  uint64_t found = 0;
  s = ScanSnapshot(
      *snap, needle,
      [&](ColumnBatch& b) {
        found += b.num_rows;
        return Status::Ok();
      },
      &ns);
  std::printf(
      "request_id lookup       %.2f ms: %llu rows, blocks read %llu of %llu "
      "(bloom-skipped %llu), %llu bytes read\n",
      Seconds(t0) * 1e3, static_cast<unsigned long long>(found),
      static_cast<unsigned long long>(ns.blocks_read),
      static_cast<unsigned long long>(ns.blocks_total),
      static_cast<unsigned long long>(ns.blocks_skipped_bloom),
      static_cast<unsigned long long>(ns.bytes_read));
  set->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
