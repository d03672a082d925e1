#include "cli/server_options.h"

#include <cstdio>
#include <cstdlib>

#include "cli/server_backend.h"
#include "common/status.h"

namespace vigia::cli {

namespace {
// A management request (list alerts, patch an error group) answers in well under a second;
// 30 s covers a loaded server without leaving a script hanging on a dead one.
constexpr int kManagementTimeoutMs = 30'000;
}  // namespace

void ServerOptions::AddTo(CLI::App* cmd) {
  cmd->add_option("--server", server,
                  "server URL (default $VIGIA_SERVER, else http://127.0.0.1:7070)");
  cmd->add_option("--api-key", api_key, "API key (default $VIGIA_API_KEY)");
}

void ServerOptions::ResolveDefaults() {
  if (server.empty()) {
    const char* s = std::getenv("VIGIA_SERVER");
    server = s ? s : "http://127.0.0.1:7070";
  }
  if (api_key.empty()) {
    if (const char* k = std::getenv("VIGIA_API_KEY")) api_key = k;
  }
  while (!server.empty() && server.back() == '/') server.pop_back();
}

int ServerOptions::Call(std::string_view command, const std::string& method,
                        const std::string& path, const std::string& body, std::string* out) const {
  Result<std::string> r = HttpRequest(server, api_key, method, path, body, kManagementTimeoutMs);
  if (!r.ok()) {
    std::fprintf(stderr, "vigia %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 r.status().message().c_str());
    return 1;
  }
  *out = std::move(r).value();
  return 0;
}

}  // namespace vigia::cli
