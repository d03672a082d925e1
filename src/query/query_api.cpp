#include "query/query_api.h"

namespace vigia {

void TimeRange::Intersect(const TimeRange& o) {
  if (o.from_ns && (!from_ns || *o.from_ns > *from_ns)) from_ns = o.from_ns;
  if (o.to_ns && (!to_ns || *o.to_ns < *to_ns)) to_ns = o.to_ns;
}

bool StreamableQuery(const Query& q) {
  for (const Pipe& p : q.pipes) {
    switch (p.kind) {
      case PipeKind::kLimit:
        if (p.limit > 0) continue;
        return false;
      case PipeKind::kFields:
      case PipeKind::kMath:
        continue;
      case PipeKind::kStats:
      case PipeKind::kWhere:
      case PipeKind::kSort:
      case PipeKind::kTop:
        return false;
    }
  }
  return true;
}

}  // namespace vigia
