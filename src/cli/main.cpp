// The `vigia` binary: one executable, subcommands (see commands.h).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  static constexpr vigia::cli::RegisterFn kCommands[] = {
      vigia::cli::RegisterServeCommand,  vigia::cli::RegisterVersionCommand,
      vigia::cli::RegisterQueryCommand,  vigia::cli::RegisterTraceCommand,
      vigia::cli::RegisterTailCommand,   vigia::cli::RegisterStoreCommand,
      vigia::cli::RegisterBackupCommand, vigia::cli::RegisterRulesCommand,
      vigia::cli::RegisterAlertsCommand, vigia::cli::RegisterKeysCommand,
      vigia::cli::RegisterAuditCommand,  vigia::cli::RegisterCheckCommand,
      vigia::cli::RegisterEraseCommand,
      vigia::cli::RegisterErrorsCommand,
      vigia::cli::RegisterClickHouseCommand,
  };
  CLI::App app{"vigia: centralized logging, audit and monitoring server", "vigia"};
  app.set_version_flag("--version", vigia::cli::VersionLine());
  app.require_subcommand(1);
  int exit_code = 0;
  for (vigia::cli::RegisterFn reg : kCommands) reg(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
