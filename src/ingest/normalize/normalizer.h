// Normalizer: the JSON front end of normalization. Parses one JSON object (an application's
// log line, in whatever spelling it uses) with simdjson and feeds it, member by member, to a
// Canonicalizer (canonicalizer.h), which applies the rules of
// src/ingest/normalize/NORMALIZATION.md and appends one canonical event to an EventBatch.
// This file owns only what is JSON: parsing, the reasons for invalid JSON, "not a JSON
// object", and the padding simdjson reads past the text.
//
// Output order within an event: kind, level, the other canonical fields in
// fields::kAllCanonical order, then dynamic fields in input order.
//
// Thread-safety: externally synchronized (owns a reusable simdjson parser); one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "event/event.h"
#include "ingest/normalize/canonicalizer.h"

namespace vigia {

// Limits (fields, depth, field name bytes) and the derivers: see CanonicalizerOptions.
using NormalizerOptions = CanonicalizerOptions;

class Normalizer {
 public:
  // Bytes that must be readable after the JSON text for NormalizePadded (simdjson's padding).
  static constexpr size_t kPadding = 64;

  explicit Normalizer(NormalizerOptions options = {});
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // Parses `json`, which must be one JSON object, and appends one event to `out` (ts =
  // `receive_ts_ns` when the line has none). On failure returns InvalidArgument whose
  // message is the reason ("invalid JSON: unclosed string", "not a JSON object",
  // "invalid UTF-8", and the canonicalizer's: "more than 1000 fields", "nesting deeper than
  // 32", "unparseable ts: ...", "field name longer than 256 bytes", "older than retention
  // (30d)", ...) and appends no event.
  Status Normalize(std::string_view json, int64_t receive_ts_ns, EventBatch* out);

  // Same without copying `json` first.
  // REQUIRES: `readable` >= json.size() + kPadding bytes starting at json.data() may be read.
  Status NormalizePadded(std::string_view json, size_t readable, int64_t receive_ts_ns,
                         EventBatch* out);

  // For front ends whose records carry a JSON line next to fields of their own (Loki's log
  // line with its stream labels): parses `json` and, when it is one JSON object, feeds its
  // members to canonicalizer() inside the event the caller began (BeginEvent and EndEvent
  // are the caller's). Returns kNotAnObject when `json` is not a valid JSON object (nothing
  // was fed: the caller may keep the text as msg), kFailed when the canonicalizer refused a
  // member (the event failed; canonicalizer().error() says why), else kFed. The fed strings
  // stay valid until the next call on this normalizer.
  enum class FeedResult { kFed, kNotAnObject, kFailed };
  FeedResult FeedObject(std::string_view json);

  // The canonicalizer the JSON is fed to (for its admission window).
  Canonicalizer& canonicalizer();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
