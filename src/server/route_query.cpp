#include "server/route_query.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "event/event_fields.h"
#include "query/query_backend.h"
#include "query/result_format.h"
#include "server/http_errors.h"
#include "server/query_stream.h"
#include "server/response_stream.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `since`/`until`: a duration back from now ("1h") or an RFC 3339 timestamp.
std::optional<int64_t> ParseTimeParam(std::string_view v, int64_t now) {
  if (auto d = ParseDurationNs(v)) return now - *d;
  return ParseRfc3339(v);
}

// Reads a parameter from the query string, or from a form-encoded POST body.
std::string Param(const HttpRequest& req, std::string_view name) {
  std::string_view v = req.QueryParam(name);
  if (!v.empty()) return PercentDecode(v);
  if (req.method == "POST" &&
      req.Header("Content-Type").find("application/x-www-form-urlencoded") !=
          std::string_view::npos) {
    HttpRequest form;
    form.query = req.body;
    return PercentDecode(form.QueryParam(name));
  }
  return "";
}

// Queries running per API key.
class KeySlots {
 public:
  // False when `key` already runs `max` queries (max 0: no limit).
  bool Acquire(const std::string& key, int max) {
    if (max <= 0) return true;
    std::lock_guard<std::mutex> lock(mu_);
    int& n = running_[key];
    if (n >= max) return false;
    ++n;
    return true;
  }
  void Release(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_.find(key);
    if (it != running_.end() && --it->second <= 0) running_.erase(it);
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, int> running_;
};

struct Shared {
  QueryBackend* backend = nullptr;
  QueryRouteOptions options;
  std::atomic<int> running{0};
  KeySlots per_key;
  // Last: destroyed first, it waits for the streamed queries that use the members above.
  JobThreads jobs;
};

// Holds one of the key's `max_concurrent_per_key` slots and one of the server's
// `max_concurrent` for its lifetime. The key's is taken first: a key over its share is told
// to slow down (429) even when the server has room.
class Slot {
 public:
  Slot(Shared* s, std::string key) : s_(s), key_(std::move(key)) {
    key_ok_ = s_->per_key.Acquire(key_, s_->options.max_concurrent_per_key);
    if (!key_ok_) return;
    server_ok_ = s_->running.fetch_add(1) < s_->options.max_concurrent;
    counted_ = true;
  }
  ~Slot() {
    if (counted_) s_->running.fetch_sub(1);
    if (key_ok_ && s_->options.max_concurrent_per_key > 0) s_->per_key.Release(key_);
  }
  bool ok() const { return key_ok_ && server_ok_; }
  // Sets the refusal of a slot that is not ok().
  void Refuse(HttpResponse* resp) const {
    if (!key_ok_) {
      if (s_->options.key_concurrency_refused != nullptr)
        s_->options.key_concurrency_refused->Inc();
      SetError(resp, error_code::kRateLimited,
               "this API key already runs " + std::to_string(s_->options.max_concurrent_per_key) +
                   " queries (query.max_concurrent_per_key); retry when one ends");
      return;
    }
    SetError(resp, error_code::kOverloaded, "too many queries running; retry shortly");
  }

