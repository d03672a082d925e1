#include "gen/record_writer.h"

#include <charconv>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace vigia::bench {
namespace {

// Appends `,"key":` — keys are static, known not to need escaping.
inline void Key(std::string* out, std::string_view key) {
  out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

inline void Int(std::string* out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

// A string value that may need escaping (messages, stacks).
inline void Str(std::string* out, std::string_view key, std::string_view v) {
  Key(out, key);
  AppendJsonString(out, v);
}

// A string value the generator built from JSON-safe pieces (catalog names, digits, hex,
// dotted IPs, routes, user agents without quotes or backslashes): copied without the
// per-byte escape scan, which is a third of the generator's time otherwise. The writer
// tests parse every line of every spelling, so an unsafe catalog entry fails them.
inline void Safe(std::string* out, std::string_view key, std::string_view v) {
  Key(out, key);
  out->push_back('"');
  out->append(v);
  out->push_back('"');
}

// duration_ms with two decimals, without trailing zeros ("183.25", "12.5", "7").
void Cents(std::string* out, int64_t cents) {
  Int(out, cents / 100);
  const int frac = static_cast<int>(cents % 100);
  if (frac == 0) return;
  out->push_back('.');
  out->push_back(static_cast<char>('0' + frac / 10));
  if (frac % 10 != 0) out->push_back(static_cast<char>('0' + frac % 10));
}

std::string_view UpperLevel(RecordLevel l) {
  switch (l) {
    case RecordLevel::kDebug:
      return "DEBUG";
    case RecordLevel::kInfo:
      return "INFO";
    case RecordLevel::kWarn:
      return "WARNING";
    case RecordLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

// The alias spelling of one seed application (docs/architecture.md, "The event model").
struct SeedKeys {
  std::string_view ts, level, msg, host, version, request_id, user_id, store_id, status, duration,
      ip, ua, action, entity, entity_id, error_obj, e_type, e_message, e_stack, e_file, e_line,
      e_function;
  bool upper_level;
  bool route_with_method;  // "POST /sales/{id}/pay" in one field
  std::string_view route;  // key for the route field
  bool stack_as_lines;     // traceback as an array of lines
  bool audit_in_extra;     // audit fields nested under "extra_fields"
};

constexpr SeedKeys kSeed000{
    "timestamp", "level",       "message",     "host",      "version",    "request_id", "user_id",
    "store_id",  "status_code", "duration_ms", "client_ip", "user_agent", "action",     "entity",
    "entity_id", "exception",   "type",        "message",   "traceback",  "file",       "line",
    "function",  true,          true,          "endpoint",  true,         true};
constexpr SeedKeys kSeed001{
    "timestamp",   "nivel",      "mensagem", "maquina_id", "app_version",
    "request_id",  "usuario_id", "store_id", "status",     "response_time_ms",
    "remote_addr", "ua",         "acao",     "entidade",   "entidade_id",
    "erro",        "tipo",       "mensagem", "stacktrace", "arquivo",
    "linha",       "funcao",     true,       false,        "route",
    false,         false};
constexpr SeedKeys kSeed004{
    "ts",        "level",      "msg",        "host",     "version",   "requestId", "userId",
    "storeId",   "statusCode", "durationMs", "clientIp", "userAgent", "action",    "entity",
    "entity_id", "err",        "type",       "message",  "stack",     "file",      "line",
    "function",  false,        true,         "route",    false,       false};

}  // namespace

std::optional<Spelling> ParseSpelling(std::string_view name) {
  if (name == "canonical") return Spelling::kCanonical;
  if (name == "seed000") return Spelling::kSeed000;
  if (name == "seed001") return Spelling::kSeed001;
  if (name == "seed004") return Spelling::kSeed004;
  return std::nullopt;
}

void RecordWriter::Append(const Record& r, std::string* out) {
  if (spelling_ == Spelling::kCanonical) {
    AppendCanonical(r, out);
  } else {
    AppendSeed(r, out);
  }
}

void RecordWriter::AppendCanonical(const Record& r, std::string* out) {
  out->append("{\"ts\":");
  Int(out, r.ts_ms);
  Safe(out, "kind", KindName(r.kind));
  Safe(out, "level", LevelName(r.level));
  Safe(out, "service", r.service);
  Safe(out, "env", Environment());
  Safe(out, "host", r.host);
  if (!r.logger.empty()) Safe(out, "logger", r.logger);
  if (!r.request_id.empty()) Safe(out, "request_id", r.request_id);
  if (!r.user_id.empty()) Safe(out, "user_id", r.user_id);
  if (!r.store_id.empty()) Safe(out, "store_id", r.store_id);
  Str(out, "msg", r.msg);
  if (r.kind == RecordKind::kRequest) {
    Safe(out, "method", r.method);
    Safe(out, "route", r.route);
    Safe(out, "path", r.path);
    Key(out, "status");
    Int(out, r.status);
    Key(out, "duration_ms");
    Cents(out, r.duration_cents);
  }
  if (!r.ip.empty()) Safe(out, "ip", r.ip);
  if (r.kind == RecordKind::kRequest) {
    Safe(out, "ua", r.ua);
    Key(out, "bytes_out");
    Int(out, r.bytes_out);
  }
  if (r.kind == RecordKind::kAudit) {
    Safe(out, "action", r.action);
    Safe(out, "actor", r.actor);
    Safe(out, "entity", r.entity);
    Safe(out, "entity_id", r.entity_id);
    Safe(out, "outcome", r.success ? "success" : "failure");
    Key(out, "sensitive");
    out->append(r.sensitive ? "true" : "false");
  }
  if (r.error != nullptr) {
    const ErrorSignature& e = *r.error;
    Str(out, "error.type", e.type);
    Str(out, "error.message", e.message);
    Str(out, "error.code", e.code);
    Str(out, "error.file", e.file);
    Key(out, "error.line");
    Int(out, e.line);
    Str(out, "error.function", e.function);
    Str(out, "error.stack", e.stack);
  }
  for (size_t i = 0; i < r.num_meta; ++i) {
    const MetaField& m = r.meta[i];
    out->append(",\"meta.");
    out->append(m.key);
    out->append("\":");
    if (m.is_int) {
      out->append(m.value);
    } else {
      AppendJsonString(out, m.value);
    }
  }
  out->append("}\n");
}

void RecordWriter::AppendIsoTime(int64_t ts_ms, std::string* out) {
  const int64_t sec = ts_ms >= 0 ? ts_ms / 1000 : (ts_ms - 999) / 1000;
  if (sec != cached_second_) {
    cached_second_ = sec;
    cached_prefix_ = FormatRfc3339(sec * 1000000000LL, 0);
    if (!cached_prefix_.empty() && cached_prefix_.back() == 'Z') cached_prefix_.pop_back();
  }
  const int ms = static_cast<int>(ts_ms - sec * 1000);
  out->push_back('"');
  out->append(cached_prefix_);
  out->push_back('.');
  out->push_back(static_cast<char>('0' + ms / 100));
  out->push_back(static_cast<char>('0' + ms / 10 % 10));
  out->push_back(static_cast<char>('0' + ms % 10));
  // Python's datetime.isoformat() prints microseconds and a numeric offset.
  out->append(spelling_ == Spelling::kSeed000 ? "000+00:00\"" : "Z\"");
}

void RecordWriter::AppendSeed(const Record& r, std::string* out) {
  const SeedKeys& k = spelling_ == Spelling::kSeed000   ? kSeed000
                      : spelling_ == Spelling::kSeed001 ? kSeed001
                                                        : kSeed004;
  out->push_back('{');
  out->push_back('"');
  out->append(k.ts);
  out->append("\":");
  AppendIsoTime(r.ts_ms, out);
  Safe(out, "kind", KindName(r.kind));
  Safe(out, k.level, k.upper_level ? UpperLevel(r.level) : LevelName(r.level));
  Safe(out, "service", r.service);
  Safe(out, "env", Environment());
  Safe(out, k.host, r.host);
  if (!r.logger.empty()) Safe(out, "logger", r.logger);
  if (!r.request_id.empty()) Safe(out, k.request_id, r.request_id);
  if (!r.user_id.empty()) Safe(out, k.user_id, r.user_id);
  if (!r.store_id.empty()) Safe(out, k.store_id, r.store_id);
  Str(out, k.msg, r.msg);
  if (r.kind == RecordKind::kRequest) {
    if (k.route_with_method) {
      std::string both(r.method);
      both.push_back(' ');
      both.append(r.route);
      Safe(out, k.route, both);
    } else {
      Safe(out, "method", r.method);
      Safe(out, k.route, r.route);
    }
    Safe(out, "path", r.path);
    Key(out, k.status);
    Int(out, r.status);
    Key(out, k.duration);
    Cents(out, r.duration_cents);
  }
  if (!r.ip.empty()) Safe(out, k.ip, r.ip);
  if (r.kind == RecordKind::kRequest) {
    Safe(out, k.ua, r.ua);
    Key(out, "bytes_out");
    Int(out, r.bytes_out);
  }
  if (r.kind == RecordKind::kAudit) {
    if (k.audit_in_extra) {
      // The first member of the nested object takes no leading comma.
      out->append(",\"extra_fields\":{\"");
      out->append(k.action);
      out->append("\":");
      AppendJsonString(out, r.action);
    } else {
      Safe(out, k.action, r.action);
    }
    Safe(out, "actor", r.actor);
    Safe(out, k.entity, r.entity);
    Safe(out, k.entity_id, r.entity_id);
    Safe(out, "outcome", r.success ? "success" : "failure");
    Key(out, "sensitive");
    out->append(r.sensitive ? "true" : "false");
    if (k.audit_in_extra) out->push_back('}');
  }
  if (r.error != nullptr) {
    const ErrorSignature& e = *r.error;
    out->append(",\"");
    out->append(k.error_obj);
    out->append("\":{\"");
    out->append(k.e_type);
    out->append("\":");
    AppendJsonString(out, e.type);
    Str(out, k.e_message, e.message);
    Str(out, "code", e.code);
    Str(out, k.e_file, e.file);
    Key(out, k.e_line);
    Int(out, e.line);
    Str(out, k.e_function, e.function);
    Key(out, k.e_stack);
    if (k.stack_as_lines) {
      // traceback.format_exception(): one string per line, each ending in '\n'.
      out->push_back('[');
      std::string_view rest = e.stack;
      bool first = true;
      while (!rest.empty()) {
        const size_t nl = rest.find('\n');
        const size_t n = nl == std::string_view::npos ? rest.size() : nl + 1;
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, rest.substr(0, n));
        rest.remove_prefix(n);
      }
      out->push_back(']');
    } else {
      AppendJsonString(out, e.stack);
    }
    out->push_back('}');
  }
  if (r.num_meta > 0) {
    out->append(",\"meta\":{");
    for (size_t i = 0; i < r.num_meta; ++i) {
      const MetaField& m = r.meta[i];
      if (i > 0) out->push_back(',');
      AppendJsonString(out, m.key);
      out->push_back(':');
      if (m.is_int) {
        out->append(m.value);
      } else {
        AppendJsonString(out, m.value);
      }
    }
    out->push_back('}');
  }
  out->append("}\n");
}

}  // namespace vigia::bench
