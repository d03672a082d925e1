// vigia-load: streams NDJSON to an HTTP ingest endpoint and reports throughput and batch
// latency.
//
//   vigia-load --url http://127.0.0.1:7700/v1/events --file events.ndjson -c 2 -b 10000
//   vigia-load --file events.ndjson --json
//              --url 'http://127.0.0.1:18123/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow'
//   vigia-load --url ... --gen-events 1000000 --seed 1 --rate 50000 [--start-ms MS]
//
// Exit status: 0 when every batch was fully accepted, 1 otherwise, 2 on bad usage.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "load/batch_source.h"
#include "load/load_runner.h"

int main(int argc, char** argv) {
  CLI::App app{"vigia-load: HTTP load generator for NDJSON ingest"};
  vigia::bench::LoadOptions opt;
  std::string file;
  uint64_t gen_events = 0, seed = 1;
  int64_t start_ms = 0;
  bool json = false;
  std::string timings_path;
  app.add_option("--url", opt.url, "endpoint (query string included)")->required();
  app.add_option("--file", file, "NDJSON file to send");
  app.add_option("--gen-events", gen_events, "send this many generated events instead of a file");
  app.add_option("--seed", seed, "generator seed (with --gen-events)");
  app.add_option("--start-ms", start_ms,
                 "first generated event's time, ms since the epoch (with --gen-events; default: "
                 "the 24 h ending now) — vigia-gen --start with the same value writes its truth");
  app.add_option("-c,--connections", opt.connections, "concurrent keep-alive connections")
      ->check(CLI::Range(1, 256));
  app.add_option("-b,--batch", opt.batch_lines, "events per request")->check(CLI::PositiveNumber);
  app.add_option("--rate", opt.rate_events_per_sec, "target events/s in total (0 = unlimited)");
  app.add_option("-H,--header", opt.headers, "extra header, 'Name: value' (repeatable)");
  app.add_option("--content-type", opt.content_type, "Content-Type of the bodies");
  app.add_option("--timeout", opt.timeout_sec, "seconds allowed per batch");
  app.add_flag("--json", json, "print the report as JSON");
  app.add_option("--timings", timings_path,
                 "write every batch's 'start_ms latency_ms connection ok' to this file");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<vigia::bench::BatchSource> source;
  if (!file.empty() == (gen_events > 0)) {
    std::fprintf(stderr, "vigia-load: give exactly one of --file and --gen-events\n");
    return 2;
  }
  if (!file.empty()) {
    auto f = vigia::bench::FileBatchSource::Open(file);
    if (!f.ok()) {
      std::fprintf(stderr, "vigia-load: %s\n", f.status().ToString().c_str());
      return 2;
    }
    source = std::move(f).value();
  } else {
    vigia::bench::GenOptions g;
    g.seed = seed;
    g.events = gen_events;
    g.start_ms = start_ms != 0 ? start_ms
                               : std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                         .count() -
                                     g.span_ms;
    source = std::make_unique<vigia::bench::GeneratorBatchSource>(g);
  }

  vigia::bench::LoadRunner runner(opt);
  auto report = runner.Run(source.get());
  if (!report.ok()) {
    std::fprintf(stderr, "vigia-load: %s\n", report.status().ToString().c_str());
    return 2;
  }
  if (!timings_path.empty()) {
    std::FILE* f = std::fopen(timings_path.c_str(), "w");
    const std::string text = report->TimingsText();
    if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
      std::fprintf(stderr, "vigia-load: cannot write %s\n", timings_path.c_str());
    }
    if (f != nullptr) std::fclose(f);
  }
  std::printf("%s\n", json ? report->ToJson().c_str() : report->ToText().c_str());
  return report->ok() ? 0 : 1;
}
