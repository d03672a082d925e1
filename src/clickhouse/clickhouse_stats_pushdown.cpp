#include "clickhouse/clickhouse_stats_pushdown.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/clickhouse_sql.h"
#include "query/stats_aggregator.h"

namespace vigia::clickhouse {
namespace {

// How a result column is computed and decoded.
enum class KeyKind { kString, kInt, kBucket };
enum class AggKind {
  kCount,        // one UInt64 column
  kIntStats,     // count, sum, min, max of an integer column
  kFloatMinMax,  // count, the value's 8 bytes (hex), negative zeros, positive zeros
};

struct KeyPlan {
  KeyKind kind = KeyKind::kString;
  std::string name;  // output column (the `by` field as written)
  std::string col;   // quoted column
  int64_t bucket_ns = 0;
};

struct AggPlan {
  AggKind kind = AggKind::kCount;
  AggFunc func = AggFunc::kCount;
  std::string name;
  std::string sql;  // the select expressions, comma-separated
};

struct Layout {
  std::string reason;  // non-empty: not pushable
  const Pipe* pipe = nullptr;
  std::vector<KeyPlan> keys;
  std::vector<AggPlan> aggs;
  std::set<std::string> fields;
  size_t top_limit = 0;  // `top N`
};

std::string FieldName(const std::string& f) { return f == "_msg" ? "msg" : f; }

// The event time as an aggregate's column: an integer column that is never null.
const CanonicalColumn kTimeColumn{"ts", ColumnType::kInt, false};

Layout MakeLayout(const Query& q, int64_t now_ns, std::string* exact_where) {
  Layout L;
  if (q.pipes.empty() ||
      (q.pipes[0].kind != PipeKind::kStats && q.pipes[0].kind != PipeKind::kTop)) {
    L.reason = "the first pipe is not stats/top";
    return L;
  }
  const Pipe& p = q.pipes[0];
  L.pipe = &p;
  std::string why;
  auto where = FilterToExactSql(*q.filter, now_ns, &L.fields, &why);
  if (!where) {
    L.reason = "the filter has no exact SQL form: " + why;
    return L;
  }
  *exact_where = *where;
  for (const GroupKey& k : p.by) {
    KeyPlan kp;
    kp.name = k.field;
    if (k.bucket_ns > 0) {
      kp.kind = KeyKind::kBucket;
      kp.bucket_ns = k.bucket_ns;
      L.keys.push_back(kp);
      continue;
    }
    const std::string f = FieldName(k.field);
    const CanonicalColumn* c = FindCanonicalColumn(f);
    if (c == nullptr || IsTimeField(f)) {
      L.reason = "by " + k.field + ": no typed column";
      return L;
    }
    if (c->type != ColumnType::kString && c->type != ColumnType::kInt) {
      L.reason = "by " + k.field + ": only string and integer columns are grouped in SQL";
      return L;
    }
    kp.kind = c->type == ColumnType::kString ? KeyKind::kString : KeyKind::kInt;
    kp.col = SchemaOptions::Quoted(c->field);
    L.fields.insert(f);
    L.keys.push_back(kp);
  }
  if (p.kind == PipeKind::kTop) {
    AggPlan a;
    a.name = "hits";
    a.sql = "countIf(" + *where + ")";
    L.aggs.push_back(a);
    L.top_limit = p.limit;
    return L;
  }
  for (const Aggregate& g : p.aggregates) {
    AggPlan a;
    a.func = g.func;
    a.name = g.name;
    std::string cond = *where;
    if (g.cond) {
      auto c = FilterToExactSql(*g.cond, now_ns, &L.fields, &why);
      if (!c) {
        L.reason = g.name + ": the condition has no exact SQL form: " + why;
        return L;
      }
      cond = "(" + cond + " AND " + *c + ")";
    }
    const CanonicalColumn* c = nullptr;
    std::string col;
    if (!g.field.empty()) {
      const std::string f = FieldName(g.field);
      if (IsTimeField(f)) {
        // `_time`/`ts` is the event time: the non-null Int64 `ts`, never held in `x`
        // (min(_time) and max(_time) are the error groups' first and last seen).
        c = &kTimeColumn;
        col = "ts";
      } else {
        c = FindCanonicalColumn(f);
        if (c == nullptr) {
          L.reason = g.name + ": " + g.field + " has no typed column";
          return L;
        }
        col = SchemaOptions::Quoted(c->field);
        L.fields.insert(f);
      }
    }
    const std::string present = "(" + cond + " AND isNotNull(" + col + "))";
    switch (g.func) {
      case AggFunc::kCount:
        a.sql = g.field.empty() ? "countIf(" + cond + ")" : "countIf" + present;
        break;
      case AggFunc::kCountDistinct:
        if (c == nullptr) {
          L.reason = g.name + ": no field";
          return L;
        }
        if (c->type == ColumnType::kString) {
          a.sql = "uniqExactIf(ifNull(" + col + ", ''), " + present + ")";
        } else if (c->type == ColumnType::kInt) {
          a.sql = "uniqExactIf(ifNull(" + col + ", 0), " + present + ")";
        } else {
          L.reason = g.name + ": distinct values of a float/boolean column";
          return L;
        }
        break;
      case AggFunc::kSum:
      case AggFunc::kAvg:
      case AggFunc::kMin:
      case AggFunc::kMax:
        if (c == nullptr) {
          L.reason = g.name + ": no field";
          return L;
        }
        if (c->type == ColumnType::kInt) {
          a.kind = AggKind::kIntStats;
          const std::string v = "ifNull(" + col + ", 0), " + present;
          a.sql = "countIf" + present + ", sumIf(" + v + "), minIf(" + v + "), maxIf(" + v + ")";
        } else if (c->type == ColumnType::kFloat &&
                   (g.func == AggFunc::kMin || g.func == AggFunc::kMax)) {
          a.kind = AggKind::kFloatMinMax;
          const std::string v = "ifNull(" + col + ", 0)";
          const std::string num = cond + " AND isNotNull(" + col + ") AND NOT isNaN(" + v + ")";
          a.sql = "countIf(" + num + "), hex(reinterpretAsString(" +
                  std::string(g.func == AggFunc::kMin ? "minIf(" : "maxIf(") + v + ", " + num +
                  "))), countIf(" + num + " AND " + v + " = 0 AND 1 / " + v + " < 0), countIf(" +
                  num + " AND " + v + " = 0 AND 1 / " + v + " > 0)";
        } else {
          L.reason = g.name +
                     ": sum/avg of floats (vigia sums row by row in long double) and "
                     "aggregates of boolean columns stay in vigia";
          return L;
        }
        break;
      case AggFunc::kQuantile:
        L.reason = g.name + ": percentiles stay in vigia";
        return L;
      case AggFunc::kRate:
        L.reason = g.name + ": rate() stays in vigia";
        return L;
    }
    L.aggs.push_back(a);
  }
  return L;
}

// One TabSeparated answer, split into cells (every cell is an integer or hex: no escapes).
struct Cells {
  std::string_view text;
  size_t pos = 0;
  bool line_end = true;

