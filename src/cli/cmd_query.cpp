// `vigia query 'VQL'`: runs a query on the QueryBackend of a server (--server), a data
// directory (--data), NDJSON log files (--file, plain or .gz) or stdin, and prints the rows
// as an aligned table on a terminal, JSON otherwise (--format to choose); every source prints
// the same rows the same way. This is also the seeds' offline log
// analyzer: `vigia query --file app.log 'level:error | stats count() by (error.type)'`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/cmd_query_source.h"
#include "cli/commands.h"
#include "common/time_format.h"
#include "query/result_format.h"
#include "vql/vql_parser.h"

namespace vigia::cli {
namespace {

struct QueryArgs {
  std::string vql;
  std::string since, until, format;
  uint64_t limit = 0;
  bool explain = false;
  QuerySourceOptions src;
};

std::optional<int64_t> TimeArg(const std::string& v, int64_t now) {
  if (auto d = ParseDurationNs(v)) return now - *d;
  return ParseRfc3339(v);
}

int RunQuery(QueryArgs& a) {
  if (a.src.api_key.empty()) {
    if (const char* k = std::getenv("VIGIA_API_KEY")) a.src.api_key = k;
  }
  std::string fmt_name = a.format.empty() ? (isatty(STDOUT_FILENO) ? "table" : "json") : a.format;
  auto fmt = ParseOutputFormat(fmt_name);
  if (!fmt.ok()) return CommandFailed("query", fmt.status().message());
  auto query = ParseVql(a.vql);
  if (!query.ok()) return CommandFailed("query", query.status().message());
  QueryOptions opt;
  opt.now_ns = NowNs();
  for (auto [val, slot] : {std::pair{&a.since, &opt.range.from_ns}, {&a.until, &opt.range.to_ns}}) {
    if (val->empty()) continue;
    auto t = TimeArg(*val, opt.now_ns);
    if (!t)
      return CommandFailed("query",
                           "--since/--until take a duration such as 1h or an RFC 3339 time");
    *slot = *t;
  }
  opt.row_limit = a.limit;
  auto backend = OpenQueryBackend(a.src);
  if (!backend.ok()) return CommandFailed("query", backend.status().ToString());
  if (a.explain) {
    Result<std::string> text = (*backend)->Explain(*query, opt);
    if (!text.ok()) return CommandFailed("query", text.status().ToString());
    std::fwrite(text->data(), 1, text->size(), stdout);
    return 0;
  }
  // NDJSON rows are printed as soon as they are final (a streamed scan, or the rows a
  // server sent before its query failed); the other formats need every row first.
  uint64_t printed = 0;
  auto print = [&](std::vector<QueryRecord> rows) {
    if (a.limit && printed + rows.size() > a.limit) rows.resize(a.limit - printed);
    printed += rows.size();
    std::string out = FormatRows(rows, *fmt, QueryColumns(*query));
    std::fwrite(out.data(), 1, out.size(), stdout);
  };
  Result<QueryResult> res = [&] {
    ScanProgressLine line(a.src);
    QueryObserver obs = line.observer();
    if (*fmt == OutputFormat::kNdjson) {
      obs.on_rows = [&](std::vector<QueryRecord> rows) {
        print(std::move(rows));
        return Status::Ok();
      };
    }
    return (*backend)->Run(*query, opt, obs);
  }();
  if (!res.ok()) return CommandFailed("query", res.status().ToString());
  print(std::move(res->rows));
  if (res->stats.shards_unavailable > 0) {
    std::fprintf(stderr, "vigia query: partial answer: %u of %u shards did not answer\n",
                 res->stats.shards_unavailable, res->stats.shards_total);
  }
  return 0;
}

}  // namespace

void RegisterQueryCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("query", "Run a VQL query (docs/vql.md)");
  cmd->add_option("vql", args->vql, "the query, e.g. 'level:error | stats count() by (service)'")
      ->required();
  cmd->add_option("--since", args->since, "only events after this (1h, or an RFC 3339 time)");
  cmd->add_option("--until", args->until, "only events before this (1h, or an RFC 3339 time)");
  cmd->add_option("--format", args->format, "table|json|ndjson|csv (default: table on a TTY)");
  cmd->add_option("--limit", args->limit, "at most this many rows");
  cmd->add_flag("--explain", args->explain,
                "print what the query would do (engine, time range, pruning, columns, SQL on "
                "ClickHouse) instead of running it");
  cmd->add_flag("--progress", args->src.force_progress,
                "progress line on stderr for every --file/--data scan (default: big scans, "
                "on a terminal)");
  auto* server = cmd->add_option("--server", args->src.server, "query a running server (URL)");
  cmd->add_option("--api-key", args->src.api_key, "API key for --server (default $VIGIA_API_KEY)");
  auto* data = cmd->add_option("--data", args->src.data_dir, "query a data directory directly");
  auto* file =
      cmd->add_option("--file", args->src.files, "NDJSON log file(s), plain or gzip; - is stdin")
          ->allow_extra_args(false);
  cmd->add_option("--threads", args->src.threads,
                  "--file/stdin: threads that parse and evaluate (default: one per core)")
      ->check(CLI::Range(1u, 256u));
  // Tests only: small chunks spread a small file over several threads.
  cmd->add_option("--chunk-bytes", args->src.chunk_bytes)->group("");
  // Tests and benchmarks: no projection (every field of every line decoded, docs/vql.md).
  cmd->add_flag("--decode-all", args->src.decode_all)->group("");
  server->excludes(data)->excludes(file);
  data->excludes(file);
  cmd->callback([args, exit_code] {
    args->src.progress = true;
    *exit_code = RunQuery(*args);
  });
}

}  // namespace vigia::cli
