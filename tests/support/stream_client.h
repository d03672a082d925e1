// StreamClient: a blocking test client for streamed (chunked) HTTP responses such as
// /v1/tail. It sends one GET, reads the status line and headers, then decodes the chunked
// body incrementally so a test can see each line as it arrives, before the stream ends.
// Non-chunked responses (errors) are read whole.
//
// Thread-safety: externally synchronized; one client per thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "support/http_client.h"

namespace vigia::testing {

class StreamClient {
 public:
  explicit StreamClient(uint16_t port) : port_(port) {}
  ~StreamClient() { Close(); }
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  // Connects, sends GET `target`, and waits up to `timeout_ms` for the response header.
  Status Open(std::string_view target, const Headers& headers = {}, int timeout_ms = 10000);
  int status() const { return status_; }
  std::string Header(const std::string& lower_name) const;

  // The next body line (without '\n'), waiting up to `timeout_ms`. DeadlineExceeded when
  // none arrived in time, NotFound when the stream ended (the last chunk or a close).
  Result<std::string> ReadLine(int timeout_ms);
  // Everything until the stream ends (up to `timeout_ms`), including what was not yet read
  // as lines.
  Result<std::string> ReadToEnd(int timeout_ms);
  // True once the last chunk arrived (a clean end of the stream).
  bool ended_cleanly() const { return last_chunk_; }
  void Close();

 private:
  // Reads more bytes (waiting up to `timeout_ms`) and decodes the chunks they complete.
  Status Fill(int timeout_ms);
  void Decode();

  uint16_t port_;
  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  bool chunked_ = false;
  int64_t content_left_ = -1;  // non-chunked body bytes still expected; -1 = until close
  std::string raw_;            // received, not decoded yet
  std::string body_;           // decoded, not returned yet
  bool last_chunk_ = false;
  bool eof_ = false;
};

}  // namespace vigia::testing
