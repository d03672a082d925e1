// `vigia version`: prints the version (from CMake's project version) and build details.
#include <cstdio>

#include "cli/commands.h"

#ifndef VIGIA_VERSION
#error "VIGIA_VERSION must be defined by the build"
#endif

namespace vigia::cli {

void RegisterVersionCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("version", "Print the version");
  cmd->callback([exit_code] {
    std::printf("vigia %s (g++ %d.%d, C++%ld)\n", VIGIA_VERSION, __GNUC__, __GNUC_MINOR__,
                __cplusplus / 100 % 100);
    *exit_code = 0;
  });
}

}  // namespace vigia::cli
