// ServerOptions: which running server a CLI command talks to — `--server` (default
// $VIGIA_SERVER, else http://127.0.0.1:7070) and `--api-key` (default $VIGIA_API_KEY) — and
// the one way those commands send a request and report a failure ("vigia alerts: cannot
// reach …" / the server's own error message), so `vigia alerts`, `vigia errors` and
// `vigia check` cannot drift apart in defaults or wording.
//
// Thread-safety: a value type (thread-compatible); Call() may run concurrently on const
// objects.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace vigia::cli {

struct ServerOptions {
  std::string server;
  std::string api_key;

  // Adds --server and --api-key to `cmd`, bound to this object (which must outlive parsing).
  void AddTo(CLI::App* cmd);
  // Fills what the command line left empty from the environment and drops trailing '/'.
  // Call once, after parsing.
  void ResolveDefaults();
  // `method path` with a JSON `body` (ignored for GET); on a 2xx answer stores its body in
  // *out and returns 0; otherwise prints "vigia <command>: <why>" to stderr and returns 1.
  int Call(std::string_view command, const std::string& method, const std::string& path,
           const std::string& body, std::string* out) const;
};

}  // namespace vigia::cli
