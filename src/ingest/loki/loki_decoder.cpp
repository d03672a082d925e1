#include "ingest/loki/loki_decoder.h"

#include <simdjson.h>

#include <charconv>
#include <deque>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "ingest/loki/loki_labels.h"
#include "ingest/normalize/normalizer.h"
#include "ingest/protowire/proto_reader.h"

namespace vigia {
namespace {

namespace dom = simdjson::dom;
using loki::Label;
using protowire::ProtoReader;

// Field numbers of loki_push.proto.
constexpr uint32_t kPushStreams = 1;
constexpr uint32_t kStreamLabels = 1;
constexpr uint32_t kStreamEntries = 2;
constexpr uint32_t kEntryTimestamp = 1;
constexpr uint32_t kEntryLine = 2;
constexpr uint32_t kEntryMetadata = 3;
constexpr uint32_t kTimestampSeconds = 1;
constexpr uint32_t kTimestampNanos = 2;
constexpr uint32_t kPairName = 1;
constexpr uint32_t kPairValue = 2;

// By value: see otlp_json_reader.cpp (a range-for over a temporary simdjson_result).
dom::array Arr(dom::element el) { return el.get_array().value_unsafe(); }
dom::object Obj(dom::element el) { return el.get_object().value_unsafe(); }

bool Member(dom::object obj, std::string_view name, dom::element* out) {
  for (dom::key_value_pair kv : obj) {
    if (kv.key == name) {
      *out = kv.value;
      return true;
    }
  }
  return false;
}

NormalizerOptions ToNormalizerOptions(const DecoderOptions& d) {
  NormalizerOptions o;
  o.max_fields = d.limits.max_fields;
  o.max_depth = d.limits.max_depth;
  o.max_field_name_bytes = d.limits.max_field_name_bytes;
  o.derivers = d.derivers;
  return o;
}

std::string EntryPath(size_t stream, std::string_view list, size_t entry) {
  return "streams[" + std::to_string(stream) + "]." + std::string(list) + "[" +
         std::to_string(entry) + "]: ";
}

// The envelope of a protobuf PushRequest (streams and their fields' framing).
bool CheckProtobufEnvelope(std::string_view body, std::string* why) {
  ProtoReader r(body);
  size_t si = 0;
  while (r.Next()) {
    std::string_view stream;
    if (r.field() != kPushStreams) continue;
    if (!r.ReadBytes(&stream)) break;
    ProtoReader s(stream);
    while (s.Next()) {
    }
    if (!s.ok()) {
      *why = "streams[" + std::to_string(si) + "]: " + std::string(s.error());
      return false;
    }
    ++si;
  }
  if (!r.ok()) {
    *why = std::string(r.error());
    return false;
  }
  return true;
}

}  // namespace

struct LokiDecoder::Impl {
  explicit Impl(const DecoderOptions& o) : limits(o.limits), normalizer(ToNormalizerOptions(o)) {}

  IngestLimits limits;
  Normalizer normalizer;  // the JSON lines' front end and the canonicalizer of every entry
  dom::parser envelope_parser;
  // Per stream.
  std::vector<Label> labels;
  std::deque<std::string> label_storage;
  int service_label = -1;
  std::string stream_error;
  // Per entry.
  std::vector<Label> metadata;
  std::string entry_error;

  bool EntryFail(std::string why) {
    entry_error = std::move(why);
    return false;
  }

  bool SetLabels(std::string_view text) {
    label_storage.clear();
    stream_error.clear();
    if (!loki::ParseLabels(text, &labels, &label_storage, &stream_error)) return false;
    service_label = loki::ServiceLabel(labels);
    return true;
  }

  // One entry into one event; false with entry_error or the canonicalizer's reason.
  bool FeedEntry(int64_t ts_ns, std::string_view line, int64_t receive_ts, EventBatch* out) {
    if (line.size() > limits.max_line_bytes) {
      return EntryFail("line longer than " + std::to_string(limits.max_line_bytes) + " bytes");
    }
    Canonicalizer& c = normalizer.canonicalizer();
    c.BeginEvent(out);
    if (ts_ns != 0 && !c.Int("ts", ts_ns)) return false;
    std::string_view trimmed = ascii::TrimSpaces(line);
    Normalizer::FeedResult fed = Normalizer::FeedResult::kNotAnObject;
    if (!trimmed.empty() && trimmed.front() == '{') fed = normalizer.FeedObject(trimmed);
    if (fed == Normalizer::FeedResult::kFailed) return false;
    if (fed == Normalizer::FeedResult::kNotAnObject && !c.String("msg", line)) return false;
    for (const Label& m : metadata) {
      if (!c.String(m.name, m.value)) return false;
    }
    for (size_t i = 0; i < labels.size(); ++i) {
      std::string_view name =
          static_cast<int>(i) == service_label ? std::string_view("service") : labels[i].name;
      if (!c.String(name, labels[i].value)) return false;
    }
    return c.EndEvent(receive_ts);
  }

