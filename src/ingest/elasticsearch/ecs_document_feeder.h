// EcsDocumentFeeder: feeds one Elasticsearch document (a _bulk source line, parsed by
// simdjson) to a Canonicalizer, translating the Elastic Common Schema (ECS) names shippers
// write into vigia's canonical fields, whether nested ({"log":{"level":"warn"}}) or dotted
// ({"log.level":"warn"}):
//
//   log.level → level           service.name → service        service.version → version
//   service.environment → env   host.name, host.hostname → host
//   http.request.method → method              http.response.status_code → status
//   http.route → route          url.path → path               user_agent.original → ua
//   client.ip, source.ip → ip   http.request.id → request_id  user.id → user_id
//   http.request.body.bytes → bytes_in        http.response.body.bytes → bytes_out
//   trace.id → trace_id         span.id → span_id             event.duration (ns) → duration_ms
//   error.message / error.type / error.code → error.*         error.stack_trace → error.stack
//
// and, at the top level, the syslog macro names of syslog-ng's elasticsearch-http() default
// template: MESSAGE → msg, HOST → host, PROGRAM → service, PRIORITY → level,
// PID → syslog.procid, FACILITY → syslog.facility.
//
// Every other member goes to the canonicalizer as is, so the usual alias rules apply
// (`@timestamp`, `message`, `severity`, ...) and unmapped ECS members stay as dotted dynamic
// fields (`url.original`, `http.request.referrer`, `labels.team`). Where two spellings fill
// one field, the first in the document wins (the canonicalizer's rule).
//
// Thread-safety: externally synchronized (keeps the dotted names of the current event); one
// per decoder.
#pragma once

#include <simdjson.h>

#include <deque>
#include <string>
#include <string_view>

#include "ingest/normalize/canonicalizer.h"
#include "ingest/normalize/json_feeder.h"

namespace vigia {

class EcsDocumentFeeder {
 public:
  // Feeds the members of `doc` between the caller's BeginEvent and EndEvent. Returns false
  // when the canonicalizer refused the event (its error() says why).
  // REQUIRES: BeginEvent was called; `doc` stays valid until EndEvent.
  bool Feed(Canonicalizer& c, simdjson::dom::object doc);

  // Forgets the dotted names built for the previous event. Call after EndEvent.
  void Clear() { names_.clear(); }

 private:
  // One member of the object whose dotted path is path_.
  bool Member(Canonicalizer& c, std::string_view key, simdjson::dom::element value);
  // A name that stays valid until Clear().
  std::string_view Keep(std::string name);

  std::deque<std::string> names_;
  std::string path_;  // dotted path of the member being fed
};

}  // namespace vigia
