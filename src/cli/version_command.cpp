// `vigia version` and `vigia --version`: the version (CMake's project version), the git commit
// and build type (common/build_info.h) and the compiler.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "common/build_info.h"

namespace vigia::cli {

std::string VersionLine() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "vigia %s (commit %s, %s build, g++ %d.%d, C++%ld)",
                BuildInfo().version, BuildInfo().commit, BuildInfo().build_type, __GNUC__,
                __GNUC_MINOR__, __cplusplus / 100 % 100);
  return buf;
}

void RegisterVersionCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("version", "Print the version");
  cmd->callback([exit_code] {
    std::printf("%s\n", VersionLine().c_str());
    *exit_code = 0;
  });
}

}  // namespace vigia::cli
