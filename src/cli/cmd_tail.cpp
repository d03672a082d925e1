// `vigia tail [-f] 'filter'`: prints matching events as they arrive. With --file it follows
// a growing NDJSON log (like tail -f, starting at its end unless --from-start); with
// --server it polls /v1/query every --interval for events newer than the last one seen
// (events that arrive late with older timestamps are not shown).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "cli/cmd_query_source.h"
#include "cli/commands.h"
#include "common/time_format.h"
#include "ingest/ndjson_decoder.h"
#include "query/filter_matcher.h"
#include "query/vql_parser.h"

namespace vigia::cli {
namespace {

struct TailArgs {
  std::string filter = "*";
  std::string format = "ndjson";
  std::string file;
  bool follow = false;
  bool from_start = false;
  int interval_ms = 1000;
  QuerySourceOptions src;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "vigia tail: %s\n", msg.c_str());
  return 1;
}

void Print(const std::vector<QueryRecord>& rows, OutputFormat fmt) {
  if (rows.empty()) return;
  std::string out = FormatRows(rows, fmt == OutputFormat::kTable ? OutputFormat::kNdjson : fmt);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

int TailServer(const TailArgs& a, OutputFormat fmt) {
  int64_t since = NowNs() - 60'000'000'000LL;  // start with the last minute
  while (true) {
    std::string path = "/v1/query?q=" + UrlEncode(a.filter) +
                       "&format=json&limit=10000&since=" + UrlEncode(FormatRfc3339(since, 9));
    auto body = HttpGet(a.src, path);
    if (!body.ok()) return Fail(body.status().message());
    auto rows = ParseRowsJson(*body);
    if (!rows.ok()) return Fail(rows.status().message());
    for (const QueryRecord& r : *rows) {
      const OwnedValue* ts = r.Get("ts");
      if (ts && ts->type == ValueType::kString) {
        if (auto t = ParseRfc3339(ts->s)) since = std::max(since, *t + 1);
      }
    }
    Print(*rows, fmt);
    if (!a.follow) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(a.interval_ms));
  }
}

int TailFile(const TailArgs& a, OutputFormat fmt, const FilterMatcher& m) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return Fail("cannot open " + a.file);
  if (!a.from_start) in.seekg(0, std::ios::end);
  NdjsonDecoder decoder;
  std::string pending;
  std::string buf(1 << 16, '\0');
  while (true) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n > 0) {
      pending.append(buf.data(), static_cast<size_t>(n));
      size_t nl = pending.rfind('\n');
      if (nl != std::string::npos) {
        EventBatch batch;
        decoder.Decode(std::string_view(pending).substr(0, nl + 1), NowNs(), &batch);
        pending.erase(0, nl + 1);
        std::vector<QueryRecord> rows;
        for (const auto& e : batch.events()) {
          if (m.Matches(EventRowAccessor(batch, e))) rows.push_back(EventToRecord(batch, e));
        }
        Print(rows, fmt);
      }
      continue;
    }
    if (!a.follow) return 0;
    in.clear();  // clear EOF so the next read sees appended data
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(a.interval_ms, 250)));
  }
}

int RunTail(TailArgs& a) {
  if (a.src.api_key.empty()) {
    if (const char* k = std::getenv("VIGIA_API_KEY")) a.src.api_key = k;
  }
  auto fmt = ParseOutputFormat(a.format);
  if (!fmt.ok()) return Fail(fmt.status().message());
  auto q = ParseVql(a.filter);
  if (!q.ok()) return Fail(q.status().message());
  if (!q->pipes.empty()) return Fail("tail takes a filter only (no pipes)");
  if (!a.src.server.empty()) return TailServer(a, *fmt);
  if (a.file.empty()) return Fail("give --server URL or --file F");
  auto m = FilterMatcher::Compile(*q->filter, NowNs());
  if (!m.ok()) return Fail(m.status().message());
  return TailFile(a, *fmt, *m);
}

}  // namespace

void RegisterTailCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TailArgs>();
  CLI::App* cmd = app.add_subcommand("tail", "Print matching events as they arrive");
  cmd->add_option("filter", args->filter, "a VQL filter (default *)");
  cmd->add_flag("-f,--follow", args->follow, "keep waiting for new events");
  cmd->add_option("--format", args->format, "ndjson|json|csv (default ndjson)");
  auto* server = cmd->add_option("--server", args->src.server, "poll a running server (URL)");
  cmd->add_option("--api-key", args->src.api_key, "API key for --server (default $VIGIA_API_KEY)");
  auto* file = cmd->add_option("--file", args->file, "follow an NDJSON log file");
  cmd->add_flag("--from-start", args->from_start, "with --file: start at the beginning");
  cmd->add_option("--interval-ms", args->interval_ms, "poll interval (default 1000)");
  server->excludes(file);
  cmd->callback([args, exit_code] { *exit_code = RunTail(*args); });
}

}  // namespace vigia::cli
