// Test helpers for the part layer: random events of every field type (for round trips) and
// a canonical, order-independent rendering of a batch to compare two batches row for row.
//
// Thread-safety: functions are thread-safe; the generator state (rng) is the caller's.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "event/event.h"

namespace vigia::testing {

inline std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  static const char* kPieces[] = {"a",    "b",    "Z",    "0",     "9",     " ", "-",
                                  "_",    "/",    "\"",   "\\",    "\n",    "é", "ção",
                                  "日本", "🙂", "\x01", "login", "failed"};
  std::uniform_int_distribution<size_t> len(0, max_len);
  size_t n = len(rng);
  std::string s;
  while (s.size() < n) s += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
  return s;
}

inline std::string RandomUuid(std::mt19937_64& rng) {
  char buf[40];
  uint64_t a = rng(), b = rng();
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a >> 16 & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

// Appends `n` random events: canonical and dynamic fields of every type, unicode, empty and
// (rarely) huge values, fields that change type between events.
inline void AddRandomEvents(EventBatch* batch, std::mt19937_64& rng, size_t n,
                            int64_t base_ts = 1'763'700'000'000'000'000) {
  static const char* kServices[] = {"sales-api", "auth", "reports", ""};
  static const char* kKinds[] = {"log", "request", "audit", "error"};
  static const char* kLevels[] = {"info", "warn", "error", "debug"};
  Arena& a = batch->arena();
  for (size_t i = 0; i < n; ++i) {
    batch->BeginEvent(base_ts + static_cast<int64_t>(rng() % 86'400'000'000'000ull));
    batch->AddField("kind", Value::String(kKinds[rng() % 4]));
    batch->AddField("level", Value::String(kLevels[rng() % 4]));
    if (rng() % 8) batch->AddField("service", Value::String(kServices[rng() % 4]));
    if (rng() % 2) batch->AddField("request_id", Value::String(a.Copy(RandomUuid(rng))));
    if (rng() % 2) batch->AddField("msg", Value::String(a.Copy(RandomString(rng, 60))));
    if (rng() % 3 == 0)
      batch->AddField("status", Value::Int(200 + static_cast<int>(rng() % 4) * 100));
    if (rng() % 3 == 0) batch->AddField("duration_ms", Value::Float((rng() % 100000) / 100.0));
    if (rng() % 5 == 0) batch->AddField("sensitive", Value::Bool(rng() % 2));
    if (rng() % 7 == 0) batch->AddField("meta.nothing", Value::Null());
    // A dynamic field whose type varies.
    switch (rng() % 6) {
      case 0:
        batch->AddField("meta.x", Value::Int(static_cast<int64_t>(rng())));
        break;
      case 1:
        batch->AddField("meta.x", Value::String(a.Copy(RandomString(rng, 20))));
        break;
      case 2:
        batch->AddField("meta.x", Value::Float(static_cast<double>(rng()) / 3.0));
        break;
      case 3:
        batch->AddField("meta.x", Value::Bool(true));
        break;
      default:
        break;
    }
    if (rng() % 11 == 0) batch->AddField("meta.empty", Value::String(""));
    if (rng() % 500 == 0) {
      std::string huge(100000 + rng() % 1000, 'x');
      for (auto& c : huge) c = static_cast<char>('a' + rng() % 26);
      batch->AddField("error.stack", Value::String(a.Copy(huge)));
    }
    if (rng() % 13 == 0) {
      std::string name = "dyn." + std::to_string(rng() % 50);
      batch->AddField(a.Copy(name), Value::Int(static_cast<int64_t>(rng() % 1000) - 500));
    }
  }
}

// One row rendered with its fields sorted by name: equal strings = equal events.
inline std::string CanonicalRow(const EventBatch& b, const EventBatch::EventRef& e) {
  std::vector<std::string> fields;
  for (const Field& f : b.fields(e)) {
    std::string s(f.name);
    s += '\x1f';
    s += std::to_string(static_cast<int>(f.value.type));
    s += ':';
    switch (f.value.type) {
      case ValueType::kNull:
        break;
      case ValueType::kBool:
        s += f.value.b ? "1" : "0";
        break;
      case ValueType::kInt:
        s += std::to_string(f.value.i);
        break;
      case ValueType::kFloat: {
        uint64_t bits;
        std::memcpy(&bits, &f.value.f, 8);
        s += std::to_string(bits);
        break;
      }
      case ValueType::kString:
        s += f.value.s;
        break;
    }
    fields.push_back(std::move(s));
  }
  std::sort(fields.begin(), fields.end());
  std::string out = std::to_string(e.ts_ns);
  for (auto& f : fields) {
    out += '\x1e';
    out += f;
  }
  return out;
}

// Every row of the batches, canonical and sorted: compare two of these for multiset equality.
inline std::vector<std::string> CanonicalRows(const std::vector<const EventBatch*>& batches) {
  std::vector<std::string> rows;
  for (const EventBatch* b : batches) {
    for (const auto& e : b->events()) rows.push_back(CanonicalRow(*b, e));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace vigia::testing
