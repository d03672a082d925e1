#include "ingest/sentry/sentry_envelope.h"

#include <simdjson.h>

#include "common/limits.h"

namespace vigia::sentry {
namespace {

// Parses one header line as a JSON object.
bool ParseHeader(simdjson::dom::parser& parser, std::string_view line, simdjson::dom::object* obj) {
  simdjson::dom::element doc;
  return parser.parse(line.data(), line.size(), true).get(doc) == simdjson::SUCCESS &&
         doc.get_object().get(*obj) == simdjson::SUCCESS;
}

std::string_view TrimCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

bool IsEventItem(std::string_view type) { return type == "event" || type == "error"; }

Status ParseEnvelope(std::string_view body, Envelope* out) {
  out->event_id.clear();
  out->items.clear();
  simdjson::dom::parser parser;
  size_t nl = body.find('\n');
  std::string_view header = TrimCr(body.substr(0, nl));
  simdjson::dom::object obj;
  if (!ParseHeader(parser, header, &obj)) {
    return Status::InvalidArgument("envelope header: not a JSON object");
  }
  std::string_view id;
  if (obj["event_id"].get_string().get(id) == simdjson::SUCCESS) out->event_id.assign(id);
  size_t pos = nl == std::string_view::npos ? body.size() : nl + 1;
  size_t index = 0;
  while (pos < body.size()) {
    // Blank lines between items (and a trailing newline) are tolerated.
    if (body[pos] == '\n' || body[pos] == '\r') {
      ++pos;
      continue;
    }
    ++index;
    const std::string where = "envelope item " + std::to_string(index);
    if (index > limits::kMaxSentryEnvelopeItems) {
      return Status::InvalidArgument("envelope: more than " +
                                     std::to_string(limits::kMaxSentryEnvelopeItems) + " items");
    }
    size_t end = body.find('\n', pos);
    std::string_view line = TrimCr(
        body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (!ParseHeader(parser, line, &obj)) {
      return Status::InvalidArgument(where + ": header is not a JSON object");
    }
    std::string_view type;
    if (obj["type"].get_string().get(type) != simdjson::SUCCESS || type.empty()) {
      return Status::InvalidArgument(where + ": header has no type");
    }
    EnvelopeItem item;
    item.type.assign(type);
    pos = end == std::string_view::npos ? body.size() : end + 1;
    uint64_t length = 0;
    simdjson::error_code has_length = obj["length"].get_uint64().get(length);
    if (has_length == simdjson::SUCCESS) {
      if (length > body.size() - pos) {
        return Status::InvalidArgument(where + ": length " + std::to_string(length) +
                                       " runs past the end of the envelope");
      }
      item.payload = body.substr(pos, length);
      pos += length;
    } else if (has_length != simdjson::NO_SUCH_FIELD) {
      return Status::InvalidArgument(where + ": length is not a non-negative integer");
    } else {
      size_t pend = body.find('\n', pos);
      item.payload = TrimCr(
          body.substr(pos, pend == std::string_view::npos ? std::string_view::npos : pend - pos));
      pos = pend == std::string_view::npos ? body.size() : pend;
    }
    if (IsEventItem(item.type) && item.payload.size() > limits::kMaxSentryEventBytes) {
      return Status::ResourceExhausted(where + ": event of " + std::to_string(item.payload.size()) +
                                       " bytes exceeds " +
                                       std::to_string(limits::kMaxSentryEventBytes));
    }
    out->items.push_back(std::move(item));
  }
  return Status::Ok();
}

}  // namespace vigia::sentry
