#include "ingest/sentry/sentry_decoder.h"

#include <string>

#include "common/json_writer.h"
#include "ingest/normalize/normalizer.h"
#include "ingest/sentry/sentry_envelope.h"
#include "ingest/sentry/sentry_event.h"

namespace vigia {
namespace {

NormalizerOptions ToNormalizerOptions(const DecoderOptions& d) {
  NormalizerOptions o;
  o.max_fields = d.limits.max_fields;
  o.max_depth = d.limits.max_depth;
  o.max_field_name_bytes = d.limits.max_field_name_bytes;
  o.derivers = d.derivers;
  return o;
}

}  // namespace

struct SentryDecoder::Impl {
  explicit Impl(const DecoderOptions& o) : limits(o.limits), normalizer(ToNormalizerOptions(o)) {}
  IngestLimits limits;
  Normalizer normalizer;
  sentry::SentryEventMapper mapper;
  std::string json;
  std::string event_id;

  void Event(std::string_view payload, std::string_view project, const IngestRequest& req,
             EventBatch* out, DecodeResult* r, std::string* first_id) {
    const uint64_t record = r->accepted + r->rejected + 1;
    Status st = mapper.Map(payload, project, &json, &event_id);
    if (st.ok()) st = normalizer.Normalize(json, req.receive_ts_ns, out);
    if (!st.ok()) {
      ++r->rejected;
      if (r->errors.size() < limits.max_reported_errors) {
        r->errors.push_back(LineError{record, st.message()});
      }
      return;
    }
    ++r->accepted;
    if (first_id->empty()) *first_id = event_id;
  }
};

SentryDecoder::SentryDecoder(DecoderOptions options) : impl_(std::make_unique<Impl>(options)) {}

SentryDecoder::~SentryDecoder() = default;

DecodeResult SentryDecoder::Decode(const IngestRequest& req, EventBatch* out) {
  impl_->normalizer.canonicalizer().SetAdmission(req.admission);
  DecodeResult r;
  std::string_view target = req.target;
  size_t colon = target.find(':');
  std::string_view endpoint = target.substr(0, colon);
  std::string_view project = colon == std::string_view::npos ? "" : target.substr(colon + 1);
  std::string id;
  if (endpoint == "store") {
    impl_->Event(req.body, project, req, out, &r, &id);
  } else {
    sentry::Envelope env;
    Status st = sentry::ParseEnvelope(req.body, &env);
    if (!st.ok()) {
      r.undecodable = st.message();
      return r;
    }
    for (const sentry::EnvelopeItem& item : env.items) {
      if (sentry::IsEventItem(item.type)) impl_->Event(item.payload, project, req, out, &r, &id);
    }
    if (id.empty()) id = env.event_id;
  }
  JsonWriter w(&r.reply);
  w.BeginObject().KV("id", id).EndObject();
  return r;
}

}  // namespace vigia
