#include "clickhouse/clickhouse_client.h"

#include <curl/curl.h>

#include <charconv>
#include <cstdlib>
#include <mutex>

namespace vigia::clickhouse {
namespace {

// Error bodies are short; more than this of one is never needed.
constexpr size_t kMaxErrorBody = 8u << 10;

struct Transfer {
  const ClickHouseRequest* req = nullptr;
  long http_code = 0;
  CURL* curl = nullptr;
  std::string collected;  // the body without on_data, or an error body
  Status stopped = Status::Ok();
  bool cancelled = false;
  bool timed_out = false;
};

size_t OnWrite(char* p, size_t sz, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  size_t len = sz * n;
  if (t->http_code == 0) curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->http_code);
  if (t->http_code != 200 || !t->req->on_data) {
    if (t->http_code == 200 || t->collected.size() < kMaxErrorBody) t->collected.append(p, len);
    return len;
  }
  Status st = t->req->on_data(std::string_view(p, len));
  if (!st.ok()) {
    t->stopped = std::move(st);
    return 0;  // aborts the transfer
  }
  return len;
}

int OnProgress(void* ud, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(ud);
  if (t->req->cancel != nullptr && t->req->cancel->load()) {
    t->cancelled = true;
    return 1;
  }
  if (t->req->deadline && std::chrono::steady_clock::now() >= *t->req->deadline) {
    t->timed_out = true;
    return 1;
  }
  return 0;
}

std::string UrlEncode(CURL* curl, std::string_view s) {
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

}  // namespace

bool ParseUintField(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

namespace {
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
}  // namespace

bool UnhexField(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

Status ForEachTsvRow(
    std::string_view body,
    const std::function<Status(std::string_view line, const std::vector<std::string_view>& fields)>&
        row) {
  std::vector<std::string_view> fields;
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    const std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    if (line.empty()) continue;
    fields.clear();
    std::string_view rest = line;
    for (;;) {
      const size_t tab = rest.find('\t');
      fields.push_back(rest.substr(0, tab));
      if (tab == std::string_view::npos) break;
      rest.remove_prefix(tab + 1);
    }
    VIGIA_RETURN_IF_ERROR(row(line, fields));
  }
  return Status::Ok();
}

std::string SqlString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

Result<std::string> ClickHouseClient::Execute(const ClickHouseRequest& request) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  Transfer t;
  t.req = &request;
  t.curl = curl;
  // A statement without data is sent as the body: ClickHouse's HTTP server (Poco) answers a
  // URL over 16 KB with a bare 400, which a long filter (an `or` of 100 error groups, each
  // condition repeated by the aggregation pushdown) reaches. With data (INSERT), the statement
  // must be in the URL.
  const bool sql_in_body = request.body.empty();
  const std::string& post = sql_in_body ? request.sql : request.body;
  std::string url = url_ + "/?";
  char sep = 0;
  auto param = [&](std::string_view k, std::string_view v) {
    if (sep != 0) url += sep;
    url.append(k).append("=").append(UrlEncode(curl, v));
    sep = '&';
  };
  if (!sql_in_body) param("query", request.sql);
  for (const auto& [k, v] : request.settings) param(k, v);
  if (!user_.empty()) param("user", user_);
  if (!password_.empty()) param("password", password_);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.size()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigia-clickhouse");
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (!t.stopped.ok()) return t.stopped;
  if (t.timed_out) return Status::DeadlineExceeded("clickhouse query deadline exceeded");
  if (t.cancelled) return Status::Unavailable("cancelled");
  if (rc != CURLE_OK)
    return Status::Unavailable("clickhouse " + url_ + ": " + curl_easy_strerror(rc));
  if (code != 200) {
    std::string msg = t.collected;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    // ClickHouse's error code ("Code: 62, e.displayText() = ...") says whose fault it is.
    int ch_code = 0;
    if (size_t at = msg.find("Code: "); at != std::string::npos) {
      ch_code = std::atoi(msg.c_str() + at + 6);
    }
    switch (ch_code) {
      case 6:
      case 27:
      case 36:
      case 41:
      case 43:
      case 44:
      case 46:
      case 47:
      case 53:
      case 60:
      case 62:
      case 81:
      case 386:
        return Status::InvalidArgument("clickhouse refused the statement: " + msg);
      case 159:
        return Status::DeadlineExceeded("clickhouse: " + msg);
      case 241:
        return Status::ResourceExhausted("clickhouse: " + msg);
      default:
        return Status::Unavailable("clickhouse " + url_ + ": HTTP " + std::to_string(code) + ": " +
                                   msg);
    }
  }
  return std::move(t.collected);
}

}  // namespace vigia::clickhouse
