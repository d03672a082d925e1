// Crash capture. install_crash_handlers() installs (1) a std::terminate handler that records
// the uncaught exception's type, message and stack, and (2) async-signal-safe handlers for
// SIGSEGV, SIGABRT, SIGBUS, SIGFPE and SIGILL running on a pre-allocated alternate stack; they
// write the raw frame addresses, the module map (/proc/self/maps) and the run's identity with
// write(2) to "<dir>/crash-<pid>.vcr", then re-raise with the default action so the process
// still dies with the right status (and core dump). Logger::create() finds such records on the
// next start, symbolizes them (ELF symbol tables, offline) and emits them as fatal `error`
// events with the previous run's identity.
//
// Thread-safety: install/uninstall are not thread-safe (call once at start-up).
#pragma once

#include <string>
#include <vector>

#include "vigia/status.h"

namespace vigia::sdk {

// identity_json: a JSON object text describing the run (service, env, version, host, os, ...),
// pre-formatted so the signal handler only copies bytes.
Status install_crash_handlers(const std::string& dir, const std::string& identity_json);
void uninstall_crash_handlers();

struct CrashRecord {
  std::string path;
  int signal = 0;  // 0 for an uncaught exception
  long long time_ns = 0;
  long long pid = 0;
  std::string identity_json;
  std::string exception_type, exception_message;
  std::vector<std::string> frames;  // symbolized: "func+0x12 (module)" or "0xaddr (module)"
};

// Parses and symbolizes every crash record in dir; does not delete them.
std::vector<CrashRecord> read_crash_records(const std::string& dir);

}  // namespace vigia::sdk
