// `vigia rules check [--config vigia.toml | --kpis kpis.toml] FILE|DIR...`: validates alert
// rule files offline — YAML, fields, VQL, conditions, templates — with the loader the server
// uses (alerting/rule_file.h), so the messages are the server's ("file:line:col: message").
// With --config (the server's configuration: its monitor.kpis_file, else the shipped set)
// or --kpis, the KPIs and SLOs that `kpi:` / `slo:` rules name must be defined there, as
// the server requires. Exit code 0 when every file is valid, 1 otherwise (for CI), 2 on
// usage errors.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "alerting/rule_file.h"
#include "alerting/rule_signals.h"
#include "cli/commands.h"
#include "monitor/monitor_config.h"
#include "server/config.h"

namespace vigia::cli {

void RegisterRulesCommand(CLI::App& app, int* exit_code) {
  CLI::App* rules = app.add_subcommand("rules", "Alert rule files");
  rules->require_subcommand(1);
  struct Args {
    std::vector<std::string> paths;
    std::string config_file;
    std::string kpis_file;
  };
  auto args = std::make_shared<Args>();
  CLI::App* check = rules->add_subcommand(
      "check", "Validate rule files (syntax, VQL, conditions, templates); exit 1 on errors");
  check->add_option("paths", args->paths, "rule files, or directories of *.yml / *.yaml")
      ->required();
  auto* config_opt = check->add_option(
      "-c,--config", args->config_file,
      "the server's vigia.toml: kpi:/slo: rules must name its monitor.kpis_file's KPIs/SLOs");
  check
      ->add_option("--kpis", args->kpis_file,
                   "KPI/SLO definitions file that kpi:/slo: rules must name")
      ->excludes(config_opt);
  check->callback([args, exit_code] {
    const std::vector<std::string>* paths = &args->paths;
    Env* env = Env::Default();
    std::vector<std::string> files;
    for (const std::string& p : *paths) {
      Result<std::vector<std::string>> names = env->ListDir(p);
      if (!names.ok()) {
        files.push_back(p);  // not a directory: a file (a missing one fails below)
        continue;
      }
      for (const std::string& n : *names) {
        if (n.ends_with(".yml") || n.ends_with(".yaml")) files.push_back(JoinPath(p, n));
      }
    }
    Result<RuleSet> set = LoadRuleFiles(env, files);
    if (!set.ok()) {
      std::fprintf(stderr, "%s\n", set.status().message().c_str());
      *exit_code = 1;
      return;
    }
    size_t signal_rules = 0;
    for (const RuleGroup& g : set->groups) {
      for (const AlertRule& r : g.rules) signal_rules += r.source != SignalKind::kQuery;
    }
    if (!args->config_file.empty() || !args->kpis_file.empty()) {
      std::string kpis_file = args->kpis_file;
      std::string source = "--kpis " + kpis_file;
      if (!args->config_file.empty()) {
        ConfigFlags flags;
        flags.config_file = args->config_file;
        Result<ServerConfig> config = LoadConfig(flags, ProcessEnvLookup());
        if (!config.ok()) {
          std::fprintf(stderr, "%s\n", config.status().message().c_str());
          *exit_code = 1;
          return;
        }
        kpis_file = config->monitor.kpis_file;
        source = kpis_file.empty() ? "the shipped KPIs: monitor.kpis_file is not set"
                                   : "monitor.kpis_file " + kpis_file;
      }
      Result<MonitorConfig> monitor = LoadMonitorConfig(kpis_file);
      if (!monitor.ok()) {
        std::fprintf(stderr, "%s\n", monitor.status().message().c_str());
        *exit_code = 1;
        return;
      }
      Status names = CheckRuleSignalNames(
          *set,
          [&](SignalKind kind, std::string_view name) {
            return kind == SignalKind::kKpi ? monitor->FindKpi(name) != nullptr
                                            : monitor->FindSlo(name) != nullptr;
          },
          source);
      if (!names.ok()) {
        std::fprintf(stderr, "%s\n", names.message().c_str());
        *exit_code = 1;
        return;
      }
    } else if (signal_rules > 0) {
      std::fprintf(stderr,
                   "note: %zu kpi:/slo: rules; their names are not checked without --config or "
                   "--kpis\n",
                   signal_rules);
    }
    std::printf("%zu files, %zu groups, %zu rules: OK\n", set->files.size(), set->groups.size(),
                set->RuleCount());
    *exit_code = 0;
  });
}

}  // namespace vigia::cli
