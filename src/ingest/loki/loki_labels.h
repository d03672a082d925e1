// Loki stream labels: the Prometheus label-set text of a protobuf push
// (`{app="api", env="prod", msg="say \"hi\""}`) parsed into name/value pairs, and the
// mapping of label names to vigia's fields (docs/ingest-loki.md).
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigia::loki {

struct Label {
  std::string_view name;
  std::string_view value;
};

// Parses `text` into `out` (cleared first). Values without escapes are views into `text`;
// unescaped ones are stored in `storage` (a deque: its strings do not move). False with the
// reason when `text` is not a label set. `{}` and "" are the empty set.
bool ParseLabels(std::string_view text, std::vector<Label>* out, std::deque<std::string>* storage,
                 std::string* error);

// The index in `labels` of the label that names the service: service_name, else app, else
// job; -1 when none. That label fills `service`; the others keep their own names (level,
// host, env are canonical names or aliases already).
int ServiceLabel(const std::vector<Label>& labels);

}  // namespace vigia::loki
