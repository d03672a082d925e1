#include "support/stream_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>

namespace vigia::testing {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

}  // namespace

Status StreamClient::Open(std::string_view target, const Headers& headers, int timeout_ms) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Status::FromErrno("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Status::FromErrno("connect", errno);
  }
  std::string req = "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  std::string_view rest = req;
  while (!rest.empty()) {
    ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("send", errno);
    rest.remove_prefix(static_cast<size_t>(n));
  }
  int64_t deadline = NowMs() + timeout_ms;
  size_t end;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
    if (eof_) return Status::Unavailable("connection closed before the response header");
    VIGIA_RETURN_IF_ERROR(Fill(static_cast<int>(std::max<int64_t>(0, deadline - NowMs()))));
  }
  std::string_view head(raw_.data(), end);
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return Status::Corruption("bad status line");
  std::from_chars(status_line.data() + 9, status_line.data() + 12, status_);
  std::string_view fields = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!fields.empty()) {
    size_t e = fields.find("\r\n");
    std::string_view line = fields.substr(0, e);
    fields = e == std::string_view::npos ? std::string_view() : fields.substr(e + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    headers_[Lower(line.substr(0, colon))] = std::string(v);
  }
  raw_.erase(0, end + 4);
  chunked_ = Lower(Header("transfer-encoding")) == "chunked";
  if (!chunked_ && !Header("content-length").empty()) {
    content_left_ = std::stoll(Header("content-length"));
  }
  Decode();
  return Status::Ok();
}

std::string StreamClient::Header(const std::string& lower_name) const {
  auto it = headers_.find(lower_name);
  return it == headers_.end() ? std::string() : it->second;
}

void StreamClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  status_ = 0;
  headers_.clear();
  raw_.clear();
  body_.clear();
  chunked_ = false;
  content_left_ = -1;
  last_chunk_ = false;
  eof_ = false;
}

Status StreamClient::Fill(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, timeout_ms);
  if (r == 0) return Status::DeadlineExceeded("nothing received in time");
  if (r < 0) return Status::FromErrno("poll", errno);
  char tmp[65536];
  ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
  if (n < 0 && errno != ECONNRESET) return Status::FromErrno("recv", errno);
  if (n <= 0) {
    eof_ = true;
    return Status::Ok();
  }
  raw_.append(tmp, static_cast<size_t>(n));
  return Status::Ok();
}

void StreamClient::Decode() {
  if (!chunked_) {
    size_t take = content_left_ < 0
                      ? raw_.size()
                      : std::min<size_t>(raw_.size(), static_cast<size_t>(content_left_));
    body_.append(raw_, 0, take);
    raw_.erase(0, take);
    if (content_left_ >= 0) {
      content_left_ -= static_cast<int64_t>(take);
      if (content_left_ == 0) last_chunk_ = true;
    }
    return;
  }
  while (!last_chunk_) {
    size_t eol = raw_.find("\r\n");
    if (eol == std::string::npos) return;
    size_t size = 0;
    std::from_chars(raw_.data(), raw_.data() + eol, size, 16);
    if (size == 0) {
      last_chunk_ = true;  // trailers (none from vigia) are ignored
      return;
    }
    if (raw_.size() < eol + 2 + size + 2) return;
    body_.append(raw_, eol + 2, size);
    raw_.erase(0, eol + 2 + size + 2);
  }
}

Result<std::string> StreamClient::ReadLine(int timeout_ms) {
  int64_t deadline = NowMs() + timeout_ms;
  while (true) {
    size_t nl = body_.find('\n');
    if (nl != std::string::npos) {
      std::string line = body_.substr(0, nl);
      body_.erase(0, nl + 1);
      return line;
    }
    if (last_chunk_ || eof_) return Status::NotFound("stream ended");
    int64_t left = deadline - NowMs();
    if (left <= 0) return Status::DeadlineExceeded("no line in time");
    VIGIA_RETURN_IF_ERROR(Fill(static_cast<int>(left)));
    Decode();
  }
}

Result<std::string> StreamClient::ReadToEnd(int timeout_ms) {
  int64_t deadline = NowMs() + timeout_ms;
  while (!last_chunk_ && !eof_) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return Status::DeadlineExceeded("stream did not end in time");
    VIGIA_RETURN_IF_ERROR(Fill(static_cast<int>(left)));
    Decode();
  }
  std::string out;
  out.swap(body_);
  return out;
}

}  // namespace vigia::testing
