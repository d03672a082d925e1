#include "ingest/otlp/otlp_decoder.h"

#include "common/ascii.h"
#include "ingest/otlp/otlp_event_writer.h"
#include "ingest/otlp/otlp_json_reader.h"
#include "ingest/otlp/otlp_protobuf_reader.h"

namespace vigia {
namespace {

CanonicalizerOptions ToCanonicalizerOptions(const DecoderOptions& d) {
  CanonicalizerOptions o;
  o.max_fields = d.limits.max_fields;
  o.max_depth = d.limits.max_depth;
  o.max_field_name_bytes = d.limits.max_field_name_bytes;
  o.derivers = d.derivers;
  return o;
}

}  // namespace

struct OtlpDecoder::Impl {
  explicit Impl(const DecoderOptions& o)
      : canon(ToCanonicalizerOptions(o)),
        writer(&canon),
        protobuf(&writer, o.limits),
        json(&writer, o.limits) {}

  Canonicalizer canon;
  otlp::OtlpEventWriter writer;
  otlp::OtlpProtobufReader protobuf;
  otlp::OtlpJsonReader json;
};

OtlpDecoder::OtlpDecoder(DecoderOptions options) : impl_(std::make_unique<Impl>(options)) {}
OtlpDecoder::~OtlpDecoder() = default;

bool OtlpDecoder::IsProtobuf(std::string_view content_type) {
  std::string_view media = ascii::TrimSpaces(content_type.substr(0, content_type.find(';')));
  return ascii::EqualsIgnoreCase(media, "application/x-protobuf") ||
         ascii::EqualsIgnoreCase(media, "application/protobuf");
}

DecodeResult OtlpDecoder::Decode(const IngestRequest& req, EventBatch* out) {
  impl_->canon.SetAdmission(req.admission);
  return IsProtobuf(req.content_type) ? impl_->protobuf.Decode(req.body, req.receive_ts_ns, out)
                                      : impl_->json.Decode(req.body, req.receive_ts_ns, out);
}

DecodeResult OtlpDecoder::DecodeProtobuf(std::string_view body, int64_t receive_ts_ns,
                                         EventBatch* out) {
  return impl_->protobuf.Decode(body, receive_ts_ns, out);
}

DecodeResult OtlpDecoder::DecodeJson(std::string_view body, int64_t receive_ts_ns,
                                     EventBatch* out) {
  return impl_->json.Decode(body, receive_ts_ns, out);
}

}  // namespace vigia
