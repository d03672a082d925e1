#include "ingest/elasticsearch/bulk_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "common/json_writer.h"
#include "ingest/elasticsearch/ecs_document_feeder.h"

namespace vigia {
namespace {

namespace dom = simdjson::dom;

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
// Typical shipper documents carry 10-30 fields.
constexpr size_t kFieldsPerEventGuess = 16;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

enum class BulkAction { kIndex, kCreate, kDelete, kUpdate, kMalformed };

std::string_view ActionName(BulkAction a) {
  switch (a) {
    case BulkAction::kIndex:
      return "index";
    case BulkAction::kCreate:
      return "create";
    case BulkAction::kDelete:
      return "delete";
    case BulkAction::kUpdate:
      return "update";
    case BulkAction::kMalformed:
      // Elasticsearch fails the whole request here; vigia answers the item, under the
      // action clients send most.
      return "index";
  }
  return "index";
}

CanonicalizerOptions ToCanonicalizerOptions(const DecoderOptions& d) {
  CanonicalizerOptions o;
  o.max_fields = d.limits.max_fields;
  // simdjson checks the depth first (see Normalizer): the canonicalizer must not be stricter.
  o.max_depth = d.limits.max_depth + 1;
  o.max_field_name_bytes = d.limits.max_field_name_bytes;
  o.derivers = d.derivers;
  return o;
}

std::string JsonReason(simdjson::error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "nesting too deep";
    case simdjson::EMPTY:
      return "invalid JSON: empty";
    default:
      return std::string("invalid JSON: ") + simdjson::error_message(e);
  }
}

}  // namespace

