// SyslogBatcher: the syslog messages read by the listener (syslog_listener.h) waiting for the
// pipeline, framed with octet counting (a message may hold LFs), and the loop of the flusher
// thread that stores them in batches through the IngestPipeline's "syslog" decoder: a batch
// goes at options.batch_messages messages, options.batch_delay_ms after its first, or once
// max_pending_bytes wait (readers park until the flusher took them: TCP back-pressure).
//
// Thread-safety: every method may be called from any thread (one mutex); Run() from the one
// flusher thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest_protocols.h"
#include "server/server_context.h"
#include "server/syslog_listener.h"

namespace vigia {

class SyslogBatcher {
 public:
  // REQUIRES: ctx->ingest, ctx->ingest_metrics and ctx->env set; ctx outlives the batcher.
  SyslogBatcher(const SyslogOptions& options, ServerContext* ctx);

  // Appends one message. Not bounded: TCP connections append what they read, then park.
  void Add(std::string_view msg, size_t wire_bytes);
  // Appends unless max_pending_bytes are waiting (UDP: the caller drops the datagram).
  bool TryAdd(std::string_view msg, size_t wire_bytes);
  // A message refused before the decoder (longer than max_message_bytes).
  void CountTooLong(size_t wire_bytes);
  // When more than max_pending_bytes wait, keeps `resume` to run once the flusher took them
  // and returns true: the caller stops reading until then.
  bool ParkIfFull(std::function<void()> resume);

  // The flusher thread's loop; returns after Stop() once everything pending is stored.
  void Run();
  void Stop();

 private:
  // A batch goes now (not at its deadline): stopping, enough messages, or the pending bound
  // reached (readers wait for room). REQUIRES: mu_ held.
  bool BatchReady() const;
  void AddLocked(std::string_view msg, size_t wire_bytes);  // REQUIRES: mu_ held
  void Flush(const std::string& body, uint64_t wire, uint64_t too_long);

  const SyslogOptions options_;
  ServerContext* const ctx_;
  const IngestProtocol* const protocol_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  uint64_t count_ = 0;
  uint64_t too_long_ = 0;
  uint64_t wire_ = 0;
  std::chrono::steady_clock::time_point first_;
  std::vector<std::function<void()>> parked_;
  bool stopping_ = false;
};

}  // namespace vigia
