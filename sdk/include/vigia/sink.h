// Sink: where the background thread delivers encoded events. All sink methods are called
// only from the logger's background thread (externally synchronized by the logger); a sink
// may run its own threads internally (the shipper does).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigia/config.h"
#include "vigia/field.h"
#include "vigia/status.h"

namespace vigia::sdk {

// One decoded event as handed to sinks: `json` is the canonical NDJSON line (no newline);
// the other members let text sinks format without reparsing.
struct EventView {
  int64_t ts_ns = 0;
  Kind kind = Kind::kLog;
  Level level = Level::kInfo;
  std::string_view msg;
  // Context pairs and typed fields, already redacted, as JSON value text.
  std::vector<std::pair<std::string_view, std::string_view>>* fields = nullptr;
  std::string_view json;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const EventView& ev) = 0;
  // Called when the queue went idle or on an explicit flush; `deadline` bounds blocking work.
  virtual void flush(std::chrono::steady_clock::time_point deadline) = 0;
  // Last call: deliver what can be delivered before deadline, persist or count the rest.
  virtual void close(std::chrono::steady_clock::time_point deadline) { flush(deadline); }
  // Called periodically (~every 10 ms) so time-based batching works without events.
  virtual void tick() {}
};

std::unique_ptr<Sink> make_stdout_sink(StdoutFormat format, int fd = 1);
Result<std::unique_ptr<Sink>> make_file_sink(const std::string& path, size_t max_bytes,
                                             int max_files);

}  // namespace vigia::sdk
