#include "common/logger.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace vigia::logger {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_json{true};
std::atomic<int> g_fd{2};
std::atomic<bool> g_configured{false};

std::string_view LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

void EnsureConfigured() {
  if (!g_configured.load(std::memory_order_acquire)) Configure(LogLevel::kInfo);
}

}  // namespace

void Configure(LogLevel min_level, Format format, int fd) {
  g_min_level.store(static_cast<int>(min_level));
  g_fd.store(fd);
  bool json = format == Format::kJson || (format == Format::kAuto && !::isatty(fd));
  g_json.store(json);
  g_configured.store(true, std::memory_order_release);
}

bool Enabled(LogLevel level) {
  EnsureConfigured();
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

std::string FormatRecord(LogLevel level, int64_t ts_ns, std::string_view msg,
                         std::initializer_list<LogField> fields, bool json) {
  std::string out;
  out.reserve(128 + msg.size());
  if (json) {
    JsonWriter w(&out);
    w.BeginObject();
    w.KV("ts", FormatRfc3339(ts_ns, 6));
    w.KV("level", LevelName(level));
    w.KV("msg", msg);
    for (const LogField& f : fields) {
      w.Key(f.key);
      switch (f.type) {
        case LogField::Type::kString: w.String(f.s); break;
        case LogField::Type::kInt: w.Int(f.i); break;
        case LogField::Type::kDouble: w.Double(f.d); break;
        case LogField::Type::kBool: w.Bool(f.b); break;
      }
    }
    w.EndObject();
  } else {
    out += FormatRfc3339(ts_ns, 3);
    out += ' ';
    std::string lvl(LevelName(level));
    for (char& c : lvl) c = static_cast<char>(c - 32);
    lvl.resize(5, ' ');
    out += lvl;
    out += ' ';
    out += msg;
    for (const LogField& f : fields) {
      out += ' ';
      out += f.key;
      out += '=';
      switch (f.type) {
        case LogField::Type::kString: out += f.s; break;
        case LogField::Type::kInt: out += std::to_string(f.i); break;
        case LogField::Type::kDouble: out += std::to_string(f.d); break;
        case LogField::Type::kBool: out += f.b ? "true" : "false"; break;
      }
    }
  }
  out += '\n';
  return out;
}

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string rec = FormatRecord(level, now, msg, fields, g_json.load(std::memory_order_relaxed));
  const char* p = rec.data();
  size_t left = rec.size();
  int fd = g_fd.load(std::memory_order_relaxed);
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) break;  // nowhere else to report a failing log stream
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace vigia::logger
