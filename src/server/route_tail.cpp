#include "server/route_tail.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "event/event_fields.h"
#include "event/event_json.h"
#include "query/filter_matcher.h"
#include "query/query_backend.h"
#include "query/query_record.h"
#include "server/content_negotiation.h"
#include "server/http_errors.h"
#include "server/query_stream.h"
#include "server/response_stream.h"
#include "server/route_query.h"
#include "server/tail_seam.h"
#include "vql/vql_parser.h"

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

// The form of live events (AppendEventJson) for a backfilled row: ts with nanoseconds, kind
// and level first, then the other fields.
void AppendTailRowJson(const QueryRecord& r, std::string* out) {
  const OwnedValue* ts = r.Get("ts");
  out->append("{\"ts\":\"");
  out->append(FormatRfc3339(ts ? ts->i : 0, 9));
  out->push_back('"');
  auto field = [&](const std::pair<std::string, OwnedValue>& c) {
    out->push_back(',');
    AppendJsonString(out, c.first);
    out->push_back(':');
    AppendJsonValue(out, c.second.view());
  };
  for (std::string_view lead : {fields::kKind, fields::kLevel}) {
    for (const auto& c : r.cols) {
      if (c.first == lead) {
        field(c);
        break;
      }
    }
  }
  for (const auto& c : r.cols) {
    if (IsTimeField(c.first) || c.first == fields::kKind || c.first == fields::kLevel) continue;
    field(c);
  }
  out->push_back('}');
}

class TailSubscriber final : public LiveFeed::Subscriber {
 public:
  TailSubscriber(FilterMatcher matcher, bool sse, std::shared_ptr<ResponseStream> stream,
                 int keepalive_ms, bool backfill, size_t max_held_events,
                 std::shared_ptr<const void> registration)
      : registration_(std::move(registration)),
        matcher_(std::move(matcher)),
        sse_(sse),
        stream_(std::move(stream)),
        keepalive_(keepalive_ms),
        max_held_events_(max_held_events),
        last_write_(std::chrono::steady_clock::now()),
        backfilling_(backfill),
        seam_(max_held_events, std::chrono::milliseconds(limits::kTailSeamHoldMs)) {}

  bool Deliver(LiveFeed::Delivery& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!backfilling_) return DeliverLocked(d);
    if (held_events_ + d.batch().size() <= max_held_events_) {
      held_.emplace_back(d.shared(), d.ticket());
      held_events_ += d.batch().size();
    } else {
      // Some of them may come through the backfill after all: the count can be too high,
      // never too low.
      dropped_ += Matching(d.batch());
    }
    return !stream_->closed();
  }

  void Missed(uint64_t events) override {
    std::lock_guard<std::mutex> lock(mu_);
    dropped_ += events;
  }

  bool Tick(std::chrono::steady_clock::time_point now) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (stream_->closed()) return false;
    if (backfilling_) return true;  // the backfill writes; it needs no heartbeat
    seam_.Expire(now);
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

  bool Notice(const std::string& event, const std::string& json) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = stream_->Write(sse_ ? "event: " + event + "\ndata: " + json + "\n\n" : json + "\n");
    return r != ResponseStream::WriteResult::kClosed;
  }

  // Rows the backfill is about to write (the seam's cursor keys).
  void BackfillSent(const std::vector<QueryRecord>& rows) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const QueryRecord& r : rows) seam_.Sent(r);
  }

  // The backfill has been written and the feed's next ticket was `live_mark`: the held live
  // batches follow (minus what the backfill sent), then live delivery.
  void BackfillDone(uint64_t live_mark) {
    std::lock_guard<std::mutex> lock(mu_);
    backfilling_ = false;
    last_write_ = std::chrono::steady_clock::now();
    seam_.Close(live_mark, last_write_);
    std::vector<std::pair<std::shared_ptr<const EventBatch>, uint64_t>> held = std::move(held_);
    held_.clear();
    held_events_ = 0;
    for (auto& [batch, seq] : held) {
      LiveFeed::Delivery d(std::move(batch), seq);
      if (!DeliverLocked(d)) return;
    }
  }

 private:
  uint64_t Matching(const EventBatch& batch) const {
    uint64_t n = 0;
    for (const auto& e : batch.events()) n += matcher_.Matches(EventRowAccessor(batch, e));
    return n;
  }

  bool DeliverLocked(LiveFeed::Delivery& d) {
    std::string chunk;
    uint64_t events = 0;
    const EventBatch& batch = d.batch();
    for (size_t i = 0; i < batch.size(); ++i) {
      const EventBatch::EventRef& e = batch.events()[i];
      if (!matcher_.Matches(EventRowAccessor(batch, e))) continue;
      if (seam_.SkipLive(d.ticket(), batch, e)) continue;  // the backfill sent it
      if (sse_) chunk += "data: ";
      chunk += d.Json(i);
      chunk += sse_ ? "\n\n" : "\n";
      ++events;
      if (chunk.size() >= kChunkBytes && !Flush(&chunk, &events)) return false;
    }
    return Flush(&chunk, &events);
  }

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

  // Keeps the tail's filter in a cluster poller's reads (ClusterTail::Register) while the
  // subscriber lives.
  const std::shared_ptr<const void> registration_;
  const FilterMatcher matcher_;
  const bool sse_;
  const std::shared_ptr<ResponseStream> stream_;
  const std::chrono::milliseconds keepalive_;
  const size_t max_held_events_;
  // The feed thread and the backfill thread (hand-over at BackfillDone) both use the rest.
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_write_;
  uint64_t dropped_ = 0;  // not yet reported to the client
  bool backfilling_;
  // Live batches (and their feed ticket) delivered while the backfill runs.
  std::vector<std::pair<std::shared_ptr<const EventBatch>, uint64_t>> held_;
  size_t held_events_ = 0;
  TailSeam seam_;
};

