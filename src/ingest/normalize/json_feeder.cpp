#include "ingest/normalize/json_feeder.h"

namespace vigia {

namespace dom = simdjson::dom;

bool FeedJsonMembers(Canonicalizer& c, dom::object object) {
  for (dom::key_value_pair kv : object) {
    if (!FeedJsonValue(c, kv.key, kv.value)) return false;
  }
  return true;
}

bool FeedJsonValue(Canonicalizer& c, std::string_view key, dom::element el) {
  switch (el.type()) {
    case dom::element_type::OBJECT: {
      if (!c.BeginObject(key)) return false;
      dom::object object = el.get_object().value_unsafe();
      return FeedJsonMembers(c, object) && c.EndObject();
    }
    case dom::element_type::ARRAY: {
      if (!c.BeginArray(key)) return false;
      dom::array array = el.get_array().value_unsafe();
      for (dom::element child : array) {
        if (!FeedJsonValue(c, {}, child)) return false;
      }
      return c.EndArray();
    }
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

}  // namespace vigia