 private:
  Shared* s_;
  std::string key_;
  bool key_ok_ = false;
  bool server_ok_ = false;
  bool counted_ = false;
};

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The answer to `query` in one piece, with the stats in X-Vigia-* headers too.
void RespondWhole(HttpResponse* resp, const Query& query, OutputFormat fmt, uint64_t limit,
                  std::vector<QueryRecord> rows, const QueryStats& stats,
                  std::chrono::steady_clock::time_point start) {
  double ms = MsSince(start);
  resp->headers.emplace_back("X-Vigia-Rows-Scanned", std::to_string(stats.rows_scanned));
  resp->headers.emplace_back("X-Vigia-Blocks-Read", std::to_string(stats.blocks_read));
  resp->headers.emplace_back("X-Vigia-Blocks-Skipped", std::to_string(stats.blocks_skipped));
  resp->headers.emplace_back("X-Vigia-Bytes-Read", std::to_string(stats.bytes_read));
  resp->headers.emplace_back("X-Vigia-Elapsed-Ms", std::to_string(ms));
  if (stats.shards_total > 0) {
    resp->headers.emplace_back("X-Vigia-Shards-Unavailable",
                               std::to_string(stats.shards_unavailable));
    resp->headers.emplace_back("X-Vigia-Partial", stats.shards_unavailable > 0 ? "1" : "0");
  }
  resp->status = 200;
  if (fmt == OutputFormat::kCsv) {
    resp->content_type = "text/csv";
    if (limit > 0 && rows.size() > limit) rows.resize(limit);
    // An empty result still has the header of the columns the query fixes (stats, fields).
    resp->body = FormatRows(rows, fmt, QueryColumns(query));
    return;
  }
  QueryBody body(fmt == OutputFormat::kJson, limit);
  std::string out = body.Begin();
  body.AddRows(rows, &out);
  out += body.End(stats, ms);
  if (fmt == OutputFormat::kJson) {
    resp->SetJson(200, std::move(out));
  } else {
    resp->content_type = "application/x-ndjson";
    resp->body = std::move(out);
  }
}

// One /v1/query of a streamable plain filter (StreamableQuery), run on a thread of its own.
// The handler waits until the query has finished or has final rows while it still scans:
// in the first case it answers in one piece as always; in the second it switches to a
// streamed body that the job thread completes (query_stream.h: errors after the first
// byte). `mu` hands the body over from the handler to the job thread.
struct QueryJob {
  QueryJob(Query q, bool json, uint64_t limit) : query(std::move(q)), body(json, limit) {}

  QueryBackend* backend = nullptr;
  Query query;
  QueryOptions opt;
  std::chrono::steady_clock::time_point start;
  std::unique_ptr<Slot> slot;  // released when the answer is complete
  std::atomic<bool> cancel{false};
  QueryBody body;  // the handler's until `streaming`, then the job thread's

