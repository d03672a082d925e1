// Label and annotation maps as JSON objects of strings: the one encoding shared by the API
// answers (alert_json.cpp), the persisted state (alert_state_file.cpp) and the notification
// payloads and outbox records (notification.cpp).
//
// Thread-safety: pure functions.
#pragma once

#include <simdjson.h>

#include <map>
#include <string>

#include "common/json_writer.h"

namespace vigia {

inline void WriteLabelMap(JsonWriter* w, const std::map<std::string, std::string>& m) {
  w->BeginObject();
  for (const auto& [k, v] : m) w->KV(k, v);
  w->EndObject();
}

// False when `e` is not an object whose values are all strings.
inline bool ReadLabelMap(simdjson::dom::element e, std::map<std::string, std::string>* out) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj)) return false;
  for (auto [k, v] : obj) {
    std::string_view s;
    if (v.get_string().get(s)) return false;
    (*out)[std::string(k)] = std::string(s);
  }
  return true;
}

}  // namespace vigia
