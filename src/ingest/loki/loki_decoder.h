// LokiDecoder: the IngestDecoder of Loki's push API (POST /loki/api/v1/push): a PushRequest
// in JSON (application/json) or protobuf (application/x-protobuf, loki_push.proto; the route
// undoes its snappy compression first, loki_snappy.h) into one canonical event per entry.
// docs/ingest-loki.md is the user-facing mapping:
//
//   entry timestamp       → ts (nanoseconds; 0 → the receive time)
//   line                  → a JSON object line is the event itself (its members go through
//                           the JSON front end: aliases, nesting, error objects), else msg
//   structured metadata   → fields under their names
//   stream labels         → fields under their names; service_name, else app, else job →
//                           service
//
// The line's own fields are fed first, then the metadata, then the labels, so for one
// canonical field the line wins over the stream's labels.
//
// Entries are numbered from 1 across the request; an error names the entry's path
// ("streams[1].values[3]: ..."). A bad entry costs only itself; a stream whose labels cannot
// be parsed costs its entries. A body whose envelope cannot be decoded sets
// DecodeResult::undecodable and accepts nothing.
//
// Thread-safety: externally synchronized; use one per thread.
#pragma once

#include <memory>
#include <string_view>

#include "ingest/ingest_decoder.h"

namespace vigia {

class LokiDecoder final : public IngestDecoder {
 public:
  explicit LokiDecoder(DecoderOptions options = {});
  ~LokiDecoder() override;

  std::string_view protocol() const override { return "loki"; }
  // application/x-protobuf → protobuf (already uncompressed); anything else → JSON.
  DecodeResult Decode(const IngestRequest& req, EventBatch* out) override;

  DecodeResult DecodeJson(std::string_view body, int64_t receive_ts_ns, EventBatch* out);
  // REQUIRES: `body` is the uncompressed PushRequest.
  DecodeResult DecodeProtobuf(std::string_view body, int64_t receive_ts_ns, EventBatch* out);

  static bool IsProtobuf(std::string_view content_type);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
