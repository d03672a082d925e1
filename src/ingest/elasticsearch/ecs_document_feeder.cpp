#include "ingest/elasticsearch/ecs_document_feeder.h"

#include <array>

namespace vigia {
namespace {

namespace dom = simdjson::dom;

// What an ECS dotted path becomes.
enum class EcsAction : uint8_t {
  kField,     // fed under the canonical name
  kDuration,  // event.duration: nanoseconds → duration_ms
};

struct EcsName {
  std::string_view path;
  std::string_view canonical;
  EcsAction action = EcsAction::kField;
};

// The ECS leaves vigia maps (ECS 8.x field reference). Order matters only where two paths
// fill one field: the document's order decides then.
constexpr std::array<EcsName, 23> kEcsNames = {{
    {"log.level", "level"},
    {"service.name", "service"},
    {"service.version", "version"},
    {"service.environment", "env"},
    {"host.name", "host"},
    {"host.hostname", "host"},
    {"http.request.method", "method"},
    {"http.request.id", "request_id"},
    {"http.request.body.bytes", "bytes_in"},
    {"http.response.status_code", "status"},
    {"http.response.body.bytes", "bytes_out"},
    {"http.route", "route"},
    {"url.path", "path"},
    {"user_agent.original", "ua"},
    {"client.ip", "ip"},
    {"source.ip", "ip"},
    {"user.id", "user_id"},
    {"trace.id", "trace_id"},
    {"span.id", "span_id"},
    {"error.message", "error.message"},
    {"error.type", "error.type"},
    {"error.code", "error.code"},
    {"error.stack_trace", "error.stack"},
}};

// syslog-ng's elasticsearch-http() default template ($(format-json --scope rfc5424)) writes
// the syslog macros by their names; top-level keys only.
constexpr std::array<EcsName, 6> kSyslogNgNames = {{
    {"MESSAGE", "msg"},
    {"HOST", "host"},
    {"PROGRAM", "service"},
    {"PRIORITY", "level"},
    {"PID", "syslog.procid"},
    {"FACILITY", "syslog.facility"},
}};

constexpr EcsName kEventDuration = {"event.duration", "duration_ms", EcsAction::kDuration};

// The objects on the way to a mapped leaf: only inside these does the feeder walk members
// itself; any other object goes to the canonicalizer whole. `error` is not one: the
// canonicalizer's error object rules already read ECS's message/type/code/stack_trace.
constexpr std::array<std::string_view, 16> kEcsPrefixes = {
    "log",           "service",
    "host",          "http",
    "http.request",  "http.request.body",
    "http.response", "http.response.body",
    "url",           "user_agent",
    "client",        "source",
    "user",          "trace",
    "span",          "event",
};

const EcsName* FindEcsName(std::string_view path) {
  if (path.find('.') == std::string_view::npos) {
    // Upper-case first letter: the only undotted names mapped (cheap reject of the rest).
    if (path.empty() || path[0] < 'A' || path[0] > 'Z') return nullptr;
    for (const EcsName& n : kSyslogNgNames) {
      if (n.path == path) return &n;
    }
    return nullptr;
  }
  for (const EcsName& n : kEcsNames) {
    if (n.path == path) return &n;
  }
  if (path == kEventDuration.path) return &kEventDuration;
  return nullptr;
}

bool IsEcsPrefix(std::string_view path) {
  for (std::string_view p : kEcsPrefixes) {
    if (p == path) return true;
  }
  return false;
}

}  // namespace

std::string_view EcsDocumentFeeder::Keep(std::string name) {
  names_.push_back(std::move(name));
  return names_.back();
}

bool EcsDocumentFeeder::Feed(Canonicalizer& c, dom::object doc) {
  path_.clear();
  for (dom::key_value_pair kv : doc) {
    if (!Member(c, kv.key, kv.value)) return false;
  }
  return true;
}

bool EcsDocumentFeeder::Member(Canonicalizer& c, std::string_view key, dom::element value) {
  // The dotted path is built in path_ (no allocation per member); only a name that goes to
  // the canonicalizer as a dynamic field is copied (Keep), top-level keys are the DOM's.
  const size_t mark = path_.size();
  if (mark > 0) path_.push_back('.');
  path_.append(key);
  const std::string_view path = mark == 0 ? key : std::string_view(path_);
  bool ok = true;
  const EcsName* n = FindEcsName(path);
  if (n != nullptr && n->action == EcsAction::kField) {
    ok = FeedJsonValue(c, n->canonical, value);
  } else if (double ns = 0; n != nullptr && n->action == EcsAction::kDuration &&
                            value.get_double().get(ns) == simdjson::SUCCESS) {
    ok = c.Double(n->canonical, ns / 1e6);
  } else if (value.type() == dom::element_type::OBJECT && IsEcsPrefix(path)) {
    dom::object object = value.get_object().value_unsafe();
    for (dom::key_value_pair kv : object) {
      if (!(ok = Member(c, kv.key, kv.value))) break;
    }
  } else {
    ok = FeedJsonValue(c, mark == 0 ? key : Keep(std::string(path)), value);
  }
  path_.resize(mark);
  return ok;
}

}  // namespace vigia
