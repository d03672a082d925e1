// HttpClient: a deliberately small blocking HTTP/1.1 client over a raw TCP socket, for
// tests. Raw sockets (rather than libcurl) let tests control exactly what goes on the wire:
// partial bodies, bad headers, pipelining, thousands of idle keep-alive connections.
//
// Thread-safety: externally synchronized; use one client per thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigia::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, int timeout_ms = 30000)
      : port_(port), timeout_ms_(timeout_ms) {}
  ~HttpClient() { Close(); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Status Connect();
  bool connected() const { return fd_ >= 0; }
  void Close();

  Status SendRaw(std::string_view bytes);
  // Reads one response (Content-Length or chunked body, or until EOF with neither).
  // `head`: the response has no body. Interim 1xx responses are skipped unless
  // `keep_interim`.
  Result<HttpResult> ReadResponse(bool head = false, bool keep_interim = false);
  // True when the server closed the connection (reads EOF) within timeout_ms.
  bool WaitForClose(int timeout_ms);

  // Sends one request on the kept-alive connection (connecting when needed) and reads the
  // response. Adds Host and Content-Length.
  Result<HttpResult> Request(std::string_view method, std::string_view target,
                             std::string_view body = {}, const Headers& headers = {});

  static std::string BuildRequest(std::string_view method, std::string_view target,
                                  std::string_view body, const Headers& headers);

 private:
  Status Fill();  // reads more bytes into buf_
  uint16_t port_;
  int timeout_ms_;
  int fd_ = -1;
  std::string buf_;
};

// A TCP port free on 127.0.0.1 right now (bind to 0, read it back, close).
uint16_t FreePort();

}  // namespace vigia::testing