// A `since` backfill, run on a thread of its own: the stored matching events, time-ordered,
// written as the scan finds them (blocking on a slow client: none may be lost), then the
// hand-over to live delivery.
struct Backfill {
  std::shared_ptr<TailSubscriber> sub;
  std::shared_ptr<ResponseStream> stream;
  LiveFeed* feed = nullptr;
  ClusterTail* cluster = nullptr;
  QueryBackend* backend = nullptr;
  Query query;
  int64_t since_ns = 0;
  QueryOptions opt;
  bool sse = false;
  std::atomic<bool> cancel{false};
};

void RunBackfill(Backfill& b) {
  auto write = [&b](const std::vector<QueryRecord>& rows) {
    b.sub->BackfillSent(rows);
    std::string chunk;
    for (const QueryRecord& r : rows) {
      if (b.sse) chunk += "data: ";
      AppendTailRowJson(r, &chunk);
      chunk += b.sse ? "\n\n" : "\n";
    }
    return WriteAll(b.stream.get(), chunk, std::nullopt);
  };
  QueryObserver obs;
  obs.cancel = &b.cancel;
  obs.on_rows = [&](std::vector<QueryRecord> rows) { return write(rows); };
  Result<QueryResult> res = b.backend->Backfill(b.query, b.since_ns, b.opt, obs);
  Status st = res.ok() ? write(res->rows) : res.status();
  if (!st.ok()) {
    std::string err = ErrorJson(ErrorForStatus(st), "backfill failed: " + st.message());
    b.stream->Fail(b.sse ? "event: error\ndata: " + err + "\n\n" : err + "\n");
    return;
  }
  // Read after the last row: every batch the backfill could read had its ticket taken before
  // (ingest reserves before it stores). In a cluster, a row the backfill read may be published
  // by a poll that was running when the backfill ended: the mark is read after the next poll.
  b.sub->BackfillDone(b.cluster ? b.cluster->MarkAfterNextPoll(limits::kTailClusterSeamWaitMs)
                                : b.feed->reserved());
}

struct TailShared {
  TailRouteOptions options;
  // Last: destroyed first, it waits for the backfills.
  JobThreads jobs;
};

