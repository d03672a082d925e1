// Logger: vigia's own diagnostic log (not the events it stores). One JSON line per record on
// stderr (ts, level, msg, then the given fields), or readable text when stderr is a TTY.
// Fields commonly used: request_id, part, path, error.
//
// Thread-safety: thread-safe; each record is written with a single write(2).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace vigia {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// One key/value of a log record. Holds views: the caller's strings must outlive the call.
struct LogField {
  enum class Type : uint8_t { kString, kInt, kDouble, kBool };
  LogField(std::string_view k, std::string_view v) : key(k), type(Type::kString), s(v) {}
  LogField(std::string_view k, const char* v) : key(k), type(Type::kString), s(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), type(Type::kString), s(v) {}
  LogField(std::string_view k, int v) : key(k), type(Type::kInt), i(v) {}
  LogField(std::string_view k, long v) : key(k), type(Type::kInt), i(v) {}
  LogField(std::string_view k, long long v) : key(k), type(Type::kInt), i(v) {}
  LogField(std::string_view k, unsigned v) : key(k), type(Type::kInt), i(v) {}
  LogField(std::string_view k, unsigned long v) : key(k), type(Type::kInt), i(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, unsigned long long v) : key(k), type(Type::kInt), i(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), type(Type::kDouble), d(v) {}
  LogField(std::string_view k, bool v) : key(k), type(Type::kBool), b(v) {}

  std::string_view key;
  Type type;
  std::string_view s;
  int64_t i = 0;
  double d = 0;
  bool b = false;
};

namespace logger {

enum class Format { kAuto, kJson, kText };

// Configures the process-wide logger. kAuto = text on a TTY, JSON otherwise.
void Configure(LogLevel min_level, Format format = Format::kAuto, int fd = 2);
bool Enabled(LogLevel level);
void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

// Formats one record without writing it (exposed for tests).
std::string FormatRecord(LogLevel level, int64_t ts_ns, std::string_view msg,
                         std::initializer_list<LogField> fields, bool json);

inline void Debug(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<LogField> f = {}) { Log(LogLevel::kError, m, f); }

}  // namespace logger
}  // namespace vigia
