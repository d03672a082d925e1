// Identity: who is logging — service, env, version, anonymous machine id, OS and arch, pid
// and start time — added to every event and written into crash records (seed 001).
//
// Thread-safety: immutable after make_identity(); safe to read from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "vigia/config.h"

namespace vigia::sdk::internal {

struct Identity {
  std::string service, env, version, host, os, arch;
  int64_t pid = 0;
  int64_t start_ns = 0;
  // `"service":"…","env":"…","host":"…","version":"…"` — spliced into every event.
  std::string json_members;
  // A JSON object of all members (for crash records and the session summary).
  std::string json_object;
};

// Stable anonymous machine id: 16 hex digits of a hash of hostname + /etc/machine-id.
std::string anonymous_machine_id();
Identity make_identity(const Config& cfg);

}  // namespace vigia::sdk::internal
