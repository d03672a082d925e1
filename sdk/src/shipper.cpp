#include "vigia/shipper.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "compress.h"
#include "spool.h"

namespace vigia::sdk {

using internal::SpooledBatch;
using Clock = std::chrono::steady_clock;

namespace {

enum class Outcome { kSent, kRejected, kRetry };

struct PostResult {
  Outcome outcome = Outcome::kRetry;
  long status = 0;
  uint64_t accepted = 0, rejected = 0;
  std::chrono::milliseconds retry_after{0};
};

size_t on_body(char* p, size_t size, size_t n, void* ud) {
  auto* s = static_cast<std::string*>(ud);
  if (s->size() < (1u << 20)) s->append(p, size * n);
  return size * n;
}

size_t on_header(char* p, size_t size, size_t n, void* ud) {
  std::string_view h(p, size * n);
  if (h.size() > 12 && strncasecmp(h.data(), "retry-after:", 12) == 0) {
    long secs = std::strtol(std::string(h.substr(12)).c_str(), nullptr, 10);
    // An HTTP-date form parses as 0 and falls back to our own backoff.
    if (secs > 0) *static_cast<long*>(ud) = secs;
  }
  return size * n;
}

uint64_t json_number_after(const std::string& body, const char* key) {
  size_t p = body.find(key);
  if (p == std::string::npos) return 0;
  p += std::strlen(key);
  while (p < body.size() && (body[p] == ' ' || body[p] == ':')) ++p;
  return std::strtoull(body.c_str() + p, nullptr, 10);
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

struct Shipper::Impl {
  ShipperConfig cfg;
  internal::Spool spool;
  std::string encoding;

  // Background (logger) thread only.
  std::string cur;
  uint32_t cur_events = 0;
  Clock::time_point cur_open;

  std::mutex mu;
  std::condition_variable cv, idle_cv;
  std::deque<SpooledBatch> mem;
  size_t mem_bytes = 0;
  bool offline = false;
  bool in_flight = false;
  bool closing = false;
  Clock::time_point deadline = Clock::time_point::max();
  uint64_t next_seq = 1;

  std::atomic<uint64_t> sent{0}, rejected{0}, spooled{0}, dropped_full{0}, dropped_unsent{0},
      batches{0}, requests{0}, retries{0};

  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  std::string url;
  std::thread sender;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(const ShipperConfig& c, const std::string& spool_dir)
      : cfg(c),
        spool(spool_dir.empty() ? std::string() : spool_dir + "/spool",
              spool_dir.empty() ? 0 : c.spool_max_bytes) {}

  // REQUIRES: mu held.
  void to_spool(SpooledBatch&& b) {
    if (spool.push(b)) {
      spooled += b.events;
    } else {
      dropped_full += b.events;
    }
  }
  // REQUIRES: mu held. Moves every in-memory batch to the spool (order kept by seq).
  void go_offline() {
    offline = true;
    while (!mem.empty()) {
      mem_bytes -= mem.front().body.size();
      to_spool(std::move(mem.front()));
      mem.pop_front();
    }
  }

  void seal() {
    if (cur_events == 0) return;
    SpooledBatch b;
    b.events = cur_events;
    b.encoding = encoding;
    if (!internal::compress_body(cfg.compression, cur, &b.body)) {
      b.encoding.clear();
      b.body = cur;
    }
    cur.clear();
    cur_events = 0;
    std::lock_guard<std::mutex> g(mu);
    b.seq = next_seq++;
    if (spool.enabled() && (offline || !spool.empty())) {
      to_spool(std::move(b));
    } else if (mem_bytes + b.body.size() > cfg.memory_queue_bytes && !mem.empty()) {
      if (spool.enabled()) {
        go_offline();
        to_spool(std::move(b));
      } else {
        dropped_full += b.events;
      }
    } else {
      mem_bytes += b.body.size();
      mem.push_back(std::move(b));
    }
    cv.notify_all();
  }

  std::mutex err_mu;
  std::string last_error;
  void set_error(std::string e) {
    std::lock_guard<std::mutex> g(err_mu);
    last_error = std::move(e);
  }

  PostResult post(const SpooledBatch& b, Clock::time_point until) {
    PostResult r;
    std::string body;
    long retry_after = 0;
    auto timeout = cfg.request_timeout;
    if (until != Clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      timeout = std::min(timeout, std::max(left, std::chrono::milliseconds(1)));
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, b.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(b.body.size()));
    curl_slist* hs = curl_slist_append(nullptr, "Content-Type: application/x-ndjson");
    if (!b.encoding.empty())
      hs = curl_slist_append(hs, ("Content-Encoding: " + b.encoding).c_str());
    if (!cfg.api_key.empty())
      hs = curl_slist_append(hs, ("Authorization: Bearer " + cfg.api_key).c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &retry_after);
    char curl_error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    ++requests;
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(hs);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
      // Network error or a certificate that failed verification ("SSL certificate problem:
      // certificate has expired"): retried, since a server may come back or renew its
      // certificate; nothing is sent meanwhile (the batch waits in memory or the spool).
      set_error(curl_error[0] != '\0' ? std::string(curl_error) : curl_easy_strerror(rc));
      return r;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    r.retry_after = std::chrono::milliseconds(retry_after * 1000);
    if (r.status < 200 || r.status >= 300)
      set_error("HTTP " + std::to_string(r.status) + ": " + body.substr(0, 200));
    if (r.status >= 200 && r.status < 300) {
      r.outcome = Outcome::kSent;
      r.rejected = json_number_after(body, "\"rejected\"");
      r.accepted = body.find("\"accepted\"") != std::string::npos
                       ? json_number_after(body, "\"accepted\"")
                       : b.events - std::min<uint64_t>(r.rejected, b.events);
    } else if (r.status == 429 || r.status == 408 || r.status >= 500) {
      r.outcome = Outcome::kRetry;
    } else {
      // 400/401/403/413/...: the same bytes will fail the same way; retrying only piles up.
      r.outcome = Outcome::kRejected;
      r.rejected = b.events;
    }
    return r;
  }

  std::chrono::milliseconds backoff(int attempt, std::chrono::milliseconds retry_after) {
    int64_t base = cfg.backoff_min.count() << std::min(attempt, 20);
    base = std::min<int64_t>(base, cfg.backoff_max.count());
    // "Equal jitter": half fixed, half random — spreads clients without ever retrying at once.
    int64_t d = base / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(base / 2 + 1));
    d = std::max<int64_t>(d, std::min<int64_t>(retry_after.count(), 300000));
    return std::chrono::milliseconds(d);
  }

  void run() {
    std::unique_lock<std::mutex> lk(mu);
    int attempt = 0;
    for (;;) {
      if (closing && Clock::now() >= deadline) break;
      if (spool.empty() && mem.empty()) {
        offline = false;
        idle_cv.notify_all();
        if (closing) break;
        cv.wait(lk);
        continue;
      }
      SpooledBatch b;
      bool from_spool = !spool.empty();
      if (from_spool) {
        if (!spool.front(&b)) continue;
      } else {
        b = std::move(mem.front());
        mem.pop_front();
        mem_bytes -= b.body.size();
      }
      in_flight = true;
      Clock::time_point until = closing ? deadline : Clock::time_point::max();
      lk.unlock();
      PostResult r = post(b, until);
      lk.lock();
      in_flight = false;
      if (r.outcome != Outcome::kRetry) {
        sent += r.accepted;
        rejected += r.rejected;
        if (r.outcome == Outcome::kSent) ++batches;
        if (from_spool) spool.pop_front();
        attempt = 0;
        idle_cv.notify_all();
        continue;
      }
      ++retries;
      if (!from_spool) {
        if (spool.enabled()) {
          to_spool(std::move(b));
          go_offline();
        } else {
          mem_bytes += b.body.size();
          mem.push_front(std::move(b));
        }
      }
      idle_cv.notify_all();
      auto wait = backoff(attempt++, r.retry_after);
      auto wake = Clock::now() + wait;
      if (closing) wake = std::min(wake, deadline);
      cv.wait_until(lk, wake, [&] { return closing && Clock::now() >= deadline; });
    }
    // Out of time: what is still in memory goes to the spool for the next run.
    while (!mem.empty()) {
      mem_bytes -= mem.front().body.size();
      uint32_t ev = mem.front().events;
      if (spool.enabled() && spool.push(mem.front()))
        spooled += ev;
      else
        dropped_unsent += ev;
      mem.pop_front();
    }
    idle_cv.notify_all();
  }
};

Result<std::unique_ptr<Shipper>> Shipper::create(const ShipperConfig& cfg,
                                                 const std::string& spool_dir) {
  static CurlGlobal curl_global;
  if (cfg.endpoint.empty()) return Status::InvalidArgument("shipper endpoint is empty");
  if (cfg.batch_max_events == 0 || cfg.batch_max_bytes == 0)
    return Status::InvalidArgument("batch limits must be > 0");
  // A CA bundle that cannot be read would fail every request later with a vaguer error.
  if (!cfg.ca_file.empty() && ::access(cfg.ca_file.c_str(), R_OK) != 0)
    return Status::InvalidArgument("shipper ca_file is not readable: " + cfg.ca_file);
  auto impl = std::make_unique<Impl>(cfg, spool_dir);
  impl->encoding = std::string(internal::content_encoding(cfg.compression));
  impl->url = cfg.endpoint;
  while (!impl->url.empty() && impl->url.back() == '/') impl->url.pop_back();
  impl->url += "/v1/events";
  impl->next_seq = impl->spool.open() + 1;
  impl->curl = curl_easy_init();
  if (!impl->curl) return Status::Internal("curl_easy_init failed");
  curl_easy_setopt(impl->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(impl->curl, CURLOPT_TCP_KEEPALIVE, 1L);
  // libcurl's defaults, stated so that no later change can drop them: the certificate chain
  // must lead to a trusted CA, be within its dates, and name the endpoint's host.
  curl_easy_setopt(impl->curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(impl->curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(impl->curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!cfg.ca_file.empty()) curl_easy_setopt(impl->curl, CURLOPT_CAINFO, cfg.ca_file.c_str());
  Impl* raw = impl.get();
  raw->sender = std::thread([raw] { raw->run(); });
  return std::unique_ptr<Shipper>(new Shipper(std::move(impl)));
}

Shipper::Shipper(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Shipper::~Shipper() {
  if (impl_->sender.joinable()) close(Clock::now());
  curl_easy_cleanup(impl_->curl);
}

void Shipper::write(const EventView& ev) {
  Impl& I = *impl_;
  if (I.cur_events == 0) I.cur_open = Clock::now();
  I.cur.append(ev.json);
  I.cur.push_back('\n');
  ++I.cur_events;
  if (I.cur_events >= I.cfg.batch_max_events || I.cur.size() >= I.cfg.batch_max_bytes) I.seal();
}

void Shipper::tick() {
  Impl& I = *impl_;
  if (I.cur_events && Clock::now() - I.cur_open >= I.cfg.batch_max_delay) I.seal();
}

void Shipper::flush(Clock::time_point deadline) {
  Impl& I = *impl_;
  I.seal();
  std::unique_lock<std::mutex> lk(I.mu);
  I.idle_cv.wait_until(lk, deadline, [&] {
    return (I.mem.empty() && !I.in_flight && I.spool.empty()) || I.offline;
  });
}

void Shipper::close(Clock::time_point deadline) {
  Impl& I = *impl_;
  if (!I.sender.joinable()) return;
  I.seal();
  {
    std::lock_guard<std::mutex> g(I.mu);
    I.closing = true;
    I.deadline = deadline;
  }
  I.cv.notify_all();
  I.sender.join();
}

ShipperStats Shipper::stats() const {
  const Impl& I = *impl_;
  ShipperStats s;
  s.events_sent = I.sent;
  s.events_rejected = I.rejected;
  s.events_spooled = I.spooled;
  s.events_dropped_spool_full = I.dropped_full;
  s.events_dropped_unsent = I.dropped_unsent;
  s.batches_sent = I.batches;
  s.requests = I.requests;
  s.retries = I.retries;
  {
    std::lock_guard<std::mutex> g(const_cast<Impl&>(I).mu);
    s.spool_bytes = I.spool.bytes();
  }
  {
    std::lock_guard<std::mutex> g(const_cast<Impl&>(I).err_mu);
    s.last_error = I.last_error;
  }
  return s;
}

}  // namespace vigia::sdk
