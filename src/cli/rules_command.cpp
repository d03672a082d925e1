// `vigia rules check FILE|DIR...`: validates alert rule files offline — YAML, fields, VQL,
// conditions, templates — with the loader the server uses (alerting/rule_file.h), so the
// messages are the server's ("file:line:col: message"). Exit code 0 when every file is
// valid, 1 otherwise (for CI), 2 on usage errors.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "alerting/rule_file.h"
#include "cli/commands.h"

namespace vigia::cli {

void RegisterRulesCommand(CLI::App& app, int* exit_code) {
  CLI::App* rules = app.add_subcommand("rules", "Alert rule files");
  rules->require_subcommand(1);
  auto paths = std::make_shared<std::vector<std::string>>();
  CLI::App* check = rules->add_subcommand(
      "check", "Validate rule files (syntax, VQL, conditions, templates); exit 1 on errors");
  check->add_option("paths", *paths, "rule files, or directories of *.yml / *.yaml")->required();
  check->callback([paths, exit_code] {
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
    std::printf("%zu files, %zu groups, %zu rules: OK\n", set->files.size(), set->groups.size(),
                set->RuleCount());
    *exit_code = 0;
  });
}

}  // namespace vigia::cli
