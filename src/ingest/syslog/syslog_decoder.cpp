#include "ingest/syslog/syslog_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <string>

#include "ingest/normalize/json_feeder.h"
#include "ingest/syslog/syslog_framer.h"
#include "ingest/syslog/syslog_message.h"

namespace vigia {
namespace {

namespace dom = simdjson::dom;

constexpr size_t kFieldsPerEventGuess = 10;

CanonicalizerOptions ToCanonicalizerOptions(const DecoderOptions& d) {
  CanonicalizerOptions o;
  o.max_fields = d.limits.max_fields;
  // simdjson checks a JSON message's depth first (see Normalizer).
  o.max_depth = d.limits.max_depth + 1;
  o.max_field_name_bytes = d.limits.max_field_name_bytes;
  o.derivers = d.derivers;
  return o;
}

// The JSON object a MSG carries ("{...}" or "@cee: {...}"), or empty.
std::string_view JsonPayload(std::string_view msg) {
  size_t i = 0;
  while (i < msg.size() && msg[i] == ' ') ++i;
  msg.remove_prefix(i);
  if (msg.substr(0, 5) == "@cee:") {
    msg.remove_prefix(5);
    while (!msg.empty() && msg[0] == ' ') msg.remove_prefix(1);
  }
  while (!msg.empty() && (msg.back() == ' ' || msg.back() == '\r')) msg.remove_suffix(1);
  if (msg.size() < 2 || msg.front() != '{' || msg.back() != '}') return {};
  return msg;
}

}  // namespace

struct SyslogDecoder::Impl {
  explicit Impl(const DecoderOptions& o) : limits(o.limits), canon(ToCanonicalizerOptions(o)) {}

  IngestLimits limits;
  Canonicalizer canon;
  dom::parser parser;
  size_t capacity = 0;
  std::string padded;
  SyslogMessage message;
  std::deque<std::string> keep;  // SD names and unescaped values of the current event

  DecodeResult* result = nullptr;

  void Reject(uint64_t n, std::string reason) {
    result->Reject(n, std::move(reason), limits.max_reported_errors);
  }

  // Parses `json` into `*object`; false when it is not one JSON object.
  bool ParseJson(std::string_view json, dom::object* object) {
    if (json.size() > capacity) {
      size_t want = std::max<size_t>({json.size(), capacity * 2, 16 * 1024});
      if (parser.allocate(want, limits.max_depth + 1) != simdjson::SUCCESS) {
        capacity = 0;
        return false;
      }
      capacity = want;
    }
    if (padded.size() < json.size() + simdjson::SIMDJSON_PADDING) {
      padded.resize(json.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded.data(), json.data(), json.size());
    dom::element root;
    if (parser.parse(padded.data(), json.size(), false).get(root) != simdjson::SUCCESS) {
      return false;
    }
    return root.get_object().get(*object) == simdjson::SUCCESS;
  }

  std::string_view Keep(std::string s) {
    keep.push_back(std::move(s));
    return keep.back();
  }

  // Feeds the parsed message; false when the canonicalizer refused it.
  bool Feed(const SyslogMessage& m) {
    Canonicalizer& c = canon;
    std::string_view json = JsonPayload(m.msg);
    dom::object object;
    bool is_json = !json.empty() && ParseJson(json, &object);
    if (is_json) {
      if (!FeedJsonMembers(c, object)) return false;
    } else if (!m.msg.empty()) {
      if (!c.String("msg", m.msg)) return false;
    }
    // The header after the JSON: its aliases (severity, hostname) lose to what the
    // application wrote.
    if (!c.String("severity", SyslogSeverityLevel(m.severity), true)) return false;
    if (!m.hostname.empty() && !c.String("hostname", m.hostname)) return false;
    if (!m.app_name.empty() && !c.String("service", m.app_name)) return false;
    if (!c.String("syslog.facility", SyslogFacilityName(m.facility), true)) return false;
    if (!c.String("syslog.severity", SyslogSeverityName(m.severity), true)) return false;
    if (!m.procid.empty() && !c.String("syslog.procid", m.procid)) return false;
    if (!m.msgid.empty() && !c.String("syslog.msgid", m.msgid)) return false;
    for (const SyslogSdElement& el : m.sd) {
      std::string_view id = el.id.substr(0, el.id.find('@'));
      for (const SyslogSdParam& p : el.params) {
        std::string_view name = Keep(std::string(id).append(".").append(p.name));
        std::string_view value =
            p.value.find('\\') == std::string_view::npos ? p.value : Keep(UnescapeSdValue(p.value));
        if (!c.String(name, value)) return false;
      }
    }
    return true;
  }

  void DecodeOne(uint64_t n, std::string_view frame, int64_t receive_ts, EventBatch* out) {
    Status st = ParseSyslogMessage(frame, receive_ts, &message);
    if (!st.ok()) {
      Reject(n, st.message());
      return;
    }
    canon.BeginEvent(out);
    bool ok = Feed(message) && canon.EndEvent(message.has_ts ? message.ts_ns : receive_ts);
    keep.clear();
    if (ok) {
      ++result->accepted;
    } else {
      Reject(n, canon.error());
    }
  }
};

SyslogDecoder::SyslogDecoder(DecoderOptions options) : impl_(std::make_unique<Impl>(options)) {}

SyslogDecoder::~SyslogDecoder() = default;

DecodeResult SyslogDecoder::Decode(const IngestRequest& req, EventBatch* out) {
  Impl& d = *impl_;
  d.canon.SetAdmission(req.admission);
  DecodeResult result;
  d.result = &result;
  out->Reserve(req.body.size() / 128 + 1, (req.body.size() / 128 + 1) * kFieldsPerEventGuess);
  std::string_view rest = req.body;
  SyslogFramerState state;
  uint64_t n = 0;
  while (!rest.empty()) {
    IngestCheckpoint(req, n + 1);
    std::string_view frame;
    size_t used = 0;
    switch (NextSyslogFrame(rest, d.limits.max_line_bytes, true, &state, &frame, &used)) {
      case SyslogFrameResult::kFrame: {
        std::string_view trimmed = frame;
        while (!trimmed.empty() && (trimmed.back() == '\r' || trimmed.back() == ' ')) {
          trimmed.remove_suffix(1);
        }
        if (!trimmed.empty()) d.DecodeOne(++n, frame, req.receive_ts_ns, out);
        break;
      }
      case SyslogFrameResult::kTooLong:
        d.Reject(++n, "message longer than " + std::to_string(d.limits.max_line_bytes) + " bytes");
        break;
      case SyslogFrameResult::kSkipped:
        break;
      case SyslogFrameResult::kIncomplete:
        used = rest.size();  // at_end: never; guards the loop
        break;
    }
    rest.remove_prefix(std::max<size_t>(used, 1));
  }
  d.result = nullptr;
  return result;
}

}  // namespace vigia
