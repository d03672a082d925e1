#include "ingest/sentry/sentry_event.h"

#include <cmath>
#include <vector>

#include "common/json_writer.h"
#include "common/limits.h"

namespace vigia::sentry {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string_view Str(element e, std::string_view key) {
  std::string_view v;
  return e.is_object() && e[key].get_string().get(v) == simdjson::SUCCESS ? v : std::string_view();
}

bool Child(element e, std::string_view key, element* out) {
  return e.is_object() && e[key].get(*out) == simdjson::SUCCESS;
}

int64_t IntOr(element e, std::string_view key, int64_t fallback) {
  element v;
  if (!Child(e, key, &v)) return fallback;
  int64_t i = 0;
  if (v.get_int64().get(i) == simdjson::SUCCESS) return i;
  double d = 0;
  if (v.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d))
    return static_cast<int64_t>(d);
  return fallback;
}

// A scalar as text; other values as compact JSON.
std::string Text(element v) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::to_string(v);
}

// The values of a Sentry "list or {values: list}" member.
bool ValuesOf(element e, std::string_view key, array* out) {
  element v;
  if (!Child(e, key, &v)) return false;
  if (v.get_array().get(*out) == simdjson::SUCCESS) return true;
  element inner;
  return Child(v, "values", &inner) && inner.get_array().get(*out) == simdjson::SUCCESS;
}

struct Frame {
  std::string_view function, module, filename, abs_path, package;
  int64_t lineno = -1, colno = -1;
  bool in_app = false;
};

// The frames of a stacktrace object, oldest first (Sentry's order); broken ones counted.
std::vector<Frame> FramesOf(element stacktrace, uint64_t* skipped) {
  std::vector<Frame> frames;
  array arr;
  element f;
  if (!Child(stacktrace, "frames", &f) || f.get_array().get(arr) != simdjson::SUCCESS) {
    return frames;
  }
  for (element e : arr) {
    if (!e.is_object()) {
      ++*skipped;
      continue;
    }
    Frame fr;
    fr.function = Str(e, "function");
    fr.module = Str(e, "module");
    fr.filename = Str(e, "filename");
    fr.abs_path = Str(e, "abs_path");
    fr.package = Str(e, "package");
    fr.lineno = IntOr(e, "lineno", -1);
    fr.colno = IntOr(e, "colno", -1);
    bool in_app = false;
    if (e["in_app"].get_bool().get(in_app) == simdjson::SUCCESS) fr.in_app = in_app;
    if (fr.function.empty() && fr.filename.empty() && fr.abs_path.empty()) {
      ++*skipped;
      continue;
    }
    if (frames.size() < limits::kMaxFingerprintStackLines) frames.push_back(fr);
  }
  return frames;
}

std::string_view PathOf(const Frame& f) { return f.abs_path.empty() ? f.filename : f.abs_path; }

std::string Pos(const Frame& f) {
  std::string s;
  if (f.lineno >= 0) s += ":" + std::to_string(f.lineno);
  if (f.lineno >= 0 && f.colno >= 0) s += ":" + std::to_string(f.colno);
  return s;
}

// The frames as the platform prints a trace (stack_frame.h reads these formats).
std::string StackText(std::string_view platform, const std::vector<Frame>& frames,
                      std::string_view type, std::string_view value) {
  std::string out;
  if (platform == "python") {
    out = "Traceback (most recent call last):\n";
    for (const Frame& f : frames) {
      out += "  File \"" + std::string(PathOf(f)) + "\", line " +
             std::to_string(f.lineno < 0 ? 0 : f.lineno) + ", in " +
             std::string(f.function.empty() ? "<module>" : f.function) + "\n";
    }
    out += std::string(type) + ": " + std::string(value);
    return out;
  }
  if (platform == "java") {
    out = std::string(type) + ": " + std::string(value);
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      std::string fn = it->module.empty()
                           ? std::string(it->function)
                           : std::string(it->module) + "." + std::string(it->function);
      out += "\n\tat " + fn + "(" +
             std::string(it->filename.empty() ? "Unknown Source" : it->filename);
      if (it->lineno >= 0) out += ":" + std::to_string(it->lineno);
      out += ")";
    }
    return out;
  }
  if (platform == "dart" || platform == "flutter") {
    size_t i = 0;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it, ++i) {
      if (i != 0) out += "\n";
      out += "#" + std::to_string(i) + "      " +
             std::string(it->function.empty() ? "<anonymous closure>" : it->function) + " (" +
             std::string(PathOf(*it)) + Pos(*it) + ")";
    }
    return out;
  }
  // node, javascript and the rest: V8's format, newest first.
  out = std::string(type) + ": " + std::string(value);
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    std::string path = std::string(PathOf(*it)) + Pos(*it);
    if (it->function.empty()) {
      out += "\n    at " + path;
    } else {
      out += "\n    at " + std::string(it->function) + " (" + path + ")";
    }
  }
  return out;
}

}  // namespace

