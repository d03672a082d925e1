#include "alerting/http_send.h"

#include <curl/curl.h>

#include <mutex>

namespace vigia {
namespace {

constexpr size_t kMaxKeptBody = 64u << 10;

size_t Append(char* p, size_t sz, size_t n, void* ud) {
  auto* out = static_cast<std::string*>(ud);
  size_t len = sz * n;
  if (out->size() < kMaxKeptBody) out->append(p, std::min(len, kMaxKeptBody - out->size()));
  return len;
}

// Called by libcurl about once a second (and on every transfer step); non-zero aborts.
int Progress(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

}  // namespace

Result<HttpSendResult> HttpSend(const HttpSendRequest& req) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  HttpSendResult result;
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (req.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.timeout_ms));
  // Worker threads: no signals for timeouts.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigia-alerting");
  if (req.cancel != nullptr) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, req.cancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Progress);
  }
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // No "Expect: 100-continue" round trip for large bodies.
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc == CURLE_ABORTED_BY_CALLBACK) return Status::Unavailable(req.url + ": cancelled");
  if (rc != CURLE_OK) {
    return Status::Unavailable(req.url + ": " + curl_easy_strerror(rc));
  }
  result.status = static_cast<int>(code);
  return result;
}

}  // namespace vigia
