// BulkDecoder: the Elasticsearch _bulk front end — the NDJSON body of POST /_bulk and
// POST /{index}/_bulk that Filebeat, Logstash, Fluent Bit, Vector, rsyslog's omelasticsearch
// and syslog-ng's elasticsearch-http() send — into canonical events, one per `index` or
// `create` item; the ECS names of each document map to canonical fields
// (ecs_document_feeder.h).
//
// Items are numbered from 1 in body order: an action/metadata line plus, for index, create
// and update, the document line after it. Each item is accepted or refused on its own:
//  - index / create: the document is one event; the item's index (its `_index`, else the
//    URL's, IngestRequest::target) becomes the field `index`, and selects the service through
//    DecoderOptions::service_by_target when the document names none;
//  - delete / update: refused ("vigia is append-only"): an update's document line is skipped;
//  - a malformed action line is refused and the line after it skipped as its document, so the
//    items after it keep their numbers and pairs.
// DecodeResult::reply holds the JSON array of every item's answer in order, as Elasticsearch
// writes them (`{"create":{"_index":..,"_id":..,"status":201,"result":"created",...}}` or
// `{"index":{...,"status":400,"error":{"type":..,"reason":..}}}`), which bulk clients read to
// retry or drop items; DecodeResult::errors name the item and its line ("line 7: ...").
//
// Thread-safety: externally synchronized (it reuses a simdjson parser); use one per thread.
#pragma once

#include <memory>
#include <string_view>

#include "event/event.h"
#include "ingest/ingest_decoder.h"

namespace vigia {

class BulkDecoder final : public IngestDecoder {
 public:
  explicit BulkDecoder(DecoderOptions options = {});
  ~BulkDecoder() override;

  std::string_view protocol() const override { return "elasticsearch"; }
  DecodeResult Decode(const IngestRequest& req, EventBatch* out) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `glob` ('*' matches any run of characters, everything else itself) matches all
// of `text`.
bool GlobMatch(std::string_view glob, std::string_view text);

}  // namespace vigia
