#include "server/ingest_routes.h"

#include <memory>
#include <optional>

#include "common/json_writer.h"
#include "ingest/decompress.h"
#include "server/http_errors.h"
#include "server/live_feed.h"

namespace vigia {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The per-thread decoder: simdjson parsers are expensive to create and not thread-safe.
NdjsonDecoder& ThreadDecoder(const DecodeLimits& limits, const UserAgentClassifier* ua) {
  struct Cached {
    DecodeLimits limits;
    const UserAgentClassifier* ua = nullptr;
    std::unique_ptr<NdjsonDecoder> decoder;
  };
  thread_local Cached cached;
  const DecodeLimits& c = cached.limits;
  if (!cached.decoder || cached.ua != ua || c.max_line_bytes != limits.max_line_bytes ||
      c.max_fields != limits.max_fields || c.max_depth != limits.max_depth ||
      c.max_reported_errors != limits.max_reported_errors) {
    cached.limits = limits;
    cached.ua = ua;
    cached.decoder = std::make_unique<NdjsonDecoder>(limits, ua);
  }
  return *cached.decoder;
}

void Ingest(const ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  std::string_view content_type = req.Header("Content-Type");
  if (!IsIngestMediaType(content_type)) {
    SetError(resp, error_code::kUnsupportedMediaType,
             "Content-Type " + std::string(content_type) +
                 " is not accepted; use application/x-ndjson, application/json or text/plain");
    return;
  }
  std::string_view encoding_header = req.Header("Content-Encoding");
  std::optional<ContentEncoding> encoding = ParseContentEncoding(encoding_header);
  if (!encoding) {
    SetError(resp, error_code::kUnsupportedEncoding,
             "Content-Encoding \"" + std::string(encoding_header) + "\"" +
                 " is not supported; use gzip, deflate or zstd");
    return;
  }
  std::string decompressed;
  std::string_view body = req.body;
  if (*encoding != ContentEncoding::kIdentity) {
    Status st = Decompress(*encoding, req.body, ctx->max_body_bytes, &decompressed);
    if (!st.ok()) {
      if (st.code() == StatusCode::kResourceExhausted) {
        SetError(resp, error_code::kBodyTooLarge,
                 "decompressed body exceeds limits.max_body_bytes (" +
                     std::to_string(ctx->max_body_bytes) + " bytes)");
      } else {
        SetError(resp, error_code::kBadCompression, st.message());
      }
      return;
    }
    body = decompressed;
  }

  auto batch = std::make_shared<EventBatch>();
  DecodeResult result = ThreadDecoder(ctx->decode_limits, ctx->ua_classifier)
                            .Decode(body, req.receive_ts_ns, batch.get());
  if (!batch->empty()) {
    Status st = ctx->store->Append(batch);
    if (!st.ok()) {
      SetError(resp, error_code::kStoreUnavailable, "events not stored: " + st.ToString());
      return;
    }
    if (ctx->live_feed) ctx->live_feed->Publish(std::move(batch));
  }
  std::string out;
  out.reserve(64 + result.errors.size() * 64);
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("accepted", result.accepted).KV("rejected", result.rejected);
  w.Key("errors").BeginArray();
  for (const LineError& e : result.errors) {
    w.BeginObject().KV("line", e.line).KV("error", e.error).EndObject();
  }
  w.EndArray().EndObject();
  resp->SetJson(200, std::move(out));
}

}  // namespace

bool IsIngestMediaType(std::string_view content_type) {
  std::string_view media = TrimSpaces(content_type.substr(0, content_type.find(';')));
  return media.empty() || EqualsIgnoreCase(media, "application/x-ndjson") ||
         EqualsIgnoreCase(media, "application/ndjson") ||
         EqualsIgnoreCase(media, "application/json") || EqualsIgnoreCase(media, "text/plain");
}

void AddIngestRoutes(const ServerContext* ctx, Router* router) {
  router->Add("POST", "/v1/events",
              [ctx](HttpRequest& req, HttpResponse* resp) { Ingest(ctx, req, resp); });
}

}  // namespace vigia