void HandleTail(LiveFeed* feed, TailShared& shared, HttpRequest& req, HttpResponse* resp) {
  const TailRouteOptions& options = shared.options;
  std::string text = PercentDecode(req.QueryParam("q"));
  if (text.empty()) text = "*";
  auto query = ParseVql(text);
  if (!query.ok()) {
    SetError(resp, error_code::kBadRequest, query.status().message());
    return;
  }
  if (!query->pipes.empty()) {
    SetError(resp, error_code::kBadRequest,
             "tail takes a filter only (no pipes such as stats, sort or limit)");
    return;
  }
  int64_t now = options.now_ns ? options.now_ns() : WallNowNs();
  // Live events are matched here, not by the query backend: the tenant scope goes into the
  // filter itself (the backfill's is the backend's, from job->opt.scope).
  const TenantScope scope = ScopeOf(req.principal);
  Query live = ScopeQuery(*query, scope);
  std::optional<int64_t> since;
  if (std::string v = PercentDecode(req.QueryParam("since")); !v.empty()) {
    if (auto d = ParseDurationNs(v)) {
      since = now - *d;
    } else {
      since = ParseRfc3339(v);
    }
    if (!since) {
      SetError(resp, error_code::kBadRequest,
               "since must be a duration such as 5m or an RFC 3339 time");
      return;
    }
    if (!options.backend) {
      SetError(resp, error_code::kBadRequest, "since is not available here (no store)");
      return;
    }
  }
  std::shared_ptr<const void> registration;
  if (options.cluster != nullptr) {
    // The poller re-reads a window of event time: the tail shows the events from when it
    // opened (or `since`, which the backfill covers), not the window's older ones.
    auto both = std::make_unique<Filter>();
    both->kind = FilterKind::kAnd;
    auto floor = std::make_unique<Filter>();
    floor->kind = FilterKind::kTime;
    floor->from_ns = since.value_or(now);
    both->children.push_back(std::move(floor));
    both->children.push_back(std::move(live.filter));
    live.filter = std::move(both);
    auto reg = options.cluster->Register(*live.filter, now);
    if (!reg.ok()) {
      SetError(resp, error_code::kBadRequest,
               "this filter cannot be compiled for the cluster's tail: " + reg.status().message());
      return;
    }
    registration = std::move(*reg);
  }
  auto matcher = FilterMatcher::Compile(*live.filter, now);
  if (!matcher.ok()) {
    SetError(resp, error_code::kBadRequest, matcher.status().message());
    return;
  }
  std::string format = PercentDecode(req.QueryParam("format"));
  bool sse;
  if (format.empty()) {
    sse = AcceptedMediaTypes(req.Header("Accept")).NamesExplicitly("text/event-stream");
  } else if (format == "sse" || format == "ndjson") {
    sse = format == "sse";
  } else {
    SetError(resp, error_code::kBadRequest, "format must be ndjson or sse");
    return;
  }
  auto stream = std::make_shared<ResponseStream>(options.stream_buffer_bytes);
  auto sub = std::make_shared<TailSubscriber>(std::move(*matcher), sse, stream,
                                              options.keepalive_ms, since.has_value(),
                                              options.max_held_events, std::move(registration));
  // Subscribed before the backfill starts: every batch stored after the backfill's view of the
  // store was fixed is published to this subscriber (see the header: no gap at the seam).
  Status st = feed->Subscribe(sub);
  if (!st.ok()) {
    if (st.code() == StatusCode::kResourceExhausted) {
      SetError(resp, error_code::kOverloaded, st.message(), /*retry_after_sec=*/5);
    } else {
      SetError(resp, error_code::kShuttingDown, st.message());
    }
    return;
  }
  if (since) {
    auto job = std::make_shared<Backfill>();
    job->sub = sub;
    job->stream = stream;
    job->feed = feed;
    job->cluster = options.cluster;
    job->backend = options.backend;
    job->query = std::move(*query);
    job->since_ns = *since;
    job->opt.now_ns = now;
    job->opt.scope = scope;
    job->sse = sse;
    std::weak_ptr<Backfill> weak = job;
    stream->SetOnClose([weak] {
      if (auto j = weak.lock()) j->cancel = true;
    });
    shared.jobs.Start([job] { RunBackfill(*job); });
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
  auto shared = std::make_shared<TailShared>();
  shared->options = std::move(options);
  router->Add("GET", "/v1/tail", Access::kRead,
              [feed, shared](HttpRequest& req, HttpResponse* resp) {
                HandleTail(shared->options.cluster ? shared->options.cluster->feed() : feed,
                           *shared, req, resp);
              });
}

}  // namespace vigia
