#include "oracle/oracle_queries.h"

#include <charconv>
#include <vector>

#include "query/filter_matcher.h"
#include "query/result_format.h"

namespace vigia::oracle {
namespace {

bool IsKeyword(std::string_view s) {
  auto lower = [](std::string_view x) {
    std::string o(x);
    for (char& c : o) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return o;
  };
  std::string l = lower(s);
  return l == "and" || l == "or" || l == "not" || l == "in";
}

// Sums of these fields are exact in double (integers, or multiples of 0.25), so sum() and
// the order of its results do not depend on summation order.
bool ExactSum(const FieldInfo& f) {
  return f.name != "duration_ms" && f.name != "score" && f.name != "big";
}

std::string UtfPrefix(const std::string& s, size_t max_bytes) {
  size_t n = std::min(max_bytes, s.size());
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string RegexEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string NumberText(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

}  // namespace

bool IsBareWord(std::string_view s) {
  if (s.empty() || IsKeyword(s) || s[0] == '-' || s[0] == '#') return false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '.' || c == '/' || c == '{' || c == '}' || c == '@' || c == '-' ||
              c >= 0x80;
    if (!ok) return false;
  }
  return true;
}

std::string QuoteVql(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    } else if (c == '*') {
      out += "\\";
    }
    out.push_back(c);
  }
  return out + "\"";
}

const FieldInfo& QueryGenerator::AnyField() {
  // Mostly the canonical fields (the dynamic meta.* fields are many but sparse).
  if (rng_.Chance(70)) {
    for (int i = 0; i < 10; ++i) {
      const FieldInfo& f = rng_.Pick(data_.fields);
      if (f.name.rfind("meta.", 0) != 0) return f;
    }
  }
  return rng_.Pick(data_.fields);
}

const FieldInfo& QueryGenerator::FieldWhere(bool (*pred)(const FieldInfo&)) {
  for (int i = 0; i < 1000; ++i) {
    const FieldInfo& f = AnyField();
    if (pred(f)) return f;
  }
  return data_.fields[0];
}

bool QueryGenerator::SampleValue(const std::string& field, Value* out, std::string* storage) {
  for (int attempt = 0; attempt < 30; ++attempt) {
    const EventBatch& b = *rng_.Pick(data_.batches);
    const EventBatch::EventRef& e = b.events()[rng_.Below(b.size())];
    const Value* v = b.Find(e, field);
    if (!v) continue;
    *out = *v;
    if (v->type == ValueType::kString) {
      *storage = std::string(v->s);
      out->s = *storage;
    }
    return true;
  }
  return false;
}

std::string QueryGenerator::ValueToken(const Value& v, bool in_list) {
  std::string s;
  switch (v.type) {
    case ValueType::kString:
      return IsBareWord(v.s) && !rng_.Chance(10) ? std::string(v.s) : QuoteVql(v.s);
    case ValueType::kInt:
      s = std::to_string(v.i);
      break;
    case ValueType::kFloat:
      s = NumberText(v.f);
      break;
    case ValueType::kBool:
      return v.b ? "true" : "false";
    case ValueType::kNull:
      return "x";
  }
  // A '-' after '(' or ',' would be negation: quote negative numbers in lists.
  return in_list && s[0] == '-' ? QuoteVql(s) : s;
}

std::string QueryGenerator::SampleToken(const std::string& field, bool in_list) {
  Value v;
  std::string storage;
  if (!SampleValue(field, &v, &storage)) return rng_.Pick(OracleWords()) == "and" ? "y" : "zz";
  return ValueToken(v, in_list);
}

std::string QueryGenerator::TimeLeaf() {
  int64_t span = data_.now_ns - data_.first_ns;
  switch (rng_.Below(4)) {
    case 0: {
      static const std::vector<std::string> kWindows = {"1h", "90m",   "6h", "1d", "36h",
                                                        "2d", "1h30m", "3d", "1w"};
      return "_time:" + rng_.Pick(kWindows);
    }
    case 1: {
      // Epoch seconds.
      int64_t a = (data_.first_ns + static_cast<int64_t>(rng_.Below(span))) / 1'000'000'000;
      int64_t b = a + rng_.Range(60, 2 * 86400);
      return "_time:[" + std::to_string(a) + ", " + std::to_string(b) + ")";
    }
    default: {
      int64_t a = data_.first_ns + static_cast<int64_t>(rng_.Below(span));
      int64_t b = a + rng_.Range(1, span / 2);
      if (rng_.Chance(30)) a -= a % 3'600'000'000'000;  // on an hour boundary
      return "_time:[" + FormatTimestamp(a) + ", " + FormatTimestamp(b) +
             (rng_.Chance(50) ? ")" : "]");
    }
  }
}