bool GlobMatch(std::string_view glob, std::string_view text) {
  // Iterative matcher with one backtrack point: linear for the short globs of a config.
  size_t g = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

struct BulkDecoder::Impl {
  explicit Impl(const DecoderOptions& o)
      : limits(o.limits),
        service_by_target(o.service_by_target),
        canon(ToCanonicalizerOptions(o)) {}

  IngestLimits limits;
  std::vector<std::pair<std::string, std::string>> service_by_target;
  Canonicalizer canon;
  EcsDocumentFeeder ecs;
  dom::parser parser;
  size_t capacity = 0;
  std::string padded;

  // The service of the last index looked up (bodies repeat one index).
  std::string cached_index;
  std::string cached_service;
  bool cache_valid = false;

  // Per Decode call.
  const IngestRequest* req = nullptr;
  std::string_view body;
  size_t pos = 0;
  uint64_t line_no = 0;
  int64_t receive_ts = 0;
  EventBatch* out = nullptr;
  DecodeResult* result = nullptr;
  JsonWriter* reply = nullptr;

  // The answer's index, JSON-quoted, for the index it was made from.
  std::string reply_index;
  std::string reply_index_json;
  bool reply_index_valid = false;
  std::string item_;  // the answer's item being written

  // Per item.
  BulkAction action = BulkAction::kIndex;
  std::string index;
  std::string id;
  bool has_id = false;

  // The next non-blank line (without '\r'), or false at the end of the body.
  bool NextLine(std::string_view* line) {
    const char* data = body.data();
    while (pos < body.size()) {
      ++line_no;
      const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', body.size() - pos));
      const size_t end = nl ? static_cast<size_t>(nl - data) : body.size();
      std::string_view l(data + pos, end - pos);
      pos = end + 1;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      size_t first = 0;
      while (first < l.size() && IsBlank(l[first])) ++first;
      if (first == l.size()) continue;
      *line = l;
      return true;
    }
    return false;
  }

  // Parses `line` (a view into the body) with simdjson; the previous parse is invalidated.
  simdjson::error_code Parse(std::string_view line, dom::element* root) {
    if (line.size() > capacity) {
      size_t want = std::max<size_t>({line.size(), capacity * 2, 64 * 1024});
      if (parser.allocate(want, limits.max_depth + 1) != simdjson::SUCCESS) {
        capacity = 0;
        return simdjson::MEMALLOC;
      }
      capacity = want;
    }
    const size_t readable = static_cast<size_t>(body.data() + body.size() - line.data());
    if (readable >= line.size() + kPadding) {
      return parser.parse(line.data(), line.size(), false).get(*root);
    }
    if (padded.size() < line.size() + kPadding) padded.resize(line.size() + kPadding);
    std::memcpy(padded.data(), line.data(), line.size());
    return parser.parse(padded.data(), line.size(), false).get(*root);
  }

  // The action lines shippers write — {"index":{}}, {"create":{"_index":"x","_id":"y"}}:
  // no spaces, no escapes, only _index and _id, ASCII — read without the JSON parser (a
  // third of the cost of a small document otherwise). False: not such a line, ReadAction
  // parses it.
  bool FastAction(std::string_view line) {
    std::string_view s = line;
    auto eat = [&s](std::string_view lit) {
      if (s.substr(0, lit.size()) != lit) return false;
      s.remove_prefix(lit.size());
      return true;
    };
    // A string without escapes or non-ASCII bytes, after its opening quote.
    auto str = [&s](std::string_view* out) {
      size_t i = 0;
      while (i < s.size() && s[i] != '"') {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\' || c < 0x20 || c >= 0x80) return false;
        ++i;
      }
      if (i == s.size()) return false;
      *out = s.substr(0, i);
      s.remove_prefix(i + 1);
      return true;
    };
    BulkAction a;
    if (eat("{\"index\":{")) {
      a = BulkAction::kIndex;
    } else if (eat("{\"create\":{")) {
      a = BulkAction::kCreate;
    } else {
      return false;
    }
    std::string_view idx, idv;
    bool seen_index = false, seen_id = false;
    if (!eat("}")) {
      while (true) {
        std::string_view key, value;
        if (!eat("\"") || !str(&key) || !eat(":\"") || !str(&value)) return false;
        if (key == "_index" && !seen_index) {
          idx = value;
          seen_index = true;
        } else if (key == "_id" && !seen_id) {
          idv = value;
          seen_id = true;
        } else {
          return false;
        }
        if (eat("}")) break;
        if (!eat(",")) return false;
      }
    }
    if (s != "}") return false;
    action = a;
    index.assign(idx);
    id.assign(idv);
    has_id = seen_id;
    return true;
  }

  // Reads the action/metadata line; false (with the reason in `why`) when malformed.
  bool ReadAction(std::string_view line, std::string* why) {
    index.clear();
    id.clear();
    has_id = false;
    action = BulkAction::kMalformed;
    if (FastAction(line)) return true;
    dom::element root;
    if (auto err = Parse(line, &root)) {
      *why = "malformed action/metadata line: " + JsonReason(err);
      return false;
    }
    dom::object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS || obj.size() != 1) {
      *why = "malformed action/metadata line: expected one object naming the action";
      return false;
    }
    dom::key_value_pair kv = *obj.begin();
    if (kv.key == "index") {
      action = BulkAction::kIndex;
    } else if (kv.key == "create") {
      action = BulkAction::kCreate;
    } else if (kv.key == "delete") {
      action = BulkAction::kDelete;
    } else if (kv.key == "update") {
      action = BulkAction::kUpdate;
    } else {
      *why = "unknown action [" + std::string(kv.key.substr(0, 64)) + "]";
      return false;
    }
    dom::object meta;
    if (kv.value.get_object().get(meta) != simdjson::SUCCESS) {
      *why = "malformed action/metadata line: the action's value must be an object";
      action = BulkAction::kMalformed;
      return false;
    }
    std::string_view s;
    if (meta["_index"].get_string().get(s) == simdjson::SUCCESS) index.assign(s);
    dom::element idv;
    if (meta["_id"].get(idv) == simdjson::SUCCESS) {
      if (idv.get_string().get(s) == simdjson::SUCCESS) {
        id.assign(s);
        has_id = true;
      } else if (int64_t n; idv.get_int64().get(n) == simdjson::SUCCESS) {
        id = std::to_string(n);
        has_id = true;
      }
    }
    return true;
  }

  // The item's opening, `{"create":{"_index":"x","_id":"y"`, appended to item_. Items are
  // written as raw JSON rather than member by member through the JsonWriter: the answer is
  // about a third of a _bulk request's bytes, and a shipper's items differ only in the id
  // and the sequence number (the escaped index is cached: bodies repeat one index).
  void ItemHead(uint64_t item) {
    item_.clear();
    item_.append("{\"").append(ActionName(action)).append("\":{\"_index\":");
    if (!reply_index_valid || reply_index != index) {
      reply_index = index;
      reply_index_json.clear();
      AppendJsonString(&reply_index_json, index);
      reply_index_valid = true;
    }
    item_.append(reply_index_json).append(",\"_id\":");
    if (has_id) {
      AppendJsonString(&item_, id);
    } else if (action == BulkAction::kIndex || action == BulkAction::kCreate) {
      // Elasticsearch makes one up; ours names the request (hex receive time) and the item.
      char buf[48];
      char* p = buf;
      *p++ = '"';
      static constexpr char kHex[] = "0123456789abcdef";
      const auto ts = static_cast<uint64_t>(receive_ts);
      for (int shift = 60; shift >= 0; shift -= 4) *p++ = kHex[(ts >> shift) & 15];
      *p++ = '-';
      p = AppendDecimal(p, item);
      *p++ = '"';
      item_.append(buf, static_cast<size_t>(p - buf));
    } else {
      item_.append("null");
    }
  }

  static char* AppendDecimal(char* p, uint64_t v) {
    char digits[24];
    int nd = 0;
    do {
      digits[nd++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0);
    while (nd > 0) *p++ = digits[--nd];
    return p;
  }

  void Accept(uint64_t item) {
    ++result->accepted;
    ItemHead(item);
    item_.append(
        ",\"_version\":1,\"result\":\"created\",\"_shards\":{\"total\":1,\"successful\":1,"
        "\"failed\":0},\"_seq_no\":");
    char buf[24];
    item_.append(buf, static_cast<size_t>(AppendDecimal(buf, item - 1) - buf));
    item_.append(",\"_primary_term\":1,\"status\":201}}");
    reply->Raw(item_);
  }

  void Refuse(uint64_t item, uint64_t at_line, std::string_view type, const std::string& reason) {
    if (result->errors.size() < limits.max_reported_errors) {
      result->Reject(item, "line " + std::to_string(at_line) + ": " + reason,
                     limits.max_reported_errors);
    } else {
      result->Reject(item, reason, 0);  // counted, not listed: no message to build
    }
    ItemHead(item);
    item_.append(",\"status\":400,\"error\":{\"type\":");
    AppendJsonString(&item_, type);
    item_.append(",\"reason\":");
    AppendJsonString(&item_, reason);
    item_.append("}}}");
    reply->Raw(item_);
  }

  const std::string* ServiceFor(const std::string& idx) {
    if (service_by_target.empty() || idx.empty()) return nullptr;
    if (!cache_valid || cached_index != idx) {
      cached_index = idx;
      cached_service.clear();
      for (const auto& [glob, service] : service_by_target) {
        if (GlobMatch(glob, idx)) {
          cached_service = service;
          break;
        }
      }
      cache_valid = true;
    }
    return cached_service.empty() ? nullptr : &cached_service;
  }

  // The document line of an index/create item.
  void Document(uint64_t item, std::string_view line) {
    if (line.size() > limits.max_line_bytes) {
      Refuse(item, line_no, "mapper_parsing_exception",
             "document longer than " + std::to_string(limits.max_line_bytes) + " bytes");
      return;
    }
    dom::element root;
    if (auto err = Parse(line, &root)) {
      Refuse(item, line_no, "mapper_parsing_exception", JsonReason(err));
      return;
    }
    dom::object doc;
    if (root.get_object().get(doc) != simdjson::SUCCESS) {
      Refuse(item, line_no, "mapper_parsing_exception", "the document is not a JSON object");
      return;
    }
    canon.BeginEvent(out);
    bool ok = ecs.Feed(canon, doc);
    if (ok && !index.empty()) ok = canon.String("index", index);
    if (ok) {
      if (const std::string* service = ServiceFor(index)) ok = canon.String("service", *service);
    }
    if (ok) ok = canon.EndEvent(receive_ts);
    ecs.Clear();
    if (ok) {
      Accept(item);
    } else {
      Refuse(item, line_no, "mapper_parsing_exception", canon.error());
    }
  }

  void Run(std::string_view default_index) {
    std::string_view line;
    uint64_t item = 0;
    while (NextLine(&line)) {
      IngestCheckpoint(*req, ++item);
      const uint64_t action_line = line_no;
      std::string why;
      if (line.size() > limits.max_line_bytes) {
        why =
            "action/metadata line longer than " + std::to_string(limits.max_line_bytes) + " bytes";
        action = BulkAction::kMalformed;
        index.clear();
        has_id = false;
      } else if (ReadAction(line, &why) && index.empty()) {
        index.assign(default_index);
      }
      switch (action) {
        case BulkAction::kIndex:
        case BulkAction::kCreate:
          if (!NextLine(&line)) {
            Refuse(item, action_line, "illegal_argument_exception",
                   "no document line after the action line");
            return;
          }
          Document(item, line);
          break;
        case BulkAction::kUpdate:
          NextLine(&line);
          Refuse(item, action_line, "illegal_argument_exception",
                 "vigia is append-only: update is not supported");
          break;
        case BulkAction::kDelete:
          Refuse(item, action_line, "illegal_argument_exception",
                 "vigia is append-only: delete is not supported");
          break;
        case BulkAction::kMalformed:
          NextLine(&line);  // taken as the malformed item's document
          Refuse(item, action_line, "illegal_argument_exception", why);
          break;
      }
    }
  }
};

BulkDecoder::BulkDecoder(DecoderOptions options) : impl_(std::make_unique<Impl>(options)) {}

BulkDecoder::~BulkDecoder() = default;

DecodeResult BulkDecoder::Decode(const IngestRequest& req, EventBatch* out) {
  Impl& d = *impl_;
  d.canon.SetAdmission(req.admission);
  DecodeResult result;
  // About two lines per item; the batch grows if the guess is short.
  size_t lines = 1;
  for (const char* p = req.body.data();
       (p = static_cast<const char*>(
            std::memchr(p, '\n', req.body.data() + req.body.size() - p))) != nullptr;
       ++p) {
    ++lines;
  }
  out->Reserve(lines / 2 + 1, (lines / 2 + 1) * kFieldsPerEventGuess);
  result.reply.reserve(lines * 90);
  JsonWriter reply(&result.reply);
  reply.BeginArray();
  d.req = &req;
  d.body = req.body;
  d.pos = req.body.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  d.line_no = 0;
  d.receive_ts = req.receive_ts_ns;
  d.out = out;
  d.result = &result;
  d.reply = &reply;
  d.Run(req.target);
  reply.EndArray();
  d.reply = nullptr;
  d.result = nullptr;
  d.out = nullptr;
  d.req = nullptr;
  return result;
}

}  // namespace vigia
