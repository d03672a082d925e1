// Record: one generated event before it is spelled out as an NDJSON line. The generator
// fills it, a RecordWriter serializes it in the chosen spelling (canonical or a seed's).
// String members are reused between events so that steady-state generation allocates
// nothing.
//
// Thread-safety: externally synchronized (a plain value type).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gen/catalog.h"

namespace vigia::bench {

enum class RecordKind : uint8_t { kLog, kRequest, kAudit, kError };
enum class RecordLevel : uint8_t { kDebug, kInfo, kWarn, kError };

std::string_view KindName(RecordKind k);
std::string_view LevelName(RecordLevel l);

// One `meta.<key>` field. Values are either strings or integers (`is_int`).
struct MetaField {
  std::string_view key;  // static storage
  std::string value;
  bool is_int = false;
};

struct Record {
  static constexpr size_t kMaxMeta = 3;

  int64_t ts_ms = 0;
  RecordKind kind = RecordKind::kLog;
  RecordLevel level = RecordLevel::kInfo;
  std::string_view service;
  std::string_view host;
  std::string_view logger;  // emitting logger/module name (seed 000 keeps one per line)
  std::string request_id;   // empty for events outside a request
  std::string user_id;      // empty when anonymous
  std::string store_id;     // pharmacy store (sales-api only), empty otherwise
  std::string msg;

  // kind=request
  std::string_view method;
  std::string_view route;
  int route_index = -1;  // index into Routes(), -1 when not a request
  std::string path;
  int status = 0;
  int64_t duration_cents = 0;  // duration_ms × 100, printed with two decimals
  std::string ip;
  std::string_view ua;
  int64_t bytes_out = 0;

  // kind=audit
  std::string_view action;
  std::string actor;
  std::string_view entity;
  std::string entity_id;
  bool success = true;
  bool sensitive = false;

  // kind=error
  const ErrorSignature* error = nullptr;

  std::array<MetaField, kMaxMeta> meta;
  size_t num_meta = 0;

  // Clears per-event fields (keeps string capacity).
  void Reset();
  MetaField& AddMeta(std::string_view key, bool is_int);
};

}  // namespace vigia::bench