std::string QueryGenerator::Leaf() {
  switch (rng_.Below(16)) {
    case 0:
    case 1:
    case 2: {  // field:value
      const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.filterable; });
      return f.name + ":" + SampleToken(f.name);
    }
    case 3: {  // a word in a text field, or bare
      static const std::vector<std::string> kText = {"msg", "error.message", "error.type", "_msg"};
      std::string w = rng_.Pick(OracleWords());
      std::string tok = IsBareWord(w) ? w : QuoteVql(w);
      return rng_.Chance(50) ? tok : rng_.Pick(kText) + ":" + tok;
    }
    case 4: {  // a phrase taken from a message
      Value v;
      std::string s;
      if (!SampleValue("msg", &v, &s) || s.empty()) return QuoteVql("sale created");
      size_t start = s.find(' ', rng_.Below(s.size()));
      start = start == std::string::npos ? 0 : start + 1;
      size_t end = s.find(' ', s.find(' ', start) + 1);
      std::string phrase =
          s.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (phrase.empty()) phrase = s;
      return rng_.Chance(70) ? QuoteVql(phrase) : "msg:" + QuoteVql(phrase);
    }
    case 5: {  // prefix
      if (rng_.Chance(40)) {
        std::string w = UtfPrefix(rng_.Pick(OracleWords()), 1 + rng_.Below(3));
        if (!IsBareWord(w)) return QuoteVql(w) + "*";
        return (rng_.Chance(50) ? "" : "msg:") + w + "*";
      }
      const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.filterable; });
      Value v;
      std::string s;
      if (!SampleValue(f.name, &v, &s)) return f.name + ":a*";
      std::string full = v.type == ValueType::kString ? s : ValueToString(v);
      std::string p = UtfPrefix(full, rng_.Below(full.size() + 1));
      return f.name + ":" + (IsBareWord(p) ? p + "*" : QuoteVql(p) + "*");
    }
    case 6: {  // exact
      const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.filterable; });
      return f.name + ":=" + SampleToken(f.name);
    }
    case 7:
    case 8: {  // comparison
      static const std::vector<std::string> kOps = {">", ">=", "<", "<=", "!="};
      const std::string& op = rng_.Pick(kOps);
      const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.filterable; });
      std::string v = SampleToken(f.name);
      if (rng_.Chance(20)) return f.name + " " + op + " " + v;
      return f.name + ":" + op + v;
    }
    case 9: {  // in()
      const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.filterable; });
      std::string s = f.name + ":in(";
      int n = static_cast<int>(rng_.Range(1, 4));
      for (int i = 0; i < n; ++i) s += (i ? ", " : "") + SampleToken(f.name, true);
      return s + ")";
    }
    case 10: {  // regex
      const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.filterable; });
      Value v;
      std::string s;
      if (!SampleValue(f.name, &v, &s)) return f.name + ":~\"a\"";
      std::string text = v.type == ValueType::kString ? s : ValueToString(v);
      std::string re;
      switch (rng_.Below(3)) {
        case 0:
          re = "^" + RegexEscape(UtfPrefix(text, 1 + rng_.Below(4)));
          break;
        case 1:
          re = RegexEscape(UtfPrefix(text, 3)) + ".+$";
          break;
        default:
          re = "(?i)" + RegexEscape(UtfPrefix(text, 2)) + "|x[0-9]?";
      }
      return f.name + ":~" + QuoteVql(re);
    }
    case 11:
      return AnyField().name + ":*";
    case 12:
      return TimeLeaf();
    case 13: {  // field:(a or b)
      const FieldInfo& f = FieldWhere(
          [](const FieldInfo& x) { return x.filterable && x.role != FieldRole::kNumber; });
      return f.name + ":(" + SampleToken(f.name) + " or " + SampleToken(f.name) + ")";
    }
    case 14:
      return rng_.Chance(20) ? "*" : "kind:" + SampleToken("kind");
    default: {
      static const std::vector<std::string> kKeys = {"level",  "service", "kind",   "route",
                                                     "status", "code",    "user_id"};
      const std::string& k = rng_.Pick(kKeys);
      return k + ":" + SampleToken(k);
    }
  }
}

