// `vigia serve`: runs the server (see server/server.h) with the configuration assembled
// from flags, environment, vigia.toml and defaults (server/config.h).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "server/config.h"
#include "server/server.h"

namespace vigia::cli {

void RegisterServeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ConfigFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the vigia server");
  cmd->add_option_function<std::string>(
         "-c,--config", [flags](const std::string& v) { flags->config_file = v; },
         "vigia.toml to read (default: $VIGIA_CONFIG, else none)")
      ->type_name("FILE");
  cmd->add_option_function<std::string>(
         "-d,--data", [flags](const std::string& v) { flags->data_dir = v; },
         "Data directory (default ./data)")
      ->type_name("DIR");
  cmd->add_option_function<std::string>(
         "-l,--listen", [flags](const std::string& v) { flags->listen = v; },
         "Address to listen on (default 127.0.0.1:7070)")
      ->type_name("ADDR:PORT");
  cmd->callback([flags, exit_code] {
    Result<ServerConfig> config = LoadConfig(*flags, ProcessEnvLookup());
    if (!config.ok()) {
      std::fprintf(stderr, "vigia serve: configuration error: %s\n",
                   config.status().message().c_str());
      *exit_code = 2;
      return;
    }
    *exit_code = RunServerUntilSignal(*config);
  });
}

}  // namespace vigia::cli