Status SentryEventMapper::Map(std::string_view payload, std::string_view project_id,
                              std::string* out, std::string* event_id) {
  out->clear();
  event_id->clear();
  element ev;
  if (parser_.parse(payload.data(), payload.size(), true).get(ev) != simdjson::SUCCESS) {
    return Status::InvalidArgument("event: invalid JSON");
  }
  if (!ev.is_object()) return Status::InvalidArgument("event: not a JSON object");
  JsonWriter w(out);
  w.BeginObject().KV("kind", "error");
  event_id->assign(Str(ev, "event_id"));
  if (!event_id->empty()) w.KV("event_id", *event_id);
  element ts;
  if (Child(ev, "timestamp", &ts)) {
    double secs = 0;
    std::string_view text;
    if (ts.get_double().get(secs) == simdjson::SUCCESS && std::isfinite(secs) && secs > 0 &&
        secs < 1e11) {
      w.KV("ts", static_cast<int64_t>(std::llround(secs * 1e9)));
    } else if (ts.get_string().get(text) == simdjson::SUCCESS) {
      w.KV("ts", text);
    }
  }
  const std::string_view platform = Str(ev, "platform");
  if (std::string_view level = Str(ev, "level"); !level.empty()) w.KV("level", level);
  if (!platform.empty()) w.KV("platform", platform);
  if (std::string_view logger = Str(ev, "logger"); !logger.empty()) w.KV("logger", logger);
  w.KV("sentry_project", project_id);

  // Tags first: tags.service names the service.
  std::string service;
  element tags;
  if (Child(ev, "tags", &tags)) {
    std::vector<std::pair<std::string, std::string>> kv;
    object obj;
    array arr;
    if (tags.get_object().get(obj) == simdjson::SUCCESS) {
      for (auto field : obj) kv.emplace_back(std::string(field.key), Text(field.value));
    } else if (tags.get_array().get(arr) == simdjson::SUCCESS) {
      for (element pair : arr) {
        array p;
        element k, v;
        if (pair.get_array().get(p) == simdjson::SUCCESS && p.size() == 2 &&
            p.at(0).get(k) == simdjson::SUCCESS && p.at(1).get(v) == simdjson::SUCCESS) {
          kv.emplace_back(Text(k), Text(v));
        }
      }
    }
    if (!kv.empty()) {
      w.Key("tags").BeginObject();
      for (const auto& [k, v] : kv) {
        if (k.empty()) continue;
        w.KV(k, v);
        if (k == "service") service = v;
      }
      w.EndObject();
    }
  }
  element contexts;
  bool has_contexts = Child(ev, "contexts", &contexts);
  if (service.empty() && has_contexts) {
    element app;
    if (Child(contexts, "app", &app)) service = Str(app, "app_name");
  }
  if (service.empty()) service = "sentry-" + std::string(project_id);
  w.KV("service", service);

  if (std::string_view v = Str(ev, "release"); !v.empty()) w.KV("version", v);
  if (std::string_view v = Str(ev, "environment"); !v.empty()) w.KV("env", v);
  if (std::string_view v = Str(ev, "server_name"); !v.empty()) w.KV("host", v);
  if (std::string_view v = Str(ev, "transaction"); !v.empty()) w.KV("route", v);

  element user;
  if (Child(ev, "user", &user) && user.is_object()) {
    std::string_view ip = Str(user, "ip_address");
    if (ip == "{{auto}}") ip = {};
    std::string id;
    element idv;
    if (Child(user, "id", &idv) && !idv.is_null()) id = Text(idv);
    for (std::string_view alt : {Str(user, "username"), Str(user, "email"), ip}) {
      if (id.empty()) id.assign(alt);
    }
    if (!id.empty()) w.KV("user_id", id);
    if (!ip.empty()) w.KV("ip", ip);
  }
  element request;
  if (Child(ev, "request", &request) && request.is_object()) {
    if (std::string_view v = Str(request, "url"); !v.empty()) w.KV("url", v);
    if (std::string_view v = Str(request, "method"); !v.empty()) w.KV("method", v);
    element headers;
    if (Child(request, "headers", &headers)) {
      object h;
      if (headers.get_object().get(h) == simdjson::SUCCESS) {
        for (auto field : h) {
          std::string_view v;
          if (field.value.get_string().get(v) == simdjson::SUCCESS &&
              (field.key == "User-Agent" || field.key == "user-agent")) {
            w.KV("ua", v);
          }
        }
      }
    }
  }
  if (has_contexts) {
    element c;
    if (Child(contexts, "trace", &c)) {
      if (std::string_view v = Str(c, "trace_id"); !v.empty()) w.KV("trace_id", v);
      if (std::string_view v = Str(c, "span_id"); !v.empty()) w.KV("span_id", v);
    }
    if (Child(contexts, "os", &c) && !Str(c, "name").empty()) w.KV("os", Str(c, "name"));
    if (Child(contexts, "browser", &c) && !Str(c, "name").empty()) w.KV("browser", Str(c, "name"));
    if (Child(contexts, "runtime", &c) && !Str(c, "name").empty()) {
      std::string rt(Str(c, "name"));
      if (!Str(c, "version").empty()) rt += " " + std::string(Str(c, "version"));
      w.KV("runtime", rt);
    }
  }
  element sdk;
  if (Child(ev, "sdk", &sdk) && !Str(sdk, "name").empty()) {
    w.KV("sdk", std::string(Str(sdk, "name")) + "/" + std::string(Str(sdk, "version")));
  }

  // The message: message (string or object) or logentry.
  std::string msg;
  element m;
  if (Child(ev, "logentry", &m) || Child(ev, "message", &m)) {
    std::string_view s;
    if (m.get_string().get(s) == simdjson::SUCCESS) {
      msg = s;
    } else {
      msg = Str(m, "formatted");
      if (msg.empty()) msg = Str(m, "message");
    }
  }

  // The exception raised last (Sentry lists the chain oldest first) and its frames.
  array exceptions;
  element exc;
  bool has_exc = false;
  if (ValuesOf(ev, "exception", &exceptions) && exceptions.size() > 0) {
    for (element e : exceptions) {
      if (e.is_object()) {
        exc = e;
        has_exc = true;
      }
    }
  }
  uint64_t skipped = 0;
  std::vector<Frame> frames;
  std::string_view type, value;
  if (has_exc) {
    type = Str(exc, "type");
    value = Str(exc, "value");
    element st;
    if (Child(exc, "stacktrace", &st)) frames = FramesOf(st, &skipped);
  }
  element st;
  if (frames.empty() && Child(ev, "stacktrace", &st)) frames = FramesOf(st, &skipped);
  if (msg.empty() && has_exc)
    msg = type.empty() ? std::string(value) : std::string(type) + ": " + std::string(value);
  if (!msg.empty()) w.KV("msg", msg);
  if (has_exc || !frames.empty()) {
    w.Key("error").BeginObject();
    if (!type.empty()) w.KV("type", type);
    if (!value.empty()) w.KV("message", value);
    if (!frames.empty()) {
      w.KV("stack", StackText(platform, frames, type.empty() ? "Error" : type, value));
      const Frame* top = &frames.back();
      for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (it->in_app) {
          top = &*it;
          break;
        }
      }
      if (!top->function.empty()) w.KV("function", top->function);
      if (!PathOf(*top).empty()) w.KV("file", PathOf(*top));
      if (top->lineno >= 0) w.KV("line", top->lineno);
    }
    if (skipped != 0) w.KV("frames_skipped", skipped);
    w.EndObject();
  }

  array crumbs;
  if (ValuesOf(ev, "breadcrumbs", &crumbs) && crumbs.size() > 0) {
    const size_t n = crumbs.size();
    const size_t first = n > limits::kMaxSentryBreadcrumbs ? n - limits::kMaxSentryBreadcrumbs : 0;
    std::string text = "[";
    size_t i = 0;
    for (element c : crumbs) {
      if (i++ < first) continue;
      if (text.size() > 1) text += ',';
      text += simdjson::to_string(c);
    }
    text += ']';
    w.Key("breadcrumbs").Raw(text);
  }
  element extra;
  object extra_obj;
  if (Child(ev, "extra", &extra) && extra.get_object().get(extra_obj) == simdjson::SUCCESS &&
      extra_obj.size() > 0) {
    w.Key("sentry_extra").BeginObject();
    for (auto field : extra_obj) {
      if (!field.key.empty()) w.KV(field.key, Text(field.value));
    }
    w.EndObject();
  }
  element fp;
  array fparr;
  if (Child(ev, "fingerprint", &fp) && fp.get_array().get(fparr) == simdjson::SUCCESS &&
      fparr.size() > 0) {
    std::string joined;
    bool is_default = false;
    for (element part : fparr) {
      std::string t = Text(part);
      if (t == "{{ default }}" || t == "{{default}}") is_default = true;
      if (!joined.empty()) joined += ':';
      joined += t;
    }
    if (!is_default && !joined.empty()) w.KV("fingerprint", joined);
  }
  w.EndObject();
  return Status::Ok();
}

}  // namespace vigia::sentry
