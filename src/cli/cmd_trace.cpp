// `vigia trace <request_id>`: every event of one request across services — the request
// record first, then the rest in time order — from the QueryBackend of a server, a data
// directory or files (QueryBackend::Trace).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/cmd_query_source.h"
#include "cli/commands.h"
#include "query/result_format.h"

namespace vigia::cli {
namespace {

struct TraceArgs {
  std::string request_id, format;
  QuerySourceOptions src;
};

int RunTrace(TraceArgs& a) {
  if (a.src.api_key.empty()) {
    if (const char* k = std::getenv("VIGIA_API_KEY")) a.src.api_key = k;
  }
  std::string fmt_name = a.format.empty() ? (isatty(STDOUT_FILENO) ? "table" : "json") : a.format;
  auto fmt = ParseOutputFormat(fmt_name);
  if (!fmt.ok()) return CommandFailed("trace", fmt.status().message());
  auto backend = OpenQueryBackend(a.src);
  if (!backend.ok()) return CommandFailed("trace", backend.status().ToString());
  QueryOptions opt;
  opt.now_ns = NowNs();
  auto res = (*backend)->Trace(a.request_id, opt);
  if (!res.ok()) return CommandFailed("trace", res.status().ToString());
  std::vector<QueryRecord> rows = std::move(res->rows);
  if (rows.empty()) return CommandFailed("trace", "no events with request_id " + a.request_id);
  std::string out = FormatRows(rows, *fmt);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterTraceCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TraceArgs>();
  CLI::App* cmd = app.add_subcommand("trace", "Show every event of one request");
  cmd->add_option("request_id", args->request_id, "the request id")->required();
  cmd->add_option("--format", args->format, "table|json|ndjson|csv (default: table on a TTY)");
  auto* server = cmd->add_option("--server", args->src.server, "ask a running server (URL)");
  cmd->add_option("--api-key", args->src.api_key, "API key for --server (default $VIGIA_API_KEY)");
  auto* data = cmd->add_option("--data", args->src.data_dir, "read a data directory directly");
  auto* file = cmd->add_option("--file", args->src.files, "NDJSON log file(s); - is stdin")
                   ->allow_extra_args(false);
  server->excludes(data)->excludes(file);
  data->excludes(file);
  cmd->callback([args, exit_code] { *exit_code = RunTrace(*args); });
}

}  // namespace vigia::cli
