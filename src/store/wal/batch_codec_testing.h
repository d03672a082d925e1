// Test helpers shared by the store's tests: random EventBatches covering every value type
// (unicode, empty and large strings, extreme numbers, NaN) and a deep equality check.
//
// Thread-safety: free functions over caller-owned objects.
#pragma once

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>

#include "event/event.h"

namespace vigia::testing {

inline std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  static const char* kPieces[] = {"a", "req-", "ção", "日本", "🙂", " ", "\"", "\\n", "/", "0"};
  std::string s;
  size_t n = max_len ? rng() % (max_len + 1) : 0;
  while (s.size() < n) s += kPieces[rng() % (sizeof kPieces / sizeof kPieces[0])];
  return s;
}

// A batch of `n` events with a realistic canonical core plus random dynamic fields.
inline std::shared_ptr<EventBatch> MakeRandomBatch(std::mt19937_64& rng, size_t n,
                                                   int64_t base_ts = 1763790000000000000) {
  auto b = std::make_shared<EventBatch>();
  static const char* kDyn[] = {"meta.saleId", "meta.store", "extra.k", "detalhes", "x.y.z"};
  for (size_t i = 0; i < n; ++i) {
    int64_t ts = (rng() % 50 == 0) ? static_cast<int64_t>(rng())
                                   : base_ts + static_cast<int64_t>(i * 1000 + rng() % 999);
    b->BeginEvent(ts);
    b->AddField("kind", Value::String("request"));
    b->AddField("level", Value::String(rng() % 10 ? "info" : "error"));
    b->AddField("service", Value::String(b->arena().Copy("sales-api")));
    b->AddField("msg", Value::String(b->arena().Copy(RandomString(rng, 80))));
    b->AddField("status", Value::Int(static_cast<int64_t>(rng() % 600)));
    b->AddField("duration_ms", Value::Float(static_cast<double>(rng() % 100000) / 7.0));
    size_t extra = rng() % 4;
    for (size_t k = 0; k < extra; ++k) {
      std::string_view name = b->arena().Copy(kDyn[(k + i) % 5]);
      switch (rng() % 7) {
        case 0:
          b->AddField(name, Value::Null());
          break;
        case 1:
          b->AddField(name, Value::Bool(rng() % 2));
          break;
        case 2:
          b->AddField(name, Value::Int(std::numeric_limits<int64_t>::min()));
          break;
        case 3:
          b->AddField(name, Value::Int(static_cast<int64_t>(rng())));
          break;
        case 4:
          b->AddField(name, Value::Float(std::nan("")));
          break;
        case 5:
          b->AddField(name, Value::String({}));
          break;
        default:
          b->AddField(name,
                      Value::String(b->arena().Copy(RandomString(rng, rng() % 20 ? 30 : 5000))));
      }
    }
  }
  return b;
}

// Same events, same fields in the same order, equal values (NaN equals NaN).
inline bool BatchesEqual(const EventBatch& a, const EventBatch& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& ea = a.events()[i];
    const auto& eb = b.events()[i];
    if (ea.ts_ns != eb.ts_ns || ea.num_fields != eb.num_fields) return false;
    auto fa = a.fields(ea);
    auto fb = b.fields(eb);
    for (size_t k = 0; k < fa.size(); ++k) {
      if (fa[k].name != fb[k].name || !(fa[k].value == fb[k].value)) return false;
    }
  }
  return true;
}

}  // namespace vigia::testing
