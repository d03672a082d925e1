#include "ingest/normalize/normalizer.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace vigia {
namespace {

namespace dom = simdjson::dom;

static_assert(Normalizer::kPadding >= simdjson::SIMDJSON_PADDING);

// Why the DOM front-end and not On-Demand: the DOM parser runs simdjson's runtime-dispatched
// kernels from libsimdjson (AVX2/AVX-512 on the servers we target), while On-Demand is
// inlined into this file and, built for baseline x86-64 as Debian's compiler flags are,
// falls back to the scalar implementation. We visit every value anyway (nothing is skipped),
// so the DOM's tape costs little and also gives full validation, including nesting depth.

// "invalid JSON: unclosed string", "invalid UTF-8", "nesting deeper than 32", ...
std::string JsonErrorReason(simdjson::error_code e, size_t max_depth) {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "nesting deeper than " + std::to_string(max_depth);
    case simdjson::UNCLOSED_STRING:
      return "invalid JSON: unclosed string";
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON: unescaped control character in a string";
    case simdjson::STRING_ERROR:
      return "invalid JSON: bad escape sequence in a string";
    case simdjson::NUMBER_ERROR:
      return "invalid JSON: malformed number (or an integer beyond 64 bits)";
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "invalid JSON: number out of range";
    case simdjson::T_ATOM_ERROR:
      return "invalid JSON: bad literal (expected true)";
    case simdjson::F_ATOM_ERROR:
      return "invalid JSON: bad literal (expected false)";
    case simdjson::N_ATOM_ERROR:
      return "invalid JSON: bad literal (expected null)";
    case simdjson::TAPE_ERROR:
      return "invalid JSON: malformed structure (missing or extra comma, colon, brace, "
             "bracket or content after the object)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "invalid JSON: unterminated object or array";
    case simdjson::EMPTY:
      return "invalid JSON: empty";
    default:
      return std::string("invalid JSON: ") + simdjson::error_message(e);
  }
}

bool Feed(Canonicalizer& c, std::string_view key, dom::element el);

// Feeds the members of the object `el`.
bool FeedMembers(Canonicalizer& c, dom::element el) {
  dom::object object = el.get_object().value_unsafe();
  for (dom::key_value_pair kv : object) {
    if (!Feed(c, kv.key, kv.value)) return false;
  }
  return true;
}

// Feeds one member (or array element, with an empty key) to the canonicalizer. Strings are
// views into the parser (valid until the next parse, i.e. past EndEvent): zero copy.
bool Feed(Canonicalizer& c, std::string_view key, dom::element el) {
  switch (el.type()) {
    case dom::element_type::OBJECT:
      if (!c.BeginObject(key)) return false;
      return FeedMembers(c, el) && c.EndObject();
    case dom::element_type::ARRAY:
      if (!c.BeginArray(key)) return false;
      {
        dom::array array = el.get_array().value_unsafe();
        for (dom::element child : array) {
          if (!Feed(c, {}, child)) return false;
        }
      }
      return c.EndArray();
    case dom::element_type::STRING:
      return c.String(key, el.get_string().value_unsafe());
    case dom::element_type::INT64:
      return c.Int(key, el.get_int64().value_unsafe());
    case dom::element_type::UINT64:
      return c.Uint(key, el.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE:
      return c.Double(key, el.get_double().value_unsafe());
    case dom::element_type::BOOL:
      return c.Bool(key, el.get_bool().value_unsafe());
    case dom::element_type::NULL_VALUE:
      return c.Null(key);
  }
  return true;
}

}  // namespace

struct Normalizer::Impl {
  explicit Impl(NormalizerOptions o) : max_depth(o.max_depth), canon(CanonicalOptions(o)) {}

  // simdjson checks the depth first, with its own rule (an empty innermost [] or {} is not a
  // level); the canonicalizer's check, for front ends without one, must not be stricter.
  static NormalizerOptions CanonicalOptions(NormalizerOptions o) {
    o.max_depth += 1;
    return o;
  }

  size_t max_depth;
  Canonicalizer canon;
  dom::parser parser;
  size_t capacity = 0;
  std::string padded;  // Normalize() copies here when the caller has no padding
  std::string error;

  bool Fail(std::string reason) {
    error = std::move(reason);
    return false;
  }

