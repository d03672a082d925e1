// HttpSend: one bounded HTTP request with libcurl, for the receivers (webhooks, Slack,
// Alertmanager) and the CLI's alert commands. The whole exchange — connect, send, wait for
// the answer — is bounded by timeout_ms, so a hanging peer costs at most that much.
//
// Thread-safety: thread-safe (one curl easy handle per call; libcurl's global init is done
// once, thread-safely, on first use).
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigia {

struct HttpSendRequest {
  std::string method = "POST";
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_ms = 10'000;
  // When it becomes true the request is abandoned (Unavailable "cancelled"): shutdown does
  // not wait for a hanging receiver.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpSendResult {
  int status = 0;
  std::string body;  // at most 64 KiB are kept (error messages of receivers)
};

// Unavailable "url: message" when no answer came (refused, timeout, DNS); any answer,
// including 4xx/5xx, is a result.
Result<HttpSendResult> HttpSend(const HttpSendRequest& req);

}  // namespace vigia