  bool AtEnd() const { return pos >= text.size(); }
  std::optional<std::string_view> Next() {
    if (pos > text.size()) return std::nullopt;
    size_t end = text.find_first_of("\t\n", pos);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view cell = text.substr(pos, end - pos);
    line_end = text[end] == '\n';
    pos = end + 1;
    return cell;
  }
};

template <typename T>
std::optional<T> ParseNum(std::optional<std::string_view> s) {
  if (!s) return std::nullopt;
  T v{};
  auto r = std::from_chars(s->data(), s->data() + s->size(), v);
  if (r.ec != std::errc() || r.ptr != s->data() + s->size()) return std::nullopt;
  return v;
}

std::optional<std::string> Unhex(std::string_view h) {
  if (h.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(h.size() / 2);
  for (size_t i = 0; i < h.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(h.data() + i, h.data() + i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != h.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<char>(v));
  }
  return out;
}

Status Bad(const std::string& what) {
  return Status::Corruption("ClickHouse stats answer: " + what);
}

// The largest count × |value| for which a sum (and vigia's long double sum for avg) of
// integers is exact: int64 for the sum; avg divides the long double sum, exact below 2^64
// where long double has a 64-bit mantissa (x86), else below 2^53.
unsigned __int128 SafeSumBound() {
  if (std::numeric_limits<long double>::digits >= 64) {
    return static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max());
  }
  return static_cast<unsigned __int128>(1) << 53;
}

}  // namespace

StatsPushdownPlan PlanStatsPushdown(const Query& q, int64_t now_ns, const std::string& where,
                                    const std::string& table) {
  StatsPushdownPlan plan;
  std::string exact;
  Layout L = MakeLayout(q, now_ns, &exact);
  if (!L.reason.empty()) {
    plan.reason = L.reason;
    return plan;
  }
  std::string select, group;
  for (size_t i = 0; i < L.keys.size(); ++i) {
    const KeyPlan& k = L.keys[i];
    std::string n = "n" + std::to_string(i), v = "k" + std::to_string(i);
    switch (k.kind) {
      case KeyKind::kString:
        select += "isNull(" + k.col + ") AS " + n + ", hex(ifNull(" + k.col + ", '')) AS " + v;
        break;
      case KeyKind::kInt:
        select += "isNull(" + k.col + ") AS " + n + ", ifNull(" + k.col + ", 0) AS " + v;
        break;
      case KeyKind::kBucket: {
        const std::string b = "toInt64(" + std::to_string(k.bucket_ns) + ")";
        select += "0 AS " + n + ", ts - (((ts % " + b + ") + " + b + ") % " + b + ") AS " + v;
        break;
      }
    }
    select += ", ";
    group += (i ? ", " : "") + n + ", " + v;
  }
  std::string mixed = "0";
  if (!L.fields.empty()) {
    mixed.clear();
    for (const std::string& f : L.fields) {
      mixed += (mixed.empty() ? "" : " OR ") + std::string("has(x.key, ") + SqlString(f) + ")";
      plan.checked_fields.push_back(f);
    }
  }
  select += "count(), countIf(" + exact + "), countIf(" + mixed + ")";
  for (const AggPlan& a : L.aggs) select += ", " + a.sql;
  plan.sql = "SELECT " + select + " FROM " + table + " WHERE " + where;
  if (!group.empty()) {
    // Groups no row of the filter reaches are left out, unless they hold a mixed-type row
    // (which refuses the answer).
    plan.sql +=
        " GROUP BY " + group + " HAVING countIf(" + exact + ") > 0 OR countIf(" + mixed + ") > 0";
  }
  plan.sql += " FORMAT TabSeparated";
  plan.pushed = true;
  return plan;
}

Result<StatsPushdownAnswer> DecodeStatsPushdown(const Query& q, std::string_view tsv,
                                                uint64_t max_groups) {
  std::string exact;
  Layout L = MakeLayout(q, 0, &exact);
  if (!L.reason.empty()) return Status::InvalidArgument("not pushable: " + L.reason);
  StatsPushdownAnswer ans;
  auto refuse = [&](std::string why) {
    ans.refused = true;
    ans.reason = std::move(why);
    ans.rows.clear();
    return ans;
  };
  struct Row {
    std::vector<OwnedValue> key;
    QueryRecord rec;
  };
  std::vector<Row> rows;
  Cells cells{tsv};
  uint64_t groups = 0;
  while (!cells.AtEnd()) {
    Row row;
    for (const KeyPlan& k : L.keys) {
      auto isnull = ParseNum<int>(cells.Next());
      auto v = cells.Next();
      if (!isnull || !v) return Bad("a key");
      if (*isnull) {
        row.key.push_back(OwnedValue{});
        continue;
      }
      switch (k.kind) {
        case KeyKind::kString: {
          auto s = Unhex(*v);
          if (!s) return Bad("a string key");
          row.key.push_back(OwnedValue::String(std::move(*s)));
          break;
        }
        case KeyKind::kInt:
        case KeyKind::kBucket: {
          auto i = ParseNum<int64_t>(v);
          if (!i) return Bad("an integer key");
          row.key.push_back(OwnedValue::Int(*i));
          break;
        }
      }
    }
    auto scanned = ParseNum<uint64_t>(cells.Next());
    auto matched = ParseNum<uint64_t>(cells.Next());
    auto mixed = ParseNum<uint64_t>(cells.Next());
    if (!scanned || !matched || !mixed) return Bad("the row counts");
    ans.rows_scanned += *scanned;
    ans.rows_matched += *matched;
    if (*mixed > 0) {
      std::string names;
      for (const std::string& f : L.fields) names += (names.empty() ? "" : ", ") + f;
      return refuse(std::to_string(*mixed) + " candidate rows hold one of " + names +
                    " with another type (x)");
    }
    for (size_t i = 0; i < L.keys.size(); ++i) {
      row.rec.cols.emplace_back(L.keys[i].name, row.key[i]);
    }
    for (const AggPlan& a : L.aggs) {
      OwnedValue v;
      switch (a.kind) {
        case AggKind::kCount: {
          auto n = ParseNum<uint64_t>(cells.Next());
          if (!n) return Bad(a.name);
          v = OwnedValue::Int(static_cast<int64_t>(*n));
          break;
        }
        case AggKind::kIntStats: {
          auto n = ParseNum<uint64_t>(cells.Next());
          auto sum = ParseNum<int64_t>(cells.Next());
          auto mn = ParseNum<int64_t>(cells.Next());
          auto mx = ParseNum<int64_t>(cells.Next());
          if (!n || !sum || !mn || !mx) return Bad(a.name);
          if (*n == 0) break;
          if (a.func == AggFunc::kSum || a.func == AggFunc::kAvg) {
            auto mag = [](int64_t x) {
              return x < 0 ? static_cast<unsigned __int128>(-(x + 1)) + 1
                           : static_cast<unsigned __int128>(x);
            };
            unsigned __int128 bound = std::max(mag(*mn), mag(*mx)) * *n;
            if (bound > SafeSumBound()) {
              return refuse(a.name + ": the integer sum might overflow (vigia then sums floats)");
            }
          }
          switch (a.func) {
            case AggFunc::kSum:
              v = OwnedValue::Int(*sum);
              break;
            case AggFunc::kAvg:
              v = OwnedValue::Float(static_cast<double>(static_cast<long double>(*sum) /
                                                        static_cast<long double>(*n)));
              break;
            case AggFunc::kMin:
              v = OwnedValue::Int(*mn);
              break;
            case AggFunc::kMax:
              v = OwnedValue::Int(*mx);
              break;
            case AggFunc::kCount:
            case AggFunc::kCountDistinct:
            case AggFunc::kQuantile:
            case AggFunc::kRate:
              return Bad(a.name);
          }
          break;
        }
        case AggKind::kFloatMinMax: {
          auto n = ParseNum<uint64_t>(cells.Next());
          auto hex = cells.Next();
          auto neg = ParseNum<uint64_t>(cells.Next());
          auto pos = ParseNum<uint64_t>(cells.Next());
          if (!n || !hex || !neg || !pos) return Bad(a.name);
          if (*neg > 0 && *pos > 0) {
            return refuse(a.name + ": zeros of both signs (vigia keeps the first in row order)");
          }
          if (*n == 0) break;
          auto bytes = Unhex(*hex);
          // reinterpretAsString drops trailing zero bytes (little endian: the high ones).
          if (!bytes || bytes->size() > 8) return Bad(a.name);
          bytes->resize(8, '\0');
          static_assert(std::endian::native == std::endian::little);
          double d = 0;
          std::memcpy(&d, bytes->data(), 8);
          v = OwnedValue::Float(d);
          break;
        }
      }
      row.rec.cols.emplace_back(a.name, std::move(v));
    }
    if (!cells.line_end) return Bad("extra columns");
    // The superset may reach groups with no row of the filter (HAVING keeps them only for
    // the mixed-type check); a stats without `by` always has its one row.
    if (!L.keys.empty() && *matched == 0) continue;
    if (++groups > max_groups && max_groups > 0) {
      return Status::ResourceExhausted("query produces more than " + std::to_string(max_groups) +
                                       " groups; narrow the filter or the `by` keys");
    }
    rows.push_back(std::move(row));
  }
  // A GROUP BY-less aggregate always answers one row (the stats' single row).
  if (L.keys.empty() && rows.size() != 1) return Bad("not one row for a stats without by");
  // Keys of one column have one type (or are null): CompareValues orders them totally.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    for (size_t i = 0; i < a.key.size(); ++i) {
      int c = CompareValues(a.key[i].view(), b.key[i].view());
      if (c != 0) return c < 0;
    }
    return false;
  });
  for (Row& r : rows) ans.rows.push_back(std::move(r.rec));
  if (L.pipe->kind == PipeKind::kTop) {
    std::stable_sort(ans.rows.begin(), ans.rows.end(),
                     [](const QueryRecord& a, const QueryRecord& b) {
                       return a.cols.back().second.i > b.cols.back().second.i;
                     });
    if (ans.rows.size() > L.top_limit) ans.rows.resize(L.top_limit);
  }
  return ans;
}

}  // namespace vigia::clickhouse