std::string QueryGenerator::Filter(int depth) {
  if (depth <= 0 || rng_.Chance(35)) return Leaf();
  switch (rng_.Below(6)) {
    case 0:
    case 1: {  // implicit and / explicit and
      std::string s = Filter(depth - 1);
      int n = static_cast<int>(rng_.Range(1, 3));
      for (int i = 0; i < n; ++i) s += (rng_.Chance(70) ? " " : " and ") + Filter(depth - 1);
      return s;
    }
    case 2: {
      std::string s = Filter(depth - 1) + " or " + Filter(depth - 1);
      return rng_.Chance(60) ? "(" + s + ")" : s;
    }
    case 3: {
      static const std::vector<std::string> kNots = {"not ", "-", "!", "NOT "};
      std::string inner = Filter(depth - 1);
      return rng_.Pick(kNots) + "(" + inner + ")";
    }
    case 4:
      return "-" + Leaf();
    default:
      return "(" + Filter(depth - 1) + ") " + Leaf();
  }
}

std::string QueryGenerator::PlainPipes() {
  auto orderable = [](const FieldInfo& x) { return x.orderable; };
  switch (rng_.Below(6)) {
    case 0:
    case 1:
      return "";
    case 2:
      return " | limit " + std::to_string(rng_.Range(1, 40));
    case 3: {
      const FieldInfo& f = FieldWhere(orderable);
      bool desc = rng_.Chance(50);
      return " | sort by (" + f.name + (desc ? " desc" : "") + ", ts" +
             (rng_.Chance(50) ? " desc" : "") + ") | limit " + std::to_string(rng_.Range(1, 30));
    }
    case 4: {
      std::string s = " | fields ts, " + AnyField().name + ", " + AnyField().name;
      if (rng_.Chance(50)) s += " | head " + std::to_string(rng_.Range(1, 20));
      return s;
    }
    default:
      return " | where " + Leaf() + " | limit " + std::to_string(rng_.Range(1, 100));
  }
}

