// DerivedColumns: the ClickHouse peer's copy of a canonical NDJSON line, with the fields
// vigia derives at ingest from `ua` (browser, browser_version, os, os_version, device)
// appended as ordinary columns, computed by vigia's own UaFieldDeriver (src/event). The
// peer has no uap-core parser; giving it the very values vigia derives makes top_browsers
// (and any query on these fields) answer the same on both systems. vigia itself is loaded
// with the plain line and derives the fields during its measured ingest; the peer gets
// them for free, which favours the peer (bench/README.md, "Fairness").
//
// Thread-safety: externally synchronized (caches one JSON snippet per distinct ua).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "ingest/normalize/ua_field_deriver.h"

namespace vigia::bench {

class DerivedColumns {
 public:
  explicit DerivedColumns(const UaFieldDeriver* deriver) : deriver_(deriver) {}

  // Appends `line` (one canonical JSON object, with or without its trailing '\n') to `out`
  // with the derived fields of `ua` added before the closing brace; unchanged when `ua` is
  // empty. The line must not carry these fields already (vigia-gen's canonical lines never
  // do; the keys would be duplicated).
  void Append(std::string_view line, std::string_view ua, std::string* out);

 private:
  const std::string& Snippet(std::string_view ua);

  const UaFieldDeriver* deriver_;
  std::unordered_map<std::string, std::string> snippets_;  // ua → ,"browser":...
};

}  // namespace vigia::bench
