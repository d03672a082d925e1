// vigia-gen: writes the benchmark dataset (DatasetGenerator) as NDJSON.
//
//   vigia-gen --events 10000000 --seed 1 --out events.ndjson --truth truth.env
//   vigia-gen --events 1000 --start 2026-01-01T00:00:00Z --span 1h --spelling seed004
//   vigia-gen --events 1000000 --out events.ndjson --derived-out events.ch.ndjson
//
// --derived-out also writes each line with the fields vigia derives from `ua` (browser,
// browser_version, os, os_version, device; gen/derived_columns.h) for the ClickHouse peer.
//
// Default time range: the `--span` (24h) ending now. Progress and throughput go to stderr.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/time_format.h"
#include "gen/dataset_generator.h"
#include "gen/derived_columns.h"
#include "gen/record_writer.h"
#include "ingest/normalize/ua_field_deriver.h"

namespace {

// "90s", "15m", "24h", "7d" (or plain seconds) → milliseconds; -1 when malformed.
int64_t ParseSpanMs(const std::string& s) {
  if (s.empty()) return -1;
  size_t pos = 0;
  long long n = 0;
  try {
    n = std::stoll(s, &pos);
  } catch (...) {
    return -1;
  }
  if (n <= 0) return -1;
  const std::string unit = s.substr(pos);
  if (unit.empty() || unit == "s") return n * 1000;
  if (unit == "ms") return n;
  if (unit == "m") return n * 60 * 1000;
  if (unit == "h") return n * 3600 * 1000;
  if (unit == "d") return n * 86400 * 1000;
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vigia-gen: deterministic synthetic web-backend events as NDJSON"};
  uint64_t seed = 1, events = 1000;
  std::string out_path = "-", spelling_name = "canonical", start, span = "24h", truth_path;
  std::string derived_path, ua_regexes;
  app.add_option("--seed", seed, "random seed (same seed, same data)");
  app.add_option("--events", events, "number of events")->check(CLI::PositiveNumber);
  app.add_option("--out", out_path, "output file, '-' for stdout");
  app.add_option("--spelling", spelling_name, "canonical | seed000 | seed001 | seed004");
  app.add_option(
      "--start", start,
      "time of the first event: RFC 3339 or ms since the epoch (default: span ending now)");
  app.add_option("--span", span, "time covered by the events: 90s, 15m, 24h, 7d");
  app.add_option("--truth", truth_path,
                 "write the queries' ground truth (shell KEY=value) to this file");
  app.add_option("--derived-out", derived_path,
                 "also write each line with vigia's ua-derived fields (for the ClickHouse peer)");
  app.add_option("--ua-regexes", ua_regexes,
                 "uap-core regexes.yaml for --derived-out (default: as vigia serve finds it)");
  CLI11_PARSE(app, argc, argv);

  const auto spelling = vigia::bench::ParseSpelling(spelling_name);
  if (!spelling) {
    std::fprintf(stderr, "vigia-gen: unknown --spelling '%s'\n", spelling_name.c_str());
    return 2;
  }
  vigia::bench::GenOptions opt;
  opt.seed = seed;
  opt.events = events;
  opt.span_ms = ParseSpanMs(span);
  if (opt.span_ms <= 0) {
    std::fprintf(stderr, "vigia-gen: bad --span '%s'\n", span.c_str());
    return 2;
  }
  if (start.empty()) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    opt.start_ms = now_ms - opt.span_ms;
  } else if (start.find_first_not_of("0123456789") == std::string::npos) {
    opt.start_ms = vigia::EpochToNanos(std::stoll(start)) / 1000000;
  } else if (auto ns = vigia::ParseRfc3339(start)) {
    opt.start_ms = *ns / 1000000;
  } else {
    std::fprintf(stderr, "vigia-gen: bad --start '%s'\n", start.c_str());
    return 2;
  }