  std::mutex mu;
  std::condition_variable cv;
  std::vector<QueryRecord> held;  // final rows not sent yet (before `streaming`)
  bool streaming = false;
  bool done = false;  // finished before streaming: `result` is the answer
  std::optional<Result<QueryResult>> result;
  std::shared_ptr<ResponseStream> stream;
};

void RunJob(QueryJob& j) {
  QueryObserver obs;
  obs.cancel = &j.cancel;
  obs.on_rows = [&j](std::vector<QueryRecord> rows) -> Status {
    {
      std::lock_guard<std::mutex> lock(j.mu);
      if (!j.streaming) {
        for (QueryRecord& r : rows) j.held.push_back(std::move(r));
        j.cv.notify_all();
        return Status::Ok();
      }
    }
    std::string chunk;
    j.body.AddRows(rows, &chunk);
    return WriteAll(j.stream.get(), chunk, j.opt.deadline);
  };
  Result<QueryResult> res = j.backend->Run(j.query, j.opt, obs);
  {
    std::lock_guard<std::mutex> lock(j.mu);
    if (!j.streaming) {
      j.slot.reset();
      j.result = std::move(res);
      j.done = true;
      j.cv.notify_all();
      return;
    }
  }
  // The scan is over: free the slot before the client can see the end of the answer, so a
  // client that sends its next query as soon as this one ends never finds it still taken.
  j.slot.reset();
  if (res.ok()) {
    std::string rest;
    j.body.AddRows(res->rows, &rest);
    rest += j.body.End(res->stats, MsSince(j.start));
    // Only fails when the client is gone: there is nobody left to tell.
    Status written = WriteAll(j.stream.get(), rest, std::nullopt);
    if (written.ok()) j.stream->Finish();
  } else {
    j.stream->Fail(j.body.EndWithError(res.status()));
  }
}

// Runs `job` and answers: in one piece when the query ends before any row is final, else
// as a stream of the rows as they become final.
void RespondStreamable(Shared& s, std::shared_ptr<QueryJob> job, OutputFormat fmt, uint64_t limit,
                       HttpResponse* resp) {
  s.jobs.Start([job] { RunJob(*job); });
  std::unique_lock<std::mutex> lock(job->mu);
  job->cv.wait(lock, [&] { return job->done || !job->held.empty(); });
  if (job->done) {
    Result<QueryResult> res = std::move(*job->result);
    std::vector<QueryRecord> rows = std::move(job->held);
    lock.unlock();
    if (!res.ok()) return SetStatusError(resp, res.status());
    for (QueryRecord& r : res->rows) rows.push_back(std::move(r));
    return RespondWhole(resp, job->query, fmt, limit, std::move(rows), res->stats, job->start);
  }
  job->streaming = true;
  job->stream = std::make_shared<ResponseStream>();
  std::string first = job->body.Begin();
  job->body.AddRows(job->held, &first);
  job->held.clear();
  job->stream->Write(first);  // the stream is empty: taken whatever its size
  std::weak_ptr<QueryJob> weak = job;
  job->stream->SetOnClose([weak] {
    if (auto j = weak.lock()) j->cancel = true;
  });
  resp->status = 200;
  resp->content_type = fmt == OutputFormat::kJson ? "application/json" : "application/x-ndjson";
  resp->headers.emplace_back("X-Vigia-Streamed", "true");
  resp->stream = job->stream;
}

QueryOptions MakeOptions(const Shared& s, int64_t now, const Principal& principal) {
  QueryOptions opt;
  opt.now_ns = now;
  opt.scope = ScopeOf(principal);
  opt.max_groups = s.options.max_groups;
  opt.max_memory_bytes = s.options.max_memory_bytes;
  opt.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(s.options.timeout_ms);
  return opt;
}

void HandleQuery(Shared& s, HttpRequest& req, HttpResponse* resp) {
  auto start = std::chrono::steady_clock::now();
  auto slot = std::make_unique<Slot>(&s, req.principal.key_id);
  if (!slot->ok()) return slot->Refuse(resp);
  std::string text = Param(req, "q");
  if (text.empty() && req.method == "POST" &&
      req.Header("Content-Type").find("application/x-www-form-urlencoded") ==
          std::string_view::npos) {
    text = req.body;  // raw VQL body
  }
  if (text.empty()) {
    SetError(resp, error_code::kBadRequest, "missing query parameter q");
    return;
  }
  std::string fmt_name = Param(req, "format");
  auto fmt = ParseOutputFormat(fmt_name.empty() ? "json" : fmt_name);
  if (!fmt.ok() || *fmt == OutputFormat::kTable) {
    SetError(resp, error_code::kBadRequest, "format must be json, ndjson or csv");
    return;
  }
  int64_t now = s.options.now_ns ? s.options.now_ns() : WallNowNs();
  QueryOptions opt = MakeOptions(s, now, req.principal);
  for (const char* name : {"since", "until"}) {
    std::string v = Param(req, name);
    if (v.empty()) continue;
    auto t = ParseTimeParam(v, now);
    if (!t) {
      SetError(resp, error_code::kBadRequest,
               std::string(name) + " must be a duration such as 1h or an RFC 3339 time");
      return;
    }
    (std::string_view(name) == "since" ? opt.range.from_ns : opt.range.to_ns) = *t;
  }
  uint64_t limit = 0;
  std::string limit_s = Param(req, "limit");
  if (!limit_s.empty()) {
    auto r = std::from_chars(limit_s.data(), limit_s.data() + limit_s.size(), limit);
    if (r.ec != std::errc() || r.ptr != limit_s.data() + limit_s.size() || limit == 0) {
      SetError(resp, error_code::kBadRequest, "limit must be a positive integer");
      return;
    }
  }
  auto query = ParseVql(text);
  if (!query.ok()) {
    SetStatusError(resp, query.status());
    return;
  }
  bool has_limit = false;
  for (const Pipe& p : query->pipes) has_limit |= p.kind == PipeKind::kLimit;
  // A plain filter over a big store would otherwise return everything.
  if (limit == 0 && !has_limit && query->pipes.empty()) limit = limits::kDefaultQueryRowLimit;
  // One row more than returned tells whether the result was cut.
  if (limit > 0) opt.row_limit = limit + 1;
  std::string explain = Param(req, "explain");
  if (!explain.empty() && explain != "false" && explain != "0") {
    if (explain != "true" && explain != "1") {
      SetError(resp, error_code::kBadRequest, "explain must be true or false");
      return;
    }
    // The plan of the query as this key would run it (the tenant condition included); no
    // event is read.
    Result<std::string> text = s.backend->Explain(*query, opt);
    if (!text.ok()) return SetStatusError(resp, text.status());
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = "{\"explain\":";
    AppendJsonString(&resp->body, *text);
    resp->body += "}\n";
    return;
  }
  if (*fmt != OutputFormat::kCsv && StreamableQuery(*query)) {
    auto job = std::make_shared<QueryJob>(std::move(*query), *fmt == OutputFormat::kJson, limit);
    job->backend = s.backend;
    job->opt = opt;
    job->start = start;
    job->slot = std::move(slot);
    return RespondStreamable(s, std::move(job), *fmt, limit, resp);
  }
  auto res = s.backend->Run(*query, opt);
  if (!res.ok()) {
    SetStatusError(resp, res.status());
    return;
  }
  RespondWhole(resp, *query, *fmt, limit, std::move(res->rows), res->stats, start);
}

void HandleTrace(Shared& s, HttpRequest& req, HttpResponse* resp) {
  Slot slot(&s, req.principal.key_id);
  if (!slot.ok()) return slot.Refuse(resp);
  // The path form /v1/trace/{request_id} (decoded by the router) or ?request_id=; or
  // ?trace_id= (OpenTelemetry's W3C trace id: OTLP records keep it, and it is
  // bloom-indexed like request_id, so a trace id finds its logs the same way).
  std::string id(req.PathParam("request_id"));
  if (id.empty()) id = Param(req, "request_id");
  std::string_view key = fields::kRequestId;
  if (id.empty()) {
    id = Param(req, "trace_id");
    key = fields::kTraceId;
  }
  if (id.empty()) {
    SetError(resp, error_code::kBadRequest, "missing request_id (or trace_id)");
    return;
  }
  int64_t now = s.options.now_ns ? s.options.now_ns() : WallNowNs();
  // The request record (the request's summary) first, then the rest in time order.
  Result<QueryResult> res = Status::Internal("unset");
  if (key == fields::kRequestId) {
    res = s.backend->Trace(id, MakeOptions(s, now, req.principal));
  } else {
    Query q;
    q.filter = std::make_unique<Filter>();
    q.filter->kind = FilterKind::kExact;
    q.filter->field = std::string(key);
    q.filter->value = id;
    res = s.backend->Run(q, MakeOptions(s, now, req.principal));
    if (res.ok()) OrderTrace(&res->rows);
  }
  if (!res.ok()) {
    SetStatusError(resp, res.status());
    return;
  }
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().KV(key, id).Key("events").BeginArray();
  for (const QueryRecord& r : res->rows) AppendRowJson(&w, r);
  w.EndArray().EndObject();
  if (res->rows.empty()) {
    SetError(resp, error_code::kNotFound, "no events with " + std::string(key) + " " + id);
    return;
  }
  resp->SetJson(200, std::move(body));
}

}  // namespace

TenantScope ScopeOf(const Principal& principal) {
  if (principal.all_tenants) return TenantScope::All();
  return TenantScope::Only(principal.tenant);
}

void AddQueryRoutes(Router* router, QueryBackend* backend, QueryRouteOptions options) {
  auto shared = std::make_shared<Shared>();
  shared->backend = backend;
  shared->options = std::move(options);
  auto query = [shared](HttpRequest& req, HttpResponse* resp) { HandleQuery(*shared, req, resp); };
  router->Add("GET", "/v1/query", Access::kRead, query);
  router->Add("POST", "/v1/query", Access::kRead, query);
  auto trace = [shared](HttpRequest& req, HttpResponse* resp) { HandleTrace(*shared, req, resp); };
  router->Add("GET", "/v1/trace", Access::kRead, trace);
  router->Add("GET", "/v1/trace/{request_id}", Access::kRead, trace);
}

}  // namespace vigia
