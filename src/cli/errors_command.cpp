// `vigia errors list|show|resolve|ignore|unresolve`: the error groups of a running server
// (GET /v1/errors, GET/PATCH /v1/errors/{fingerprint}; docs/errors.md).
//   vigia errors list [--status unresolved,regressed] [--service api] [--since 24h]
//                     [--sort count] [--limit 50] [--json]
//   vigia errors show FINGERPRINT [--json]
//   vigia errors resolve FINGERPRINT [--next-release]
//   vigia errors ignore FINGERPRINT [--for 1h] [--count 100]
//   vigia errors unresolve FINGERPRINT
// --server (default $VIGIA_SERVER, else http://127.0.0.1:7070), --api-key (default
// $VIGIA_API_KEY) and --tenant (admin keys) choose the server and the tenant. Exit code 0
// on success, 1 when the server refused or could not be reached.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/server_backend.h"
#include "cli/server_options.h"
#include "common/json_writer.h"

namespace vigia::cli {
namespace {

struct ErrorsArgs {
  ServerOptions conn;
  std::string tenant;
  std::string status, service, since, sort;
  int limit = 0;
  bool json = false;
  std::string fingerprint;
  bool next_release = false;
  std::string duration;
  uint64_t count = 0;
};

void AddCommon(CLI::App* cmd, ErrorsArgs* a) {
  a->conn.AddTo(cmd);
  cmd->add_option("--tenant", a->tenant, "the tenant (admin keys; default: every tenant)");
}

// "?a=1&b=2" of the non-empty parameters.
std::string Query(std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    q += (q.empty() ? "?" : "&") + std::string(k) + "=" + UrlEncode(v);
  }
  return q;
}

std::string_view Str(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  return e[key].get_string().get(v) == simdjson::SUCCESS ? v : std::string_view("-");
}

uint64_t Num(simdjson::dom::element e, std::string_view key) {
  uint64_t v = 0;
  return e[key].get_uint64().get(v) == simdjson::SUCCESS ? v : 0;
}

std::string List(simdjson::dom::element e, std::string_view key) {
  std::string out;
  simdjson::dom::array arr;
  if (e[key].get_array().get(arr) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element v : arr) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) continue;
    out += (out.empty() ? "" : ",") + std::string(s);
  }
  return out.empty() ? "-" : out;
}

// A sparkline of counts in eight block characters.
std::string Spark(simdjson::dom::array series) {
  static const char* kBlocks[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  uint64_t max = 0;
  for (simdjson::dom::element n : series) max = std::max<uint64_t>(max, uint64_t(n));
  std::string out;
  for (simdjson::dom::element n : series) {
    uint64_t v = uint64_t(n);
    out += kBlocks[max == 0 || v == 0 ? 0 : 1 + (v * 7) / max];
  }
  return out;
}

int PrintList(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array groups;
  if (parser.parse(body).get(root) || root["errors"].get_array().get(groups)) {
    std::fprintf(stderr, "vigia errors list: unexpected answer from the server\n");
    return 1;
  }
  std::printf("%-16s %-10s %8s %6s %-20s %-24s %s\n", "FINGERPRINT", "STATUS", "COUNT", "USERS",
              "LAST SEEN", "TREND", "TITLE");
  for (simdjson::dom::element g : groups) {
    simdjson::dom::array spark;
    std::string trend;
    if (!g["sparkline"].get_array().get(spark)) trend = Spark(spark);
    std::string_view last = Str(g, "last_seen");
    std::printf("%-16.*s %-10.*s %8llu %6llu %-20.*s %s %.*s\n",
                static_cast<int>(Str(g, "fingerprint").size()), Str(g, "fingerprint").data(),
                static_cast<int>(Str(g, "status").size()), Str(g, "status").data(),
                static_cast<unsigned long long>(Num(g, "count")),
                static_cast<unsigned long long>(Num(g, "users")),
                static_cast<int>(std::min<size_t>(last.size(), 19)), last.data(), trend.c_str(),
                static_cast<int>(Str(g, "title").size()), Str(g, "title").data());
  }
  std::printf("%llu groups\n", static_cast<unsigned long long>(Num(root, "total")));
  return 0;
}

int PrintShow(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root, g;
  if (parser.parse(body).get(root) || root["group"].get(g)) {
    std::fprintf(stderr, "vigia errors show: unexpected answer from the server\n");
    return 1;
  }
  auto line = [](const char* label, std::string_view v) {
    std::printf("%-13s %.*s\n", label, static_cast<int>(v.size()), v.data());
  };
  line("fingerprint", Str(g, "fingerprint"));
  line("title", Str(g, "title"));
  line("culprit", Str(g, "culprit"));
  line("status", Str(g, "status"));
  std::printf("%-13s %llu (%llu users)\n", "count",
              static_cast<unsigned long long>(Num(g, "count")),
              static_cast<unsigned long long>(Num(g, "users")));
  line("first seen", Str(g, "first_seen"));
  line("last seen", Str(g, "last_seen"));
  line("services", List(g, "services"));
  line("releases", List(g, "releases"));
  line("environments", List(g, "environments"));
  line("sample event", Str(g, "sample_event_id"));
  simdjson::dom::array spark;
  if (!root["sparkline"]["counts"].get_array().get(spark)) line("last 24 h", Spark(spark));
  simdjson::dom::object dist;
  if (!root["distribution"].get_object().get(dist)) {
    for (auto [dim, values] : dist) {
      std::string text;
      simdjson::dom::array arr;
      if (values.get_array().get(arr)) continue;
      for (simdjson::dom::element v : arr) {
        text += (text.empty() ? "" : ", ") + std::string(Str(v, "value")) + " (" +
                std::to_string(Num(v, "count")) + ")";
      }
      if (!text.empty())
        std::printf("%-13.*s %s\n", static_cast<int>(dim.size()), dim.data(), text.c_str());
    }
  }
  simdjson::dom::array latest;
  if (!root["latest_events"].get_array().get(latest)) {
    std::printf("latest events:\n");
    for (simdjson::dom::element e : latest) {
      std::printf("  %s\n", simdjson::to_string(e).c_str());
    }
  }
  return 0;
}

void Patch(const ErrorsArgs& a, const std::string& status, int* exit_code) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().KV("status", status);
  if (a.next_release) w.KV("in_next_release", true);
  if (!a.duration.empty()) w.KV("for", a.duration);
  if (a.count != 0) w.KV("count", a.count);
  w.EndObject();
  std::string out;
  if ((*exit_code =
           a.conn.Call("errors", "PATCH",
                       "/v1/errors/" + UrlEncode(a.fingerprint) + Query({{"tenant", a.tenant}}),
                       body, &out)) != 0) {
    return;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element g;
  if (parser.parse(out).get(g)) {
    std::printf("%s\n", out.c_str());
    return;
  }
  std::printf("%.*s: %.*s\n", static_cast<int>(Str(g, "fingerprint").size()),
              Str(g, "fingerprint").data(), static_cast<int>(Str(g, "status").size()),
              Str(g, "status").data());
}

}  // namespace

void RegisterErrorsCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ErrorsArgs>();
  CLI::App* errors = app.add_subcommand("errors", "Error groups of a running server");
  errors->require_subcommand(1);

  CLI::App* list = errors->add_subcommand("list", "List error groups with counts and trends");
  AddCommon(list, args.get());
  list->add_option("--status", args->status,
                   "unresolved, resolved, regressed, ignored (comma list)");
  list->add_option("--service", args->service, "only groups seen in this service");
  list->add_option("--since", args->since,
                   "only groups seen since (24h, RFC 3339); the trend's window");
  list->add_option("--sort", args->sort, "last_seen (default), first_seen, count, users");
  list->add_option("--limit", args->limit, "at most this many groups (default 100)");
  list->add_flag("--json", args->json, "print the server's JSON");
  list->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    std::string body;
    std::string q = Query({{"status", args->status},
                           {"service", args->service},
                           {"since", args->since},
                           {"sort", args->sort},
                           {"tenant", args->tenant},
                           {"limit", args->limit > 0 ? std::to_string(args->limit) : ""}});
    if ((*exit_code = args->conn.Call("errors", "GET", "/v1/errors" + q, "", &body)) != 0) return;
    if (args->json) {
      std::printf("%s\n", body.c_str());
    } else {
      *exit_code = PrintList(body);
    }
  });

  CLI::App* show =
      errors->add_subcommand("show", "One group: details, distribution, latest events");
  AddCommon(show, args.get());
  show->add_option("fingerprint", args->fingerprint, "the group's fingerprint")->required();
  show->add_flag("--json", args->json, "print the server's JSON");
  show->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    std::string body;
    if ((*exit_code = args->conn.Call(
             "errors", "GET",
             "/v1/errors/" + UrlEncode(args->fingerprint) + Query({{"tenant", args->tenant}}), "",
             &body)) != 0) {
      return;
    }
    if (args->json) {
      std::printf("%s\n", body.c_str());
    } else {
      *exit_code = PrintShow(body);
    }
  });

  CLI::App* resolve = errors->add_subcommand("resolve", "Mark a group resolved (an audit event)");
  AddCommon(resolve, args.get());
  resolve->add_option("fingerprint", args->fingerprint, "the group's fingerprint")->required();
  resolve->add_flag("--next-release", args->next_release,
                    "regress only when it occurs in a release not seen yet");
  resolve->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    Patch(*args, "resolved", exit_code);
  });

  CLI::App* ignore = errors->add_subcommand("ignore", "Ignore a group (for a while, or N events)");
  AddCommon(ignore, args.get());
  ignore->add_option("fingerprint", args->fingerprint, "the group's fingerprint")->required();
  ignore->add_option("--for", args->duration, "for how long (e.g. 1h, 7d)");
  ignore->add_option("--count", args->count, "until this many more events");
  ignore->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    Patch(*args, "ignored", exit_code);
  });

  CLI::App* unresolve = errors->add_subcommand("unresolve", "Mark a group unresolved again");
  AddCommon(unresolve, args.get());
  unresolve->add_option("fingerprint", args->fingerprint, "the group's fingerprint")->required();
  unresolve->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    Patch(*args, "unresolved", exit_code);
  });
}

}  // namespace vigia::cli