  FILE* out = stdout;
  if (out_path != "-") {
    out = std::fopen(out_path.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "vigia-gen: cannot open %s: %s\n", out_path.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }

  FILE* derived_out = nullptr;
  std::unique_ptr<vigia::UaFieldDeriver> deriver;
  if (!derived_path.empty()) {
    if (*spelling != vigia::bench::Spelling::kCanonical) {
      std::fprintf(stderr, "vigia-gen: --derived-out needs --spelling canonical\n");
      return 2;
    }
    std::string rules = vigia::UaFieldDeriver::ResolveRegexesPath(ua_regexes);
    auto loaded = vigia::UaFieldDeriver::LoadFile(rules);
    if (rules.empty() || !loaded.ok()) {
      std::fprintf(stderr, "vigia-gen: cannot load UA rules %s: %s\n", rules.c_str(),
                   loaded.ok() ? "not found" : loaded.status().ToString().c_str());
      return 1;
    }
    deriver = std::move(loaded).value();
    derived_out = std::fopen(derived_path.c_str(), "wb");
    if (derived_out == nullptr) {
      std::fprintf(stderr, "vigia-gen: cannot open %s: %s\n", derived_path.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  vigia::bench::DerivedColumns derived(deriver.get());
  std::string dbuf;

  const auto t0 = std::chrono::steady_clock::now();
  vigia::bench::DatasetGenerator gen(opt);
  vigia::bench::RecordWriter writer(*spelling);
  vigia::bench::Record rec;
  std::string buf;
  buf.reserve(2 << 20);
  uint64_t bytes = 0;
  while (gen.Next(&rec)) {
    const size_t line_start = buf.size();
    writer.Append(rec, &buf);
    if (derived_out != nullptr) {
      std::string_view line(buf.data() + line_start, buf.size() - line_start);
      derived.Append(line, rec.kind == vigia::bench::RecordKind::kRequest ? rec.ua : "", &dbuf);
      if (dbuf.size() >= (1 << 20)) {
        if (std::fwrite(dbuf.data(), 1, dbuf.size(), derived_out) != dbuf.size()) {
          std::fprintf(stderr, "vigia-gen: write failed: %s\n", std::strerror(errno));
          return 1;
        }
        dbuf.clear();
      }
    }
    if (buf.size() >= (1 << 20)) {
      if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
        std::fprintf(stderr, "vigia-gen: write failed: %s\n", std::strerror(errno));
        return 1;
      }
      bytes += buf.size();
      buf.clear();
    }
  }
  bytes += buf.size();
  if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size() || std::fflush(out) != 0 ||
      (out != stdout && std::fclose(out) != 0)) {
    std::fprintf(stderr, "vigia-gen: write failed: %s\n", std::strerror(errno));
    return 1;
  }
  if (derived_out != nullptr &&
      (std::fwrite(dbuf.data(), 1, dbuf.size(), derived_out) != dbuf.size() ||
       std::fclose(derived_out) != 0)) {
    std::fprintf(stderr, "vigia-gen: write failed: %s\n", std::strerror(errno));
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const vigia::bench::GroundTruth truth = gen.Truth();
  if (!truth_path.empty()) {
    std::string env = vigia::bench::FormatTruthEnv(opt, truth);
    env += "GEN_BYTES=" + std::to_string(bytes) + "\n";
    FILE* f = std::fopen(truth_path.c_str(), "wb");
    if (f == nullptr || std::fwrite(env.data(), 1, env.size(), f) != env.size() ||
        std::fclose(f) != 0) {
      std::fprintf(stderr, "vigia-gen: cannot write %s\n", truth_path.c_str());
      return 1;
    }
  }
  std::fprintf(
      stderr,
      "vigia-gen: %llu events, %llu bytes (%.0f B/event) in %.2f s: %.2f M events/s, %.0f MB/s\n",
      static_cast<unsigned long long>(truth.events), static_cast<unsigned long long>(bytes),
      truth.events ? static_cast<double>(bytes) / static_cast<double>(truth.events) : 0.0, secs,
      static_cast<double>(truth.events) / secs / 1e6, static_cast<double>(bytes) / secs / 1e6);
  return 0;
}
