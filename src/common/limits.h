// Every limit vigia enforces, with the reason for its default. Limits that users may change
// are also keys of vigia.toml (see vigia.example.toml); the defaults live here only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigia::limits {

// --- ingest (POST /v1/events) ---------------------------------------------------------
// Largest request body after decompression. Bounds the memory one request can pin;
// 64 MiB holds ~180k events of 350 bytes, far above a sane batch.
inline constexpr size_t kMaxBodyBytes = 64u << 20;
// Largest compressed body accepted on the wire (a zip bomb is caught by kMaxBodyBytes).
inline constexpr size_t kMaxWireBodyBytes = 64u << 20;
// Largest single NDJSON line. Loki and VictoriaLogs use similar caps; a real log event
// larger than this is almost always a bug (a dumped blob) and would bloat a block.
inline constexpr size_t kMaxLineBytes = 1u << 20;
// Most fields in one event after flattening. Protects column count per part.
inline constexpr size_t kMaxFieldsPerEvent = 1000;
// Deepest JSON nesting in one event. Deeper objects are rejected rather than flattened
// into absurd dotted names.
inline constexpr size_t kMaxNestingDepth = 32;
// Longest field name after flattening.
inline constexpr size_t kMaxFieldNameBytes = 256;
// Most per-line errors returned in one ingest response; the counts stay exact.
inline constexpr size_t kMaxReportedErrors = 100;

// --- HTTP server ----------------------------------------------------------------------
// Largest request header block (Beast's default is 8 KiB; proxies add headers).
inline constexpr size_t kMaxHeaderBytes = 16u << 10;
// A client that sends nothing for this long is disconnected (slowloris protection).
inline constexpr int kIdleTimeoutSec = 60;
// Time allowed to receive one whole request once it started.
inline constexpr int kRequestReadTimeoutSec = 30;
// Most concurrent connections; beyond it new ones are refused (fd exhaustion guard).
inline constexpr size_t kMaxConnections = 10000;
// Time allowed for in-flight requests to finish at shutdown.
inline constexpr int kShutdownGraceSec = 10;
// Longest X-Request-ID accepted from a client; longer or odd ones are replaced.
inline constexpr size_t kMaxRequestIdBytes = 128;

// --- WAL ------------------------------------------------------------------------------
// WAL segment size before rolling to a new file: small enough that deleting covered
// segments frees space promptly, large enough that file churn is negligible.
inline constexpr uint64_t kWalSegmentBytes = 64u << 20;
// Group-commit interval of fsync policy `interval` (the default).
inline constexpr int kWalSyncIntervalMs = 20;
// Largest single WAL record (one ingest batch, encoded). Above any valid batch.
inline constexpr uint32_t kMaxWalRecordBytes = 256u << 20;

}  // namespace vigia::limits

namespace vigia::limits {

// --- queries (VQL) --------------------------------------------------------------------
// Most result groups one `stats` may build. A million groups of a few columns is ~100 MB;
// beyond that the query is almost certainly a mistake (grouping by request_id).
inline constexpr uint64_t kMaxQueryGroups = 1'000'000;
// Approximate memory one query may hold (kept rows, groups, quantile values). Leaves room
// for the ingest path and a few concurrent queries on a small server.
inline constexpr uint64_t kMaxQueryMemoryBytes = 1ull << 30;
// Default wall-clock time a query may run before failing with DeadlineExceeded (HTTP 408).
inline constexpr int kQueryTimeoutMs = 30'000;
// Rows a plain filter returns when the query has no `limit` (HTTP and CLI default).
inline constexpr uint64_t kDefaultQueryRowLimit = 1000;

}  // namespace vigia::limits
