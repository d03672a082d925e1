// Config: everything a Logger needs to start — identity, queue sizes, sinks, shipper and
// crash settings. Plain value type (thread-compatible). Config::from_env() fills the fields
// the environment names (VIGIA_SERVICE, VIGIA_ENV, VIGIA_ENDPOINT, VIGIA_API_KEY,
// VIGIA_CA_FILE, VIGIA_VERSION, VIGIA_SPOOL_DIR, VIGIA_LOG_LEVEL).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "vigia/field.h"

namespace vigia::sdk {

enum class Compression { kNone, kGzip, kZstd };
enum class StdoutFormat { kAuto, kJson, kText };

struct ShipperConfig {
  // Base URL of the vigia server, e.g. "http://127.0.0.1:8080" or "https://logs.example:7070";
  // empty disables shipping.
  std::string endpoint;
  std::string api_key;
  // HTTPS: the server's certificate is always verified — chain, validity dates and host name
  // (there is no switch to turn that off; an expired, wrong-host or untrusted certificate
  // means nothing is sent). Trusted CAs are the system's unless `ca_file` names a PEM bundle
  // to trust instead (a private CA).
  std::string ca_file;
  Compression compression = Compression::kZstd;
  // A batch is sent when it holds this many events, this many bytes, or is this old.
  size_t batch_max_events = 1000;
  size_t batch_max_bytes = 1u << 20;
  std::chrono::milliseconds batch_max_delay{1000};
  // Sealed batches kept in memory while the sender is busy; beyond it they go to the spool.
  size_t memory_queue_bytes = 8u << 20;
  // Backoff between retries: exponential from min to max, with full jitter.
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{10000};
  // Per-request timeout (connect + transfer).
  std::chrono::milliseconds request_timeout{5000};
  // Bounded on-disk spool (directory from Config::spool_dir) for batches the server could not
  // take; 0 disables it.
  size_t spool_max_bytes = 64u << 20;
};

struct Config {
  std::string service = "app";
  std::string env = "production";
  std::string version = "0.0.0";
  // Overrides the anonymous machine id (hash of hostname + /etc/machine-id).
  std::string host;
  Level min_level = Level::kInfo;

  // Per-thread queue ring size in bytes (power of two) and most producer threads with a ring.
  size_t ring_bytes = 1u << 20;
  size_t max_threads = 64;
  // Longest string value (and message) copied into the queue; longer ones are cut.
  size_t max_string_bytes = 8u << 10;

  bool stdout_sink = false;
  StdoutFormat stdout_format = StdoutFormat::kAuto;
  // Size-rotated file sink; empty path disables it.
  std::string file_path;
  size_t file_max_bytes = 64u << 20;
  int file_max_files = 5;

  ShipperConfig shipper;
  // Directory for the shipper spool and crash records; empty disables both.
  std::string spool_dir;
  bool install_crash_handlers = false;

  // Metrics are emitted as `metric` events this often (0 disables the periodic flush).
  std::chrono::milliseconds metrics_interval{60000};
  // Bound of flush-at-shutdown (the app's exit never waits longer).
  std::chrono::milliseconds shutdown_timeout{2000};

  // Called on the background thread when events were dropped: (reason, count since last call).
  std::function<void(std::string_view reason, uint64_t count)> on_drop;

  // Reads the VIGIA_* variables over the defaults above.
  static Config from_env();
};

}  // namespace vigia::sdk
