#include "server/route_tail.h"

#include <chrono>
#include <memory>
#include <string>

#include "query/filter_matcher.h"
#include "query/query_record.h"
#include "query/vql_parser.h"
#include "server/http_errors.h"
#include "server/response_stream.h"
#include "server/route_query.h"

namespace vigia {
namespace {

// Events are gathered into chunks of about this size before they go to the stream: one
// notification and one socket write per chunk rather than per event.
constexpr size_t kChunkBytes = 64 << 10;
// How soon a drop notice goes out when no new event would carry it.
constexpr auto kDropNoticeDelay = std::chrono::seconds(1);

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TailSubscriber final : public LiveFeed::Subscriber {
 public:
  TailSubscriber(FilterMatcher matcher, bool sse, std::shared_ptr<ResponseStream> stream,
                 int keepalive_ms)
      : matcher_(std::move(matcher)),
        sse_(sse),
        stream_(std::move(stream)),
        keepalive_(keepalive_ms),
        last_write_(std::chrono::steady_clock::now()) {}

  bool Deliver(LiveFeed::Delivery& d) override {
    std::string chunk;
    uint64_t events = 0;
    const EventBatch& batch = d.batch();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!matcher_.Matches(EventRowAccessor(batch, batch.events()[i]))) continue;
      if (sse_) chunk += "data: ";
      chunk += d.Json(i);
      chunk += sse_ ? "\n\n" : "\n";
      ++events;
      if (chunk.size() >= kChunkBytes && !Flush(&chunk, &events)) return false;
    }
    return Flush(&chunk, &events);
  }

  void Missed(uint64_t events) override { dropped_ += events; }

  bool Tick(std::chrono::steady_clock::time_point now) override {
    if (stream_->closed()) return false;
    std::string none;
    uint64_t zero = 0;
    if (dropped_ > 0 && now - last_write_ >= kDropNoticeDelay) return Flush(&none, &zero);
    if (now - last_write_ >= keepalive_) {
      auto r = stream_->Write(sse_ ? ": keep-alive\n\n" : "\n");
      if (r == ResponseStream::WriteResult::kClosed) return false;
      // A full stream needs no heartbeat: the client is behind, not idle.
      last_write_ = now;
    }
    return true;
  }

  void Ended() override { stream_->Finish(); }

 private:
  // Writes the pending drop notice (if any) and `chunk` as one piece; when it does not fit,
  // its events are counted as dropped. False when the stream is closed.
  bool Flush(std::string* chunk, uint64_t* events) {
    if (*events == 0 && dropped_ == 0) return true;
    std::string notice;
    if (dropped_ > 0) {
      std::string json = "{\"dropped\":" + std::to_string(dropped_) + "}";
      notice = sse_ ? "event: dropped\ndata: " + json + "\n\n" : json + "\n";
      chunk->insert(0, notice);
    }
    ResponseStream::WriteResult r = stream_->Write(*chunk);
    chunk->clear();
    if (r == ResponseStream::WriteResult::kClosed) return false;
    if (r == ResponseStream::WriteResult::kOk) {
      dropped_ = 0;
      last_write_ = std::chrono::steady_clock::now();
    } else {
      dropped_ += *events;
    }
    *events = 0;
    return true;
  }

  FilterMatcher matcher_;
  const bool sse_;
  std::shared_ptr<ResponseStream> stream_;
  const std::chrono::milliseconds keepalive_;
  std::chrono::steady_clock::time_point last_write_;
  uint64_t dropped_ = 0;  // not yet reported to the client
};

void HandleTail(LiveFeed* feed, const TailRouteOptions& options, HttpRequest& req,
                HttpResponse* resp) {
  std::string text = PercentDecode(req.QueryParam("q"));
  if (text.empty()) text = "*";
  auto query = ParseVql(text);
  if (!query.ok()) {
    SetError(resp, 400, error_code::kBadRequest, query.status().message());
    return;
  }
  if (!query->pipes.empty()) {
    SetError(resp, 400, error_code::kBadRequest,
             "tail takes a filter only (no pipes such as stats, sort or limit)");
    return;
  }
  int64_t now = options.now_ns ? options.now_ns() : WallNowNs();
  auto matcher = FilterMatcher::Compile(*query->filter, now);
  if (!matcher.ok()) {
    SetError(resp, 400, error_code::kBadRequest, matcher.status().message());
    return;
  }
  std::string format = PercentDecode(req.QueryParam("format"));
  bool sse;
  if (format.empty()) {
    sse = req.Header("Accept").find("text/event-stream") != std::string_view::npos;
  } else if (format == "sse" || format == "ndjson") {
    sse = format == "sse";
  } else {
    SetError(resp, 400, error_code::kBadRequest, "format must be ndjson or sse");
    return;
  }
  auto stream = std::make_shared<ResponseStream>(options.stream_buffer_bytes);
  Status st = feed->Subscribe(
      std::make_shared<TailSubscriber>(std::move(*matcher), sse, stream, options.keepalive_ms));
  if (!st.ok()) {
    if (st.code() == StatusCode::kResourceExhausted) {
      SetError(resp, 503, "overloaded", st.message());
      resp->headers.emplace_back("Retry-After", "5");
    } else {
      SetError(resp, 503, error_code::kShuttingDown, st.message());
    }
    return;
  }
  resp->status = 200;
  resp->content_type = sse ? "text/event-stream" : "application/x-ndjson";
  resp->headers.emplace_back("Cache-Control", "no-cache");
  // Tells nginx-like proxies not to buffer the stream.
  resp->headers.emplace_back("X-Accel-Buffering", "no");
  resp->stream = std::move(stream);
}

}  // namespace

void AddTailRoutes(Router* router, LiveFeed* feed, TailRouteOptions options) {
  auto shared = std::make_shared<TailRouteOptions>(std::move(options));
  router->Add("GET", "/v1/tail", [feed, shared](HttpRequest& req, HttpResponse* resp) {
    HandleTail(feed, *shared, req, resp);
  });
}

}  // namespace vigia
