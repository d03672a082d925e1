// Canonical event vocabulary (docs/architecture.md, "The event model"): the field names every
// normalized event uses and the closed value sets of `kind` and `level`. Other modules (store,
// query, alert, server) refer to fields through these constants so a typo is a compile error, not a
// silent miss.
//
// Thread-safety: constants and pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace vigia::fields {

// Not stored as a field (it is EventBatch::EventRef::ts_ns) but used as a name in JSON output
// and queries.
inline constexpr std::string_view kTs = "ts";

inline constexpr std::string_view kKind = "kind";
inline constexpr std::string_view kLevel = "level";

// Origin.
inline constexpr std::string_view kService = "service";
inline constexpr std::string_view kEnv = "env";
inline constexpr std::string_view kHost = "host";
inline constexpr std::string_view kVersion = "version";
inline constexpr std::string_view kTenant = "tenant";

// Correlation.
inline constexpr std::string_view kRequestId = "request_id";
inline constexpr std::string_view kTraceId = "trace_id";
inline constexpr std::string_view kSpanId = "span_id";
inline constexpr std::string_view kUserId = "user_id";
inline constexpr std::string_view kSessionId = "session_id";

inline constexpr std::string_view kMsg = "msg";

// Request.
inline constexpr std::string_view kMethod = "method";
inline constexpr std::string_view kRoute = "route";
inline constexpr std::string_view kPath = "path";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kDurationMs = "duration_ms";
inline constexpr std::string_view kIp = "ip";
inline constexpr std::string_view kUa = "ua";
inline constexpr std::string_view kBytesIn = "bytes_in";
inline constexpr std::string_view kBytesOut = "bytes_out";

// Derived from ua (UA parser issue) and duration_ms.
inline constexpr std::string_view kBrowser = "browser";
inline constexpr std::string_view kBrowserVersion = "browser_version";
inline constexpr std::string_view kOs = "os";
inline constexpr std::string_view kOsVersion = "os_version";
inline constexpr std::string_view kDevice = "device";
inline constexpr std::string_view kPerfClass = "perf_class";

// Error.
inline constexpr std::string_view kErrorType = "error.type";
inline constexpr std::string_view kErrorMessage = "error.message";
inline constexpr std::string_view kErrorStack = "error.stack";
inline constexpr std::string_view kErrorCode = "error.code";
inline constexpr std::string_view kErrorFile = "error.file";
inline constexpr std::string_view kErrorLine = "error.line";
inline constexpr std::string_view kErrorFunction = "error.function";
inline constexpr std::string_view kFingerprint = "fingerprint";

// Audit.
inline constexpr std::string_view kAction = "action";
inline constexpr std::string_view kActor = "actor";
inline constexpr std::string_view kEntity = "entity";
inline constexpr std::string_view kEntityId = "entity_id";
inline constexpr std::string_view kOutcome = "outcome";
inline constexpr std::string_view kSensitive = "sensitive";
// `details` is not in the canonical table but is the target of the `detalhes` alias; an
// object value is flattened as details.<key>.
inline constexpr std::string_view kDetails = "details";

// Metric.
inline constexpr std::string_view kMetric = "metric";
inline constexpr std::string_view kValue = "value";
inline constexpr std::string_view kUnit = "unit";

// Every canonical field name above except kTs, in the order the normalizer stores them.
inline constexpr std::string_view kAllCanonical[] = {
    kKind,       kLevel,     kService,   kEnv,       kHost,          kVersion,
    kTenant,     kMsg,       kRequestId, kTraceId,   kSpanId,        kUserId,
    kSessionId,  kMethod,    kRoute,     kPath,      kStatus,        kDurationMs,
    kIp,         kUa,        kBytesIn,   kBytesOut,  kBrowser,       kBrowserVersion,
    kOs,         kOsVersion, kDevice,    kPerfClass, kErrorType,     kErrorMessage,
    kErrorStack, kErrorCode, kErrorFile, kErrorLine, kErrorFunction, kFingerprint,
    kAction,     kActor,     kEntity,    kEntityId,  kOutcome,       kSensitive,
    kMetric,     kValue,     kUnit,      kDetails,
};

// True for the canonical names above (and "ts"). Case-sensitive: "Level" is not canonical.
bool IsCanonical(std::string_view name);

}  // namespace vigia::fields

namespace vigia {

enum class EventKind : unsigned char { kLog, kRequest, kAudit, kError, kMetric, kProbe, kAlert };
enum class EventLevel : unsigned char { kTrace, kDebug, kInfo, kWarn, kError, kFatal };

// Canonical spellings: "log", "request", ... and "trace", "debug", "info", "warn", ...
std::string_view KindName(EventKind k);
std::string_view LevelName(EventLevel l);

// Case-insensitive. Kinds accept only the seven canonical names. Levels accept the canonical
// names plus the spellings loggers use: WARNING→warn, CRITICAL/FATAL→fatal, ERR→error, and
// the syslog names (notice/informational→info; crit/alert/emerg/emergency/panic→fatal).
std::optional<EventKind> ParseKind(std::string_view s);
std::optional<EventLevel> ParseLevel(std::string_view s);

// perf_class of a request duration (seed 003): <50 ms excellent, <200 good, <1000 slow,
// else very_slow.
std::string_view PerfClassFor(double duration_ms);

}  // namespace vigia