  void Count(bool ok, DecodeResult* result, uint64_t entry_no, std::string path) {
    if (ok) {
      ++result->accepted;
      return;
    }
    result->Reject(entry_no,
                   path + (entry_error.empty() ? normalizer.canonicalizer().error() : entry_error),
                   limits.max_reported_errors);
  }

  // --- JSON ---------------------------------------------------------------------------

  static bool CheckJsonEnvelope(dom::element root, std::string* why) {
    if (!root.is_object()) return Fail(why, "not a JSON object");
    dom::element streams;
    if (!Member(Obj(root), "streams", &streams)) return true;
    if (!streams.is_array()) return Fail(why, "streams is not an array");
    size_t si = 0;
    for (dom::element s : Arr(streams)) {
      const std::string at = "streams[" + std::to_string(si++) + "]";
      if (!s.is_object()) return Fail(why, at + " is not an object");
      dom::element values;
      if (Member(Obj(s), "values", &values) && !values.is_array()) {
        return Fail(why, at + ".values is not an array");
      }
    }
    return true;
  }

  static bool Fail(std::string* why, std::string reason) {
    *why = std::move(reason);
    return false;
  }

  // Stream labels from a JSON object of strings.
  bool SetJsonLabels(dom::element stream) {
    labels.clear();
    label_storage.clear();
    stream_error.clear();
    service_label = -1;
    if (!stream.is_object()) {
      stream_error = "stream is not an object of labels";
      return false;
    }
    for (dom::key_value_pair kv : Obj(stream)) {
      if (!kv.value.is_string()) {
        stream_error = "stream label " + std::string(kv.key) + " is not a string";
        return false;
      }
      labels.push_back({kv.key, kv.value.get_string().value_unsafe()});
    }
    service_label = loki::ServiceLabel(labels);
    return true;
  }

