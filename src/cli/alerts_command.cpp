// `vigia alerts list|silence|expire`: the alerts of a running server (GET /v1/alerts) and
// its silences (POST/DELETE /v1/silences), over its HTTP API (docs/alerting.md).
//   vigia alerts list [--state firing] [--json]
//   vigia alerts silence --match 'alertname=HighErrorRate' --match 'route=~/sales.*'
//                        --for 2h --comment 'deploy' [--author me]
//   vigia alerts expire SILENCE_ID
// --server (default $VIGIA_SERVER, else http://127.0.0.1:7070) and --api-key (default
// $VIGIA_API_KEY) choose the server. Exit code 0 on success, 1 when the server refused or
// could not be reached.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/server_backend.h"
#include "cli/server_options.h"
#include "common/json_writer.h"

namespace vigia::cli {
namespace {

struct AlertsArgs {
  ServerOptions conn;
  std::string state;
  bool json = false;
  std::vector<std::string> matchers;
  std::string duration = "1h";
  std::string comment;
  std::string author;
  std::string id;
};

int PrintAlerts(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array alerts;
  if (parser.parse(body).get(root) || root["alerts"].get_array().get(alerts)) {
    std::fprintf(stderr, "vigia alerts list: unexpected answer from the server\n");
    return 1;
  }
  std::printf("%-9s %-24s %-14s %-24s %s\n", "STATE", "RULE", "VALUE", "SINCE", "LABELS");
  for (simdjson::dom::element a : alerts) {
    std::string_view state, rule, since = "-";
    double value = 0;
    // Missing members print as empty (the server always sends them).
    if (a["state"].get_string().get(state)) state = "";
    if (a["rule"].get_string().get(rule)) rule = "";
    if (a["value"].get_double().get(value)) value = 0;
    if (a["activeAt"].get_string().get(since)) since = "-";
    std::string labels;
    simdjson::dom::object obj;
    if (!a["labels"].get_object().get(obj)) {
      for (auto [k, v] : obj) {
        std::string_view s;
        if (k == "alertname" || v.get_string().get(s)) continue;
        labels += (labels.empty() ? "" : ",") + std::string(k) + "=" + std::string(s);
      }
    }
    simdjson::dom::array silenced;
    if (!a["silenced_by"].get_array().get(silenced)) labels += " (silenced)";
    std::printf("%-9.*s %-24.*s %-14g %-24.*s %s\n", static_cast<int>(state.size()), state.data(),
                static_cast<int>(rule.size()), rule.data(), value, static_cast<int>(since.size()),
                since.data(), labels.c_str());
  }
  return 0;
}

}  // namespace

void RegisterAlertsCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<AlertsArgs>();
  CLI::App* alerts = app.add_subcommand("alerts", "Alerts and silences of a running server");
  alerts->require_subcommand(1);

  CLI::App* list =
      alerts->add_subcommand("list", "List pending, firing and recently resolved alerts");
  args->conn.AddTo(list);
  list->add_option("--state", args->state, "only pending, firing or resolved");
  list->add_flag("--json", args->json, "print the server's JSON");
  list->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    std::string body;
    std::string path = "/v1/alerts";
    if (!args->state.empty()) path += "?state=" + UrlEncode(args->state);
    if ((*exit_code = args->conn.Call("alerts", "GET", path, "", &body)) != 0) return;
    if (args->json) {
      std::printf("%s\n", body.c_str());
    } else {
      *exit_code = PrintAlerts(body);
    }
  });

  CLI::App* silence = alerts->add_subcommand("silence", "Silence alerts matching label matchers");
  args->conn.AddTo(silence);
  silence
      ->add_option("-m,--match", args->matchers,
                   "label matcher: name=value, name!=value, name=~regex, name!~regex")
      ->required();
  silence->add_option("--for", args->duration, "how long (e.g. 30m, 2h; default 1h)");
  silence->add_option("-c,--comment", args->comment, "why")->required();
  silence->add_option("--author", args->author, "who (default $USER)");
  silence->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    if (args->author.empty()) {
      const char* u = std::getenv("USER");
      args->author = u ? u : "cli";
    }
    std::string body;
    JsonWriter w(&body);
    w.BeginObject().Key("matchers").BeginArray();
    for (const std::string& m : args->matchers) w.String(m);
    w.EndArray().KV("duration", args->duration).KV("comment", args->comment);
    w.KV("createdBy", args->author).EndObject();
    std::string out;
    if ((*exit_code = args->conn.Call("alerts", "POST", "/v1/silences", body, &out)) != 0) return;
    std::printf("%s\n", out.c_str());
  });

  CLI::App* expire = alerts->add_subcommand("expire", "Expire (end) a silence now");
  args->conn.AddTo(expire);
  expire->add_option("id", args->id, "the silence's id")->required();
  expire->callback([args, exit_code] {
    args->conn.ResolveDefaults();
    std::string out;
    if ((*exit_code = args->conn.Call("alerts", "DELETE", "/v1/silences/" + UrlEncode(args->id), "",
                                      &out)) != 0) {
      return;
    }
    std::printf("silence %s expired\n", args->id.c_str());
  });
}

}  // namespace vigia::cli