std::string QueryGenerator::StatsPipes(GeneratedQuery* q) {
  // Group keys.
  std::vector<std::string> keys;
  if (rng_.Chance(25)) {
    static const std::vector<std::string> kBuckets = {"1m", "5m", "15m", "1h", "6h", "1d"};
    keys.push_back("_time:" + rng_.Pick(kBuckets));
  }
  int nkeys = static_cast<int>(rng_.Below(3));
  for (int i = 0; i < nkeys && keys.size() < 2; ++i) {
    const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.orderable; });
    bool dup = false;
    for (const auto& k : keys) dup |= k == f.name;
    if (!dup) keys.push_back(f.name);
  }
  std::string by;
  if (!keys.empty()) {
    by = "by (";
    for (size_t i = 0; i < keys.size(); ++i) by += (i ? ", " : "") + keys[i];
    by += ")";
  }

  // Aggregates. `sortable` are the result columns whose values are exact.
  std::vector<std::string> sortable;
  std::vector<std::string> names;
  std::string aggs;
  int n = static_cast<int>(rng_.Range(1, 4));
  for (int i = 0; i < n; ++i) {
    std::string call;
    bool exact = true, approx = false, fl = false;
    switch (rng_.Below(12)) {
      case 0:
      case 1:
        call = "count()";
        break;
      case 2:
        call = "count(" + AnyField().name + ")";
        break;
      case 3:
        call = (rng_.Chance(80) ? "count_distinct(" : "count_uniq(") + AnyField().name + ")";
        break;
      case 4: {
        const FieldInfo& f = FieldWhere(
            [](const FieldInfo& x) { return x.sum_safe || x.role == FieldRole::kMixed; });
        call = "sum(" + f.name + ")";
        exact = ExactSum(f);
        fl = !exact;
        break;
      }
      case 5:
        call = "avg(" + FieldWhere([](const FieldInfo& x) { return x.sum_safe; }).name + ")";
        exact = false;
        fl = true;
        break;
      case 6:
      case 7:
        // `big` (integers next to INT64_MAX/INT64_MIN): min/max/quantiles stay exact ints.
        call = std::string(rng_.Chance(50) ? "min(" : "max(") +
               FieldWhere([](const FieldInfo& x) {
                 return x.sum_safe || x.role == FieldRole::kMixed || x.name == "big";
               }).name +
               ")";
        break;
      case 8:
      case 9: {
        static const std::vector<std::string> kQ = {"p50", "p90", "p95", "p99", "median"};
        const FieldInfo& f =
            FieldWhere([](const FieldInfo& x) { return x.sum_safe || x.name == "big"; });
        call = rng_.Chance(80)
                   ? rng_.Pick(kQ) + "(" + f.name + ")"
                   : "quantile(0." + std::to_string(rng_.Range(1, 99)) + ", " + f.name + ")";
        exact = false;
        approx = true;
        break;
      }
      case 10:
        call = "rate()";
        exact = false;
        fl = true;
        break;
      default: {
        call = "count()";
        break;
      }
    }
    std::string name;
    if (rng_.Chance(20)) call += " if (" + Filter(1) + ")";
    bool has_cond = call.find(" if (") != std::string::npos;
    bool dup = false;
    for (const auto& x : names) dup |= x == call;
    if (has_cond || dup || rng_.Chance(50)) {
      name = "c" + std::to_string(agg_counter_++);
      call += " as " + name;
    } else {
      name = call;
    }
    names.push_back(name);
    if (approx) q->approx_columns.insert(name);
    if (fl) q->float_columns.insert(name);
    if (exact) sortable.push_back(name);
    aggs += (i ? ", " : "") + call;
  }
  std::string s = " | stats ";
  if (!by.empty() && rng_.Chance(30)) {
    s += by + " " + aggs;
  } else {
    s += aggs + (by.empty() ? "" : " " + by);
  }

  // Later pipes over the stats rows.
  auto key_col = [&](const std::string& k) { return k.rfind("_time:", 0) == 0 ? "_time" : k; };
  // `where` names a column as a field: an `as` name or a call such as count().
  if (!sortable.empty() && rng_.Chance(30)) {
    s += " | where " + rng_.Pick(sortable) + (rng_.Chance(50) ? " > " : ":>=") +
         std::to_string(rng_.Range(0, 20));
  }
  if (!sortable.empty() && rng_.Chance(50)) {
    s += " | sort by (" + rng_.Pick(sortable) + (rng_.Chance(70) ? " desc" : "");
    for (const auto& k : keys) s += ", " + key_col(k) + (rng_.Chance(30) ? " desc" : "");
    s += ")";
    if (rng_.Chance(70)) s += " | limit " + std::to_string(rng_.Range(1, 15));
  } else if (rng_.Chance(20)) {
    s += " | limit " + std::to_string(rng_.Range(1, 15));
  }
  if (names.size() >= 2 && rng_.Chance(25)) {
    std::string m = "m" + std::to_string(agg_counter_++);
    s += " | math round(" + names[0] + " / " + names[1] + " * 100, 2) as " + m;
    q->float_columns.insert(m);
  }
  if (rng_.Chance(15)) {
    s += " | fields " + names.back();
    for (const auto& k : keys) s += ", " + key_col(k);
  }
  return s;
}

std::string QueryGenerator::TopPipe() {
  std::string s = " | top";
  if (rng_.Chance(70)) s += " " + std::to_string(rng_.Range(1, 12));
  const FieldInfo& f = FieldWhere([](const FieldInfo& x) { return x.orderable; });
  s += " by (" + f.name;
  if (rng_.Chance(30)) {
    const FieldInfo& g = FieldWhere([](const FieldInfo& x) { return x.orderable; });
    if (g.name != f.name) s += ", " + g.name;
  }
  s += ")";
  if (rng_.Chance(20)) s += " | where hits > " + std::to_string(rng_.Range(1, 50));
  return s;
}