  // Grows the parser to hold `bytes` of JSON; false when out of memory.
  bool Reserve(size_t bytes) {
    if (bytes <= capacity) return true;
    size_t want = std::max<size_t>({bytes, capacity * 2, 64 * 1024});
    if (parser.allocate(want, max_depth + 1) != simdjson::SUCCESS) {
      capacity = 0;
      return false;
    }
    capacity = want;
    return true;
  }

  bool Run(std::string_view json, int64_t receive_ts_ns, EventBatch* out) {
    if (!Reserve(json.size())) {
      return Fail("out of memory parsing a line of " + std::to_string(json.size()) + " bytes");
    }
    dom::element root;
    // simdjson counts the document itself as one level: max_depth + 1 lets exactly
    // max_depth levels of objects/arrays through.
    auto err = parser.parse(json.data(), json.size(), false).get(root);
    if (err) return Fail(JsonErrorReason(err, max_depth));
    if (root.type() != dom::element_type::OBJECT) return Fail("not a JSON object");

    canon.BeginEvent(out);
    if (const FieldProjection* projection = canon.options().projection) {
      // Scalars outside the projection are checked before their value is even read. Most
      // are ruled out by MayWant alone; their names are short enough, so all they need is
      // to be counted as leaves, which is done in one go before the next member is fed.
      const size_t max_name = canon.options().max_field_name_bytes;
      size_t skipped = 0;
      dom::object object = root.get_object().value_unsafe();
      for (dom::key_value_pair kv : object) {
        const dom::element_type type = kv.value.type();
        if (type != dom::element_type::OBJECT && type != dom::element_type::ARRAY) {
          if (kv.key.size() <= max_name && !projection->MayWant(kv.key)) {
            ++skipped;
            continue;
          }
          if (skipped > 0 && !canon.SkipTopLevelLeaves(std::exchange(skipped, 0))) {
            return Fail(canon.error());
          }
          switch (canon.SkipTopLevelScalar(kv.key)) {
            case Canonicalizer::Member::kSkipped:
              continue;
            case Canonicalizer::Member::kFailed:
              return Fail(canon.error());
            case Canonicalizer::Member::kFeed:
              break;
          }
        }
        if (skipped > 0 && !canon.SkipTopLevelLeaves(std::exchange(skipped, 0))) {
          return Fail(canon.error());
        }
        if (!Feed(canon, kv.key, kv.value)) return Fail(canon.error());
      }
      if (skipped > 0 && !canon.SkipTopLevelLeaves(skipped)) return Fail(canon.error());
    } else if (!FeedMembers(canon, root)) {
      return Fail(canon.error());
    }
    if (!canon.EndEvent(receive_ts_ns)) return Fail(canon.error());
    return true;
  }
};

Normalizer::Normalizer(NormalizerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Normalizer::~Normalizer() = default;

Canonicalizer& Normalizer::canonicalizer() { return impl_->canon; }

Status Normalizer::NormalizePadded(std::string_view json, size_t readable, int64_t receive_ts_ns,
                                   EventBatch* out) {
  if (readable < json.size() + kPadding) {
    return Status::Internal("NormalizePadded: caller broke the padding precondition");
  }
  if (!impl_->Run(json, receive_ts_ns, out)) return Status::InvalidArgument(impl_->error);
  return Status::Ok();
}

Normalizer::FeedResult Normalizer::FeedObject(std::string_view json) {
  Impl& m = *impl_;
  std::string& buf = m.padded;
  if (buf.size() < json.size() + kPadding) buf.resize(json.size() + kPadding);
  std::memcpy(buf.data(), json.data(), json.size());
  if (!m.Reserve(json.size())) return FeedResult::kNotAnObject;
  dom::element root;
  if (m.parser.parse(buf.data(), json.size(), false).get(root) ||
      root.type() != dom::element_type::OBJECT) {
    return FeedResult::kNotAnObject;
  }
  return FeedMembers(m.canon, root) ? FeedResult::kFed : FeedResult::kFailed;
}

Status Normalizer::Normalize(std::string_view json, int64_t receive_ts_ns, EventBatch* out) {
  std::string& buf = impl_->padded;
  if (buf.size() < json.size() + kPadding) buf.resize(json.size() + kPadding);
  std::memcpy(buf.data(), json.data(), json.size());
  return NormalizePadded(std::string_view(buf.data(), json.size()), buf.size(), receive_ts_ns, out);
}

}  // namespace vigia
