// `vigia trace <request_id>`: every event of one request across services — the request
// record first, then the rest in time order — from a server, a data directory or files.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cli/cmd_query_source.h"
#include "cli/commands.h"

namespace vigia::cli {
namespace {

struct TraceArgs {
  std::string request_id, format;
  QuerySourceOptions src;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "vigia trace: %s\n", msg.c_str());
  return 1;
}

int RunTrace(TraceArgs& a) {
  if (a.src.api_key.empty()) {
    if (const char* k = std::getenv("VIGIA_API_KEY")) a.src.api_key = k;
  }
  std::string fmt_name = a.format.empty() ? (isatty(STDOUT_FILENO) ? "table" : "json") : a.format;
  auto fmt = ParseOutputFormat(fmt_name);
  if (!fmt.ok()) return Fail(fmt.status().message());
  std::vector<QueryRecord> rows;
  if (!a.src.server.empty()) {
    auto body = HttpGet(a.src, "/v1/trace?request_id=" + UrlEncode(a.request_id));
    if (!body.ok()) return Fail(body.status().message());
    auto parsed = ParseRowsJson(*body);
    if (!parsed.ok()) return Fail(parsed.status().message());
    rows = std::move(parsed).value();
  } else {
    // Built as an AST so any id (quotes, spaces) matches literally.
    Query q;
    q.filter = std::make_unique<Filter>();
    q.filter->kind = FilterKind::kExact;
    q.filter->field = "request_id";
    q.filter->value = a.request_id;
    QueryOptions opt;
    opt.now_ns = NowNs();
    auto res = RunLocal(a.src, q, opt);
    if (!res.ok()) return Fail(res.status().ToString());
    rows = std::move(res->rows);
    std::stable_partition(rows.begin(), rows.end(), [](const QueryRecord& r) {
      const OwnedValue* k = r.Get("kind");
      return k && k->type == ValueType::kString && k->s == "request";
    });
  }
  if (rows.empty()) return Fail("no events with request_id " + a.request_id);
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
