// EventEncoder: turns a DecodedEvent into the canonical vigia NDJSON line (docs/architecture.md, "The event model"):
// ts (ns), kind, level, identity members, msg, context pairs, typed fields; fields named
// "error.*" are grouped into a nested "error" object. Secrets are redacted on the way.
//
// Thread-safety: externally synchronized (owned by the background thread).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identity.h"
#include "record.h"

namespace vigia::sdk::internal {

class EventEncoder {
 public:
  explicit EventEncoder(const Identity& id) : id_(id) {}
  // Replaces out; `fields` receives (key, JSON value text) views into `out` and the event.
  void encode(const DecodedEvent& ev, std::string& out,
              std::vector<std::pair<std::string_view, std::string_view>>& fields);

 private:
  void append_string_value(std::string& out, std::string_view key, std::string_view v);
  const Identity& id_;
  std::string scratch_;
};

}  // namespace vigia::sdk::internal
