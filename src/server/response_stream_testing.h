// Test helper: reads a streamed HttpResponse to its end, as the HTTP transport would, so an
// in-process test that calls Router::Dispatch sees the whole body whether the handler
// answered in one piece or streamed. /v1/query streams as soon as a row is final before the
// scan ends, which depends on timing: a test that reads only `body` passes on a quiet machine
// and sees an empty answer on a loaded one (or under a sanitizer).
//
// Thread-safety: call from the test thread that owns `resp`.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "server/http_message.h"
#include "server/response_stream.h"

namespace vigia::testing {

// Appends the streamed chunks of `resp` to resp->body and drops the stream. Gives up after
// `timeout` (the body then ends where the stream stalled, which the caller's assertions show).
inline void DrainStream(HttpResponse* resp,
                        std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  if (resp->stream == nullptr) return;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string chunk;
  bool done = false;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    done = resp->stream->Take(&chunk);
    resp->body += chunk;
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!done) resp->stream->CloseFromTransport(ResponseStream::CloseReason::kClientGone);
  resp->stream.reset();
}

}  // namespace vigia::testing