  // One [ts, line] or [ts, line, {metadata}] value.
  bool FeedJsonEntry(dom::element value, int64_t receive_ts, EventBatch* out) {
    if (!value.is_array()) return EntryFail("entry is not an array [ts, line]");
    dom::array a = Arr(value);
    const size_t n = a.size();
    if (n < 2 || n > 3) return EntryFail("entry is not [ts, line] or [ts, line, {metadata}]");
    dom::element ts_el = a.at(0).value_unsafe();
    dom::element line_el = a.at(1).value_unsafe();
    int64_t ts = 0;
    if (ts_el.is_string()) {
      std::string_view s = ts_el.get_string().value_unsafe();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), ts);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
        return EntryFail("timestamp is not an integer of nanoseconds");
      }
    } else if (ts_el.is_int64()) {
      ts = ts_el.get_int64().value_unsafe();
    } else {
      return EntryFail("timestamp is not an integer of nanoseconds");
    }
    if (!line_el.is_string()) return EntryFail("line is not a string");
    metadata.clear();
    if (n == 3) {
      dom::element meta = a.at(2).value_unsafe();
      if (!meta.is_object()) return EntryFail("structured metadata is not an object");
      for (dom::key_value_pair kv : Obj(meta)) {
        if (!kv.value.is_string()) {
          return EntryFail("structured metadata " + std::string(kv.key) + " is not a string");
        }
        metadata.push_back({kv.key, kv.value.get_string().value_unsafe()});
      }
    }
    return FeedEntry(ts, line_el.get_string().value_unsafe(), receive_ts, out);
  }

  DecodeResult DecodeJson(std::string_view body, int64_t receive_ts, EventBatch* out) {
    DecodeResult result;
    dom::element root;
    auto err = envelope_parser.parse(body.data(), body.size(), true).get(root);
    if (err) {
      result.undecodable = std::string("invalid JSON: ") + simdjson::error_message(err);
      return result;
    }
    std::string why;
    if (!CheckJsonEnvelope(root, &why)) {
      result.undecodable = "not a Loki push request: " + why;
      return result;
    }
    dom::element streams;
    if (!Member(Obj(root), "streams", &streams)) return result;
    uint64_t entry_no = 0;
    size_t si = 0;
    for (dom::element s : Arr(streams)) {
      dom::element stream_labels;
      dom::element values;
      bool labels_ok = true;
      if (Member(Obj(s), "stream", &stream_labels)) {
        labels_ok = SetJsonLabels(stream_labels);
      } else {
        SetLabels("");
      }
      if (Member(Obj(s), "values", &values)) {
        size_t ei = 0;
        for (dom::element v : Arr(values)) {
          ++entry_no;
          entry_error = labels_ok ? std::string() : stream_error;
          bool ok = labels_ok && FeedJsonEntry(v, receive_ts, out);
          Count(ok, &result, entry_no, EntryPath(si, "values", ei));
          ++ei;
        }
      }
      ++si;
    }
    return result;
  }

  // --- protobuf -----------------------------------------------------------------------

  bool FeedProtobufEntry(std::string_view entry, int64_t receive_ts, EventBatch* out) {
    ProtoReader r(entry);
    std::string_view timestamp;
    std::string_view line;
    metadata.clear();
    while (r.Next()) {
      bool ok = true;
      switch (r.field()) {
        case kEntryTimestamp:
          ok = r.ReadBytes(&timestamp);
          break;
        case kEntryLine:
          ok = r.ReadBytes(&line);
          break;
        case kEntryMetadata: {
          std::string_view pair;
          ok = r.ReadBytes(&pair);
          if (!ok) break;
          Label m;
          ProtoReader p(pair);
          while (p.Next()) {
            if (p.field() == kPairName) p.ReadBytes(&m.name);
            if (p.field() == kPairValue) p.ReadBytes(&m.value);
          }
          if (!p.ok()) return EntryFail("malformed protobuf: " + std::string(p.error()));
          if (!m.name.empty()) metadata.push_back(m);
          break;
        }
        default:
          break;
      }
      if (!ok) break;
    }
    if (!r.ok()) return EntryFail("malformed protobuf: " + std::string(r.error()));
    uint64_t seconds = 0;
    uint64_t nanos = 0;
    ProtoReader t(timestamp);
    while (t.Next()) {
      if (t.field() == kTimestampSeconds) t.ReadVarint(&seconds);
      if (t.field() == kTimestampNanos) t.ReadVarint(&nanos);
    }
    if (!t.ok()) return EntryFail("malformed protobuf timestamp: " + std::string(t.error()));
    const auto s = static_cast<int64_t>(seconds);
    const auto ns = static_cast<int64_t>(nanos);
    if (s < 0 || s > 9'000'000'000 || ns < 0 || ns >= 1'000'000'000) {
      return EntryFail("timestamp out of range");
    }
    return FeedEntry(s * 1'000'000'000 + ns, line, receive_ts, out);
  }

  DecodeResult DecodeProtobuf(std::string_view body, int64_t receive_ts, EventBatch* out) {
    DecodeResult result;
    std::string why;
    if (!CheckProtobufEnvelope(body, &why)) {
      result.undecodable = "malformed protobuf PushRequest: " + why;
      return result;
    }
    uint64_t entry_no = 0;
    size_t si = 0;
    ProtoReader r(body);
    while (r.Next()) {
      std::string_view stream;
      if (r.field() != kPushStreams || !r.ReadBytes(&stream)) continue;
      // The labels first: they may follow the entries on the wire.
      std::string_view label_text;
      ProtoReader s(stream);
      while (s.Next()) {
        if (s.field() == kStreamLabels) s.ReadBytes(&label_text);
      }
      const bool labels_ok = s.ok() && SetLabels(label_text);
      if (!s.ok()) stream_error = "malformed protobuf labels: " + std::string(s.error());
      ProtoReader e(stream);
      size_t ei = 0;
      while (e.Next()) {
        std::string_view entry;
        if (e.field() != kStreamEntries || !e.ReadBytes(&entry)) continue;
        ++entry_no;
        entry_error = labels_ok ? std::string() : stream_error;
        bool ok = labels_ok && FeedProtobufEntry(entry, receive_ts, out);
        Count(ok, &result, entry_no, EntryPath(si, "entries", ei));
        ++ei;
      }
      ++si;
    }
    return result;
  }
};

LokiDecoder::LokiDecoder(DecoderOptions options) : impl_(std::make_unique<Impl>(options)) {}
LokiDecoder::~LokiDecoder() = default;

bool LokiDecoder::IsProtobuf(std::string_view content_type) {
  std::string_view media = ascii::TrimSpaces(content_type.substr(0, content_type.find(';')));
  return ascii::EqualsIgnoreCase(media, "application/x-protobuf") ||
         ascii::EqualsIgnoreCase(media, "application/protobuf");
}

DecodeResult LokiDecoder::Decode(const IngestRequest& req, EventBatch* out) {
  impl_->normalizer.canonicalizer().SetAdmission(req.admission);
  return IsProtobuf(req.content_type) ? DecodeProtobuf(req.body, req.receive_ts_ns, out)
                                      : DecodeJson(req.body, req.receive_ts_ns, out);
}

DecodeResult LokiDecoder::DecodeJson(std::string_view body, int64_t receive_ts_ns,
                                     EventBatch* out) {
  return impl_->DecodeJson(body, receive_ts_ns, out);
}

DecodeResult LokiDecoder::DecodeProtobuf(std::string_view body, int64_t receive_ts_ns,
                                         EventBatch* out) {
  return impl_->DecodeProtobuf(body, receive_ts_ns, out);
}

}  // namespace vigia
