// ServerContext: what the route handlers share — the store, the API keys, the limits and
// the process start time. Owned by the Server; handlers hold a pointer.
//
// Thread-safety: immutable after construction except through the thread-safe Store.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "event/derived_fields.h"
#include "ingest/ndjson_decoder.h"
#include "server/api_keys.h"
#include "store/store.h"

namespace vigia {

class LiveFeed;

struct ServerContext {
  Store* store = nullptr;
  const ApiKeys* api_keys = nullptr;
  std::string data_dir;
  uint64_t max_body_bytes = 64u << 20;  // after decompression
  DecodeLimits decode_limits;
  LiveFeed* live_feed = nullptr;  // stored batches go to /v1/tail subscribers; may be null
  const UserAgentClassifier* ua_classifier = nullptr;  // browser/os/device; may be null
  const UaFieldDeriver* ua_rules = nullptr;  // the same object, for its load state; may be null
  int64_t start_monotonic_ns = 0;                      // for uptime_sec

  int64_t UptimeSec() const {
    int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    return (now - start_monotonic_ns) / 1000000000;
  }
};

}  // namespace vigia
