#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace vigia::testing {

Status HttpClient::Connect() {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Status::FromErrno("socket", errno);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    Close();
    return Status::FromErrno("connect", err);
  }
  buf_.clear();
  return Status::Ok();
}

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

Status HttpClient::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("send", errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status HttpClient::Fill() {
  char tmp[65536];
  for (;;) {
    ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      return Status::Ok();
    }
    if (n == 0) return Status::Unavailable("connection closed by server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::DeadlineExceeded("recv timeout");
    return Status::FromErrno("recv", errno);
  }
}

bool HttpClient::WaitForClose(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

Result<HttpResult> HttpClient::ReadResponse(bool head, bool keep_interim) {
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) VIGIA_RETURN_IF_ERROR(Fill());
  HttpResult r;
  std::string_view hdr(buf_.data(), end);
  size_t line_end = hdr.find("\r\n");
  std::string_view status_line = hdr.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") {
    return Status::Corruption("bad status line: " + std::string(status_line));
  }
  std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status);
  while (line_end != std::string_view::npos) {
    hdr.remove_prefix(line_end + 2);
    line_end = hdr.find("\r\n");
    std::string_view line = hdr.substr(0, line_end);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers[name] = std::string(value);
  }
  buf_.erase(0, end + 4);
  if (r.status >= 100 && r.status < 200) {
    if (keep_interim) return r;
    return ReadResponse(head);
  }
  if (head) return r;
  if (r.headers.count("content-length")) {
    size_t len = std::stoull(r.headers["content-length"]);
    while (buf_.size() < len) VIGIA_RETURN_IF_ERROR(Fill());
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
  } else if (r.Header("transfer-encoding") == "chunked") {
    for (;;) {
      size_t le;
      while ((le = buf_.find("\r\n")) == std::string::npos) VIGIA_RETURN_IF_ERROR(Fill());
      size_t chunk = std::stoull(buf_.substr(0, le), nullptr, 16);
      while (buf_.size() < le + 2 + chunk + 2) VIGIA_RETURN_IF_ERROR(Fill());
      r.body.append(buf_, le + 2, chunk);
      buf_.erase(0, le + 2 + chunk + 2);
      if (chunk == 0) break;
    }
  } else {
    while (Fill().ok()) {
    }
    r.body = std::move(buf_);
    buf_.clear();
  }
  return r;
}

std::string HttpClient::BuildRequest(std::string_view method, std::string_view target,
                                     std::string_view body, const Headers& headers) {
  std::string req;
  req.reserve(256 + body.size());
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const auto& [k, v] : headers) req.append(k).append(": ").append(v).append("\r\n");
  if (!body.empty() || method == "POST") {
    req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  req.append("\r\n").append(body);
  return req;
}

Result<HttpResult> HttpClient::Request(std::string_view method, std::string_view target,
                                       std::string_view body, const Headers& headers) {
  if (!connected()) VIGIA_RETURN_IF_ERROR(Connect());
  VIGIA_RETURN_IF_ERROR(SendRaw(BuildRequest(method, target, body, headers)));
  Result<HttpResult> r = ReadResponse(method == "HEAD");
  if (r.ok() && r->Header("connection") == "close") Close();
  return r;
}

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace vigia::testing
