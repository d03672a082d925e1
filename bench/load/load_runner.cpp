#include "load/load_runner.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <thread>

#include "common/json_writer.h"

namespace vigia::bench {
namespace {

using Clock = std::chrono::steady_clock;

size_t CollectBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<std::string*>(user);
  // Replies are small; cap what is kept so a misbehaving server cannot balloon memory.
  if (body->size() < (64u << 10))
    body->append(data, std::min<size_t>(size * nmemb, (64u << 10) - body->size()));
  return size * nmemb;
}

struct CurlGlobal {
  CurlGlobal() { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }
  bool ok;
};

}  // namespace

double Percentile(std::vector<double>* v, double q) {
  if (v->empty()) return 0;
  std::sort(v->begin(), v->end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v->size())));
  if (rank == 0) rank = 1;
  return (*v)[std::min(rank, v->size()) - 1];
}

int64_t ParseAccepted(std::string_view body) {
  static constexpr std::string_view kKey = "\"accepted\"";
  const size_t p = body.find(kKey);
  if (p == std::string_view::npos) return -1;
  size_t i = p + kKey.size();
  while (i < body.size() && (body[i] == ' ' || body[i] == ':' || body[i] == '\t')) ++i;
  int64_t v = -1;
  auto [end, ec] = std::from_chars(body.data() + i, body.data() + body.size(), v);
  return ec == std::errc() ? v : -1;
}

Result<LoadReport> LoadRunner::Run(BatchSource* source) {
  static CurlGlobal global;
  if (!global.ok) return Status::Internal("curl_global_init failed");
  if (opt_.connections < 1 || opt_.batch_lines < 1 || opt_.url.empty()) {
    return Status::InvalidArgument("need a URL, connections >= 1 and batch lines >= 1");
  }

  std::mutex mu;
  LoadReport report;
  std::vector<double> latencies;
  std::atomic<uint64_t> scheduled_events{0};
  const auto start = Clock::now();

  std::atomic<int> next_connection{0};
  auto sender = [&]() {
    const int connection = next_connection.fetch_add(1);
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      std::lock_guard<std::mutex> lock(mu);
      report.errors.push_back("curl_easy_init failed");
      ++report.failed_batches;
      return;
    }
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, ("Content-Type: " + opt_.content_type).c_str());
    // Without this curl waits for "100 Continue" before bodies > 1 MiB: a full round
    // trip per batch (or a 1 s stall with servers that do not answer it).
    headers = curl_slist_append(headers, "Expect:");
    for (const std::string& h : opt_.headers) headers = curl_slist_append(headers, h.c_str());
    std::string reply;
    curl_easy_setopt(curl, CURLOPT_URL, opt_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, opt_.timeout_sec);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);

    std::string scratch;
    std::vector<double> mine;
    std::vector<BatchTiming> timings;
    LoadReport local;
    Batch batch;
    while (source->Next(opt_.batch_lines, &scratch, &batch)) {
      if (opt_.rate_events_per_sec > 0) {
        // Each batch leaves at the time the target rate reaches its first event.
        const uint64_t before = scheduled_events.fetch_add(batch.lines);
        const auto due =
            start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                        static_cast<double>(before) / opt_.rate_events_per_sec));
        std::this_thread::sleep_until(due);
      }
      reply.clear();
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, batch.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(batch.body.size()));
      const auto t0 = Clock::now();
      const CURLcode rc = curl_easy_perform(curl);
      mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      BatchTiming& timing = timings.emplace_back();
      timing.start_ms = std::chrono::duration<double, std::milli>(t0 - start).count();
      timing.latency_ms = mine.back();
      timing.connection = connection;
      ++local.batches;
      long code = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
      std::string error;
      if (rc != CURLE_OK) {
        error = std::string("curl: ") + curl_easy_strerror(rc);
      } else if (code < 200 || code >= 300) {
        error = "HTTP " + std::to_string(code) + ": " + reply.substr(0, 300);
      }
      if (!error.empty()) {
        ++local.failed_batches;
        local.errors.push_back(std::move(error));
        continue;
      }
      timing.ok = true;
      local.events += batch.lines;
      local.bytes += batch.body.size();
      const int64_t accepted = ParseAccepted(reply);
      if (accepted < 0) {
        local.accepted += batch.lines;
      } else {
        local.accepted += static_cast<uint64_t>(accepted);
        if (static_cast<uint64_t>(accepted) < batch.lines) {
          ++local.partial_batches;
          local.errors.push_back("partial batch: " + reply.substr(0, 300));
        }
      }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);

    std::lock_guard<std::mutex> lock(mu);
    report.events += local.events;
    report.accepted += local.accepted;
    report.bytes += local.bytes;
    report.batches += local.batches;
    report.failed_batches += local.failed_batches;
    report.partial_batches += local.partial_batches;
    for (std::string& e : local.errors) {
      if (static_cast<int>(report.errors.size()) < opt_.max_error_messages)
        report.errors.push_back(std::move(e));
    }
    latencies.insert(latencies.end(), mine.begin(), mine.end());
    report.timings.insert(report.timings.end(), timings.begin(), timings.end());
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < opt_.connections; ++i) threads.emplace_back(sender);
  for (std::thread& t : threads) t.join();
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(report.timings.begin(), report.timings.end(),
            [](const BatchTiming& a, const BatchTiming& b) { return a.start_ms < b.start_ms; });
  report.p50_ms = Percentile(&latencies, 0.50);
  report.p99_ms = Percentile(&latencies, 0.99);
  report.max_ms = latencies.empty() ? 0 : latencies.back();
  return report;
}

std::string LoadReport::ToJson() const {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .KV("events", events)
      .KV("accepted", accepted)
      .KV("bytes", bytes)
      .KV("batches", batches)
      .KV("failed_batches", failed_batches)
      .KV("partial_batches", partial_batches)
      .KV("seconds", seconds)
      .KV("events_per_sec", EventsPerSec())
      .KV("mb_per_sec", MBPerSec())
      .KV("batch_p50_ms", p50_ms)
      .KV("batch_p99_ms", p99_ms)
      .KV("batch_max_ms", max_ms);
  w.Key("errors").BeginArray();
  for (const std::string& e : errors) w.String(e);
  w.EndArray().EndObject();
  return out;
}

std::string LoadReport::TimingsText() const {
  std::string out;
  char line[96];
  for (const BatchTiming& t : timings) {
    std::snprintf(line, sizeof line, "%.3f %.3f %d %d\n", t.start_ms, t.latency_ms, t.connection,
                  t.ok ? 1 : 0);
    out += line;
  }
  return out;
}

std::string LoadReport::ToText() const {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%llu events (%llu accepted) in %.2f s: %.0f events/s, %.1f MB/s; %llu batches, "
                "latency p50 %.1f ms p99 %.1f ms max %.1f ms; %llu failed, %llu partial",
                static_cast<unsigned long long>(events), static_cast<unsigned long long>(accepted),
                seconds, EventsPerSec(), MBPerSec(), static_cast<unsigned long long>(batches),
                p50_ms, p99_ms, max_ms, static_cast<unsigned long long>(failed_batches),
                static_cast<unsigned long long>(partial_batches));
  std::string s = buf;
  for (const std::string& e : errors) s += "\n  error: " + e;
  return s;
}

}  // namespace vigia::bench