GeneratedQuery QueryGenerator::NextPushdownStats() {
  GeneratedQuery q;
  // Typed, never-mixed fields mostly; status, user_id and duration_ms are mixed in the
  // oracle events (a string or another numeric type in some of them).
  static const std::vector<std::string> kKeywords = {"kind",  "service", "level", "host",
                                                     "route", "method",  "tenant"};
  auto leaf = [&]() -> std::string {
    switch (rng_.Below(9)) {
      case 0:
      case 1: {
        std::string f = rng_.Pick(kKeywords);
        return f + ":" + SampleToken(f);
      }
      case 2: {
        std::string f = rng_.Pick(kKeywords);
        return "-" + f + ":" + SampleToken(f);
      }
      case 3: {
        std::string f = rng_.Pick(kKeywords);
        return f + ":in(" + SampleToken(f, true) + ", " + SampleToken(f, true) + ")";
      }
      case 4:
        return "bytes_out:" + std::string(rng_.Chance(50) ? ">" : "<=") +
               std::to_string(rng_.Range(0, 10'000'000));
      case 5:
        return TimeLeaf();
      case 6: {
        std::string f = rng_.Pick(kKeywords);
        return "(" + f + ":" + SampleToken(f) + " or " + f + ":=" + SampleToken(f) + ")";
      }
      case 7:
        return rng_.Chance(50) ? "ip:*" : "host != " + SampleToken("host");
      default:
        return "status:" + std::string(rng_.Chance(50) ? ">=" : "<") +
               std::to_string(rng_.Pick(std::vector<int>{200, 400, 500}));
    }
  };
  std::string filter;
  int leaves = static_cast<int>(rng_.Range(0, 3));
  for (int i = 0; i < leaves; ++i) filter += (i ? " " : "") + leaf();
  if (filter.empty()) filter = "*";

  static const std::vector<std::vector<std::string>> kBy = {{},
                                                            {"service"},
                                                            {"route"},
                                                            {"level", "host"},
                                                            {"_time:1h"},
                                                            {"kind"},
                                                            {"service", "_time:1d"},
                                                            {"status"},
                                                            {"user_id"},
                                                            {"method", "route"}};
  const std::vector<std::string>& keys = rng_.Pick(kBy);
  if (rng_.Chance(20)) {
    std::string by = keys.empty() ? "service" : keys[0];
    q.text = filter + " | top " + std::to_string(rng_.Range(1, 8)) + " by (" + by + ")";
    if (rng_.Chance(30)) q.text += " | where hits > " + std::to_string(rng_.Range(1, 50));
    return q;
  }
  static const std::vector<std::string> kAggs = {"count()",
                                                 "count(ip)",
                                                 "count() if (level:error)",
                                                 "count_distinct(ip)",
                                                 "count_distinct(route)",
                                                 "sum(bytes_out)",
                                                 "avg(bytes_out)",
                                                 "min(bytes_out)",
                                                 "max(bytes_out)",
                                                 "min(duration_ms)",
                                                 "max(duration_ms)",
                                                 "count() if (bytes_out:>5000000)",
                                                 "max(status)",
                                                 "count_distinct(user_id)"};
  std::string aggs;
  std::vector<std::string> names;
  int n = static_cast<int>(rng_.Range(1, 3));
  for (int i = 0; i < n; ++i) {
    std::string name = "a" + std::to_string(i);
    aggs += (i ? ", " : "") + rng_.Pick(kAggs) + " as " + name;
    names.push_back(name);
  }
  std::string by;
  for (size_t i = 0; i < keys.size(); ++i) by += (i ? ", " : "") + keys[i];
  q.text = filter + " | stats " + aggs + (by.empty() ? "" : " by (" + by + ")");
  if (rng_.Chance(30)) q.text += " | where a0 > " + std::to_string(rng_.Range(0, 20));
  if (rng_.Chance(40)) {
    q.text += " | sort by (a0 desc";
    for (const auto& k : keys) q.text += ", " + (k.rfind("_time:", 0) == 0 ? "_time" : k);
    q.text += ") | limit " + std::to_string(rng_.Range(1, 10));
  }
  if (names.size() >= 2 && rng_.Chance(25)) q.text += " | math a0 + a1 as m";
  return q;
}

GeneratedQuery QueryGenerator::Next() {
  GeneratedQuery q;
  std::string filter = rng_.Chance(8) ? "" : Filter(static_cast<int>(rng_.Range(0, 3)));
  std::string pipes;
  switch (rng_.Below(10)) {
    case 0:
    case 1:
    case 2:
      pipes = PlainPipes();
      break;
    case 3:
      pipes = TopPipe();
      break;
    default:
      pipes = StatsPipes(&q);
  }
  if (filter.empty() && pipes.empty()) filter = "*";
  q.text = filter.empty() ? pipes.substr(1) : filter + pipes;
  return q;
}

}  // namespace vigia::oracle
