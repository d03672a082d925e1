// The subcommands of the `vigia` binary. Each lives in its own <name>_command.cpp and
// registers itself on the CLI11 app; the chosen one stores its exit code in *exit_code.
// Adding a subcommand: write foo_command.cpp with RegisterFooCommand, declare it here, add
// it to kCommands in main.cpp and to vigia_cli's sources in CMakeLists.txt.
//
// Thread-safety: used from main() only.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace vigia::cli {

// "vigia 0.1.0 (commit 1a2b3c4d5e6f, Release build, g++ 12.2, C++20)".
std::string VersionLine();

using RegisterFn = void (*)(CLI::App& app, int* exit_code);

void RegisterServeCommand(CLI::App& app, int* exit_code);
void RegisterVersionCommand(CLI::App& app, int* exit_code);
void RegisterQueryCommand(CLI::App& app, int* exit_code);
void RegisterTraceCommand(CLI::App& app, int* exit_code);
void RegisterTailCommand(CLI::App& app, int* exit_code);
void RegisterStoreCommand(CLI::App& app, int* exit_code);
void RegisterBackupCommand(CLI::App& app, int* exit_code);
void RegisterRulesCommand(CLI::App& app, int* exit_code);
void RegisterAlertsCommand(CLI::App& app, int* exit_code);
// vigia errors list|show|resolve|ignore|unresolve (errors_command.cpp)
void RegisterErrorsCommand(CLI::App& app, int* exit_code);
void RegisterKeysCommand(CLI::App& app, int* exit_code);
void RegisterAuditCommand(CLI::App& app, int* exit_code);
void RegisterCheckCommand(CLI::App& app, int* exit_code);
void RegisterEraseCommand(CLI::App& app, int* exit_code);
// vigia clickhouse init|migrate (clickhouse_command.cpp)
void RegisterClickHouseCommand(CLI::App& app, int* exit_code);

}  // namespace vigia::cli
