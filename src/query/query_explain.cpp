#include "query/query_explain.h"

#include "common/time_format.h"

namespace vigia {

const char* PipeName(PipeKind k) {
  switch (k) {
    case PipeKind::kStats:
      return "stats";
    case PipeKind::kWhere:
      return "where";
    case PipeKind::kSort:
      return "sort";
    case PipeKind::kLimit:
      return "limit";
    case PipeKind::kFields:
      return "fields";
    case PipeKind::kTop:
      return "top";
    case PipeKind::kMath:
      return "math";
  }
  return "?";
}

std::string ExplainTimeRange(const TimeRange& range) {
  if (!range.from_ns && !range.to_ns) return "time: all events";
  std::string out = "time:";
  if (range.from_ns) out += " from " + FormatRfc3339(*range.from_ns);
  if (range.to_ns) out += " until " + FormatRfc3339(*range.to_ns);
  return out;
}

std::string ExplainPipes(const Query& q, bool first_in_scan) {
  size_t first = first_in_scan ? 1 : 0;
  if (q.pipes.size() <= first) return "";
  std::string out = "then:";
  for (size_t i = first; i < q.pipes.size(); ++i) {
    out += (i > first ? ", " : " ") + std::string(PipeName(q.pipes[i].kind));
  }
  return out + " (over the scan's result)";
}

}  // namespace vigia
