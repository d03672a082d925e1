// ResponseStream: the body of a streamed HTTP response (chunked transfer encoding) whose
// chunks a producer writes over time, e.g. /v1/tail pushing events as they are ingested.
// A handler sets HttpResponse::stream and returns; the transport (http_server.cpp) sends the
// header at once and then every chunk the producer writes, until the producer calls
// Finish() or the stream is closed.
//
// Backpressure: the stream buffers at most `max_buffered_bytes` not yet handed to the
// socket. Write() never blocks: when the chunk does not fit it returns kFull and the chunk is
// NOT queued, so a slow client can never make the server buffer without bound; the producer
// decides what to do (/v1/tail drops events and later says how many). WriteWait() blocks the
// producer up to a timeout for room instead (for producers that must not lose data), and
// Fail() ends the stream with a final line that bypasses the bound.
//
// Closing: the transport calls CloseFromTransport() when the client disconnects, the
// connection times out on a write, or the server shuts down; from then on closed() is true,
// writes return kClosed and the on-close callback runs once, so producers stop promptly.
//
// Thread-safety: every method is thread-safe. The producer side (Write*, Finish, Fail,
// closed, SetOnClose) may be used from any thread; the transport side (Attach, Take,
// CloseFromTransport) is used by the connection's strand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/limits.h"

namespace vigia {

class ResponseStream {
 public:
  enum class WriteResult { kOk, kFull, kClosed };
  enum class CloseReason { kNone, kFinished, kClientGone, kShutdown };

  explicit ResponseStream(size_t max_buffered_bytes = limits::kMaxStreamBufferBytes);
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // --- producer side ---
  // Queues `chunk` when it fits in the buffer bound (a chunk larger than the bound is taken
  // when the buffer is empty, so it cannot be refused forever). Empty chunks are ignored.
  WriteResult Write(std::string_view chunk);
  // Like Write() but waits up to `timeout` for room; kFull when there is still none.
  WriteResult WriteWait(std::string_view chunk, std::chrono::milliseconds timeout);
  // Ends the stream normally: what is buffered is still sent, then the last chunk.
  void Finish();
  // Ends the stream after `last_line` (queued regardless of the bound): "stopped because".
  void Fail(std::string_view last_line);
  // True once the stream ended for any reason (Finish, Fail, client gone, shutdown); a
  // producer should stop producing.
  bool closed() const;
  CloseReason close_reason() const;
  // `fn` runs once when the transport closes the stream (client gone or shutdown), on the
  // transport's thread; it must not block. Runs at once when that already happened.
  void SetOnClose(std::function<void()> fn);

  // --- transport side ---
  // `notify` is called (never under the stream's lock, possibly from a producer thread)
  // when there is new data or the producer ended the stream; at most one call is
  // outstanding until the next Take(), and none once CloseFromTransport() ran. It must only
  // post work, not do it. Data written before Attach() is found by the transport's first
  // Take().
  void Attach(std::function<void()> notify);
  // Drops the notify function (the connection is gone; the stream may live on with its
  // producer).
  void Detach();
  // Moves everything buffered to `out` (replacing its contents). Returns true when the
  // producer has ended the stream and nothing is left after this batch.
  bool Take(std::string* out);
  // The client is gone or the server shuts down: producers see closed().
  void CloseFromTransport(CloseReason reason);

  size_t buffered_bytes() const;
  uint64_t bytes_written() const;

 private:
  // Returns the notify function to call (outside the lock) or an empty one.
  std::function<void()> NeedNotifyLocked();

  const size_t max_buffered_bytes_;
  mutable std::mutex mu_;
  std::condition_variable room_;
  std::string buffer_;
  uint64_t bytes_written_ = 0;
  bool finished_ = false;  // producer is done (Finish/Fail)
  CloseReason reason_ = CloseReason::kNone;
  bool notify_pending_ = false;
  std::function<void()> notify_;
  std::function<void()> on_close_;
};

}  // namespace vigia
