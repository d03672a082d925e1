#include "clickhouse/clickhouse_sql.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "query/filter_matcher.h"
#include "query/query_record.h"

namespace vigia::clickhouse {
namespace {

constexpr const char* kTrue = "1";
constexpr const char* kFalse = "0";

std::string Col(std::string_view field) { return SchemaOptions::Quoted(field); }

std::string InExtra(std::string_view field) { return "has(x.key, " + SqlString(field) + ")"; }

// ('a', 'b', ...) for `IN`. REQUIRES: !values.empty().
std::string SqlStringList(const std::vector<std::string>& values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + SqlString(values[i]);
  return s + ")";
}

std::string Or(const std::vector<std::string>& parts) {
  std::vector<std::string> kept;
  for (const auto& p : parts) {
    if (p == kTrue) return kTrue;
    if (p != kFalse) kept.push_back(p);
  }
  if (kept.empty()) return kFalse;
  if (kept.size() == 1) return kept[0];
  std::string s = "(";
  for (size_t i = 0; i < kept.size(); ++i) s += (i ? " OR " : "") + kept[i];
  return s + ")";
}

std::string And(const std::vector<std::string>& parts) {
  std::vector<std::string> kept;
  for (const auto& p : parts) {
    if (p == kFalse) return kFalse;
    if (p != kTrue) kept.push_back(p);
  }
  if (kept.empty()) return kTrue;
  if (kept.size() == 1) return kept[0];
  std::string s = "(";
  for (size_t i = 0; i < kept.size(); ++i) s += (i ? " AND " : "") + kept[i];
  return s + ")";
}

std::string DoubleLiteral(double v) {
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  // ClickHouse reads `5` as an integer; keep it a float so the comparison is a float one.
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return "toFloat64(" + s + ")";
}

// ClickHouse's float parsing of a literal need not be correctly rounded: bounds are widened
// by a relative 1e-9 (and the exact filter in vigia decides the rows near the edge).
double Lower(double v) { return v - std::max(std::fabs(v) * 1e-9, 1e-300); }
double Upper(double v) { return v + std::max(std::fabs(v) * 1e-9, 1e-300); }

std::string FloatCompare(const std::string& expr, CmpOp op, double v) {
  switch (op) {
    case CmpOp::kLt:
    case CmpOp::kLe:
      return expr + " <= " + DoubleLiteral(Upper(v));
    case CmpOp::kGt:
    case CmpOp::kGe:
      return expr + " >= " + DoubleLiteral(Lower(v));
    case CmpOp::kEq:
      return "(" + expr + " >= " + DoubleLiteral(Lower(v)) + " AND " + expr +
             " <= " + DoubleLiteral(Upper(v)) + ")";
    case CmpOp::kNe:
      return kTrue;
  }
  return kTrue;
}

const char* OpSql(CmpOp op) {
  switch (op) {
    case CmpOp::kLt:
      return " < ";
    case CmpOp::kLe:
      return " <= ";
    case CmpOp::kGt:
      return " > ";
    case CmpOp::kGe:
      return " >= ";
    case CmpOp::kEq:
      return " = ";
    case CmpOp::kNe:
      return " != ";
  }
  return " = ";
}

bool UsableInteger(const std::optional<int64_t>& i) {
  return i && *i != std::numeric_limits<int64_t>::min();
}
bool UsableNumber(const std::optional<double>& d) { return d && std::isfinite(*d); }

// Whole-value equality (FilterMatcher's ValueEquals) on the typed column of `field`; the
// caller ORs in the `x` side.
std::string TypedEquals(const CanonicalColumn& c, const std::string& text,
                        const std::optional<double>& num, const std::optional<int64_t>& integer) {
  std::string col = Col(c.field);
  switch (c.type) {
    case ColumnType::kString:
      return col + " = " + SqlString(text);
    case ColumnType::kInt:
      if (UsableInteger(integer)) return col + " = " + std::to_string(*integer);
      if (UsableNumber(num)) return FloatCompare("toFloat64(" + col + ")", CmpOp::kEq, *num);
      return "isNotNull(" + col + ")";
    case ColumnType::kFloat:
      if (UsableNumber(num)) return FloatCompare(col, CmpOp::kEq, *num);
      return "isNotNull(" + col + ")";
    case ColumnType::kBool:
      if (text == "true") return col + " = 1";
      if (text == "false") return col + " = 0";
      return "isNotNull(" + col + ")";
  }
  return kTrue;
}

std::string WordIn(std::string_view field, const std::string& word) {
  if (word.empty()) return "isNotNull(" + Col(field) + ")";
  return "position(" + Col(field) + ", " + SqlString(word) + ") > 0";
}

// Word/phrase/prefix/in values on one field (`text` fields match words in strings, others the
// whole value; a prefix the start of the value).
std::string ValueMatch(const FilterLeaf& l, const std::string& value,
                       const std::optional<double>& num, const std::optional<int64_t>& integer,
                       bool prefix) {
  if (l.time_field) return kTrue;
  const CanonicalColumn* c = FindCanonicalColumn(l.field);
  std::string typed = kFalse;
  if (c != nullptr) {
    if (l.text && c->type == ColumnType::kString) {
      typed = WordIn(c->field, value);
    } else if (prefix) {
      if (c->type == ColumnType::kString) {
        typed = value.empty() ? "isNotNull(" + Col(c->field) + ")"
                              : "substring(" + Col(c->field) + ", 1, " +
                                    std::to_string(value.size()) + ") = " + SqlString(value);
      } else {
        typed = "isNotNull(" + Col(c->field) + ")";
      }
    } else {
      typed = TypedEquals(*c, value, num, integer);
    }
  }
  return Or({typed, InExtra(l.field)});
}

std::string BareWords(const std::string& value) {
  std::vector<std::string> parts;
  for (std::string_view tf : TextFields()) parts.push_back(WordIn(tf, value));
  return Or(parts);
}

std::string Compare(const FilterLeaf& l) {
  if (l.cmp == CmpOp::kNe) return kTrue;  // a missing field satisfies !=
  if (l.time_field) {
    if (UsableInteger(l.integer))
      return std::string("ts") + OpSql(l.cmp) + std::to_string(*l.integer);
    if (UsableNumber(l.number)) return FloatCompare("toFloat64(ts)", l.cmp, *l.number);
    return kTrue;
  }
  const CanonicalColumn* c = FindCanonicalColumn(l.field);
  std::string typed = kFalse;
  if (c != nullptr) {
    std::string col = Col(c->field);
    switch (c->type) {
      case ColumnType::kInt:
        if (UsableInteger(l.integer)) {
          typed = col + OpSql(l.cmp) + std::to_string(*l.integer);
        } else if (UsableNumber(l.number)) {
          typed = FloatCompare("toFloat64(" + col + ")", l.cmp, *l.number);
        } else {
          typed = "isNotNull(" + col + ")";
        }
        break;
      case ColumnType::kFloat:
        typed =
            UsableNumber(l.number) ? FloatCompare(col, l.cmp, *l.number) : "isNotNull(" + col + ")";
        break;
      case ColumnType::kString:
        // A numeric literal compares numerically with strings that parse as numbers.
        typed = l.number ? "isNotNull(" + col + ")" : col + OpSql(l.cmp) + SqlString(l.value);
        break;
      case ColumnType::kBool:
        typed = "isNotNull(" + col + ")";
        break;
    }
  }
  return Or({typed, InExtra(l.field)});
}

std::string Present(const FilterLeaf& l) {
  if (l.time_field) return kTrue;
  if (l.field.empty()) return kTrue;
  const CanonicalColumn* c = FindCanonicalColumn(l.field);
  return Or({c ? "isNotNull(" + Col(c->field) + ")" : kFalse, InExtra(l.field)});
}

std::string Compile(const Filter& f, int64_t now_ns) {
  FilterLeaf l = CompileFilterLeaf(f);
  switch (f.kind) {
    case FilterKind::kAll:
      return kTrue;
    case FilterKind::kAnd: {
      std::vector<std::string> parts;
      for (const auto& c : f.children) parts.push_back(Compile(*c, now_ns));
      return And(parts);
    }
    case FilterKind::kOr: {
      std::vector<std::string> parts;
      for (const auto& c : f.children) parts.push_back(Compile(*c, now_ns));
      return Or(parts);
    }
    case FilterKind::kNot:
      return kTrue;
    case FilterKind::kWord:
    case FilterKind::kPhrase:
    case FilterKind::kPrefix:
      if (l.field.empty()) return BareWords(l.value);
      return ValueMatch(l, l.value, l.number, l.integer, f.kind == FilterKind::kPrefix);
    case FilterKind::kExact: {
      if (l.time_field) return kTrue;
      const CanonicalColumn* c = FindCanonicalColumn(l.field);
      return Or({c ? TypedEquals(*c, l.value, l.number, l.integer) : kFalse, InExtra(l.field)});
    }
    case FilterKind::kCompare:
      return Compare(l);
    case FilterKind::kIn: {
      if (l.field.empty()) return kTrue;
      if (const CanonicalColumn* c = FindCanonicalColumn(l.field);
          c != nullptr && !l.time_field && !l.text && c->type == ColumnType::kString &&
          !l.values.empty()) {
        // One set lookup rather than an OR of equalities (and of `has(x.key, ...)`) per value:
        // a list of 1,000 fingerprints (the error groups' sparklines) was 2,000 passes.
        return Or({Col(c->field) + " IN " + SqlStringList(l.values), InExtra(l.field)});
      }
      std::vector<std::string> parts;
      for (size_t i = 0; i < l.values.size(); ++i) {
        parts.push_back(ValueMatch(l, l.values[i], l.numbers[i], l.integers[i], false));
      }
      return Or(parts);
    }
    case FilterKind::kRegex:
    case FilterKind::kExists:
      return Present(l);
    case FilterKind::kTime: {
      std::optional<int64_t> from = f.from_ns, to = f.to_ns;
      if (f.relative_ns > 0) {
        from = now_ns - f.relative_ns + 1;
        to = now_ns + 1;
      }
      std::vector<std::string> parts;
      if (from) parts.push_back("ts >= " + std::to_string(*from));
      if (to) parts.push_back("ts < " + std::to_string(*to));
      return And(parts);
    }
  }
  return kTrue;
}

void FilterFields(const Filter& f, std::set<std::string>* out) {
  if (f.kind == FilterKind::kAnd || f.kind == FilterKind::kOr || f.kind == FilterKind::kNot) {
    for (const auto& c : f.children) FilterFields(*c, out);
    return;
  }
  if (f.kind == FilterKind::kAll || f.kind == FilterKind::kTime) return;
  if (f.field.empty()) {
    for (std::string_view tf : TextFields()) out->insert(std::string(tf));
    return;
  }
  out->insert(f.field == "_msg" ? "msg" : f.field);
}

void MathFields(const MathExpr& e, std::set<std::string>* out) {
  if (e.kind == MathExpr::Kind::kField) out->insert(e.field == "_msg" ? "msg" : e.field);
  for (const auto& a : e.args) MathFields(*a, out);
}

// --- exact compilation (FilterToExactSql) ---

struct Exact {
  int64_t now_ns;
  std::set<std::string>* fields;
  std::string* why;

  std::optional<std::string> Fail(const std::string& reason) {
    if (why->empty()) *why = reason;
    return std::nullopt;
  }

  // The typed column of a leaf's field, when its VQL meaning can be stated exactly.
  const CanonicalColumn* Column(const FilterLeaf& l, const Filter& f) {
    if (l.field.empty()) {
      Fail("bare words (word boundaries of text fields)");
      return nullptr;
    }
    if (l.time_field) {
      Fail("a comparison on " + f.field + " (only _time ranges are exact)");
      return nullptr;
    }
    const CanonicalColumn* c = FindCanonicalColumn(l.field);
    if (c == nullptr) {
      Fail("field " + l.field + " has no typed column");
      return nullptr;
    }
    fields->insert(l.field);
    return c;
  }

  // FilterMatcher's ValueEquals against one literal, on a column of `c`'s type.
  std::optional<std::string> Equals(const CanonicalColumn& c, const std::string& text,
                                    const std::optional<double>& num,
                                    const std::optional<int64_t>& integer) {
    const std::string col = Col(c.field);
    switch (c.type) {
      case ColumnType::kString:
        return "ifNull(" + col + " = " + SqlString(text) + ", 0)";
      case ColumnType::kInt:
        if (UsableInteger(integer))
          return "ifNull(" + col + " = " + std::to_string(*integer) + ", 0)";
        // A float literal compares as a double (ClickHouse's parsing of it need not round
        // alike); any other text never equals an integer's decimal form.
        if (num) return Fail("a non-integer number against integer column " + std::string(c.field));
        return std::string(kFalse);
      case ColumnType::kFloat:
        return Fail("equality on float column " + std::string(c.field));
      case ColumnType::kBool:
        return Fail("boolean column " + std::string(c.field));
    }
    return Fail("unknown column type");
  }

  std::optional<std::string> Run(const Filter& f) {
    FilterLeaf l = CompileFilterLeaf(f);
    switch (f.kind) {
      case FilterKind::kAll:
        return std::string(kTrue);
      case FilterKind::kAnd:
      case FilterKind::kOr: {
        if (f.children.empty()) return std::string(f.kind == FilterKind::kAnd ? kTrue : kFalse);
        std::string s = "(";
        for (size_t i = 0; i < f.children.size(); ++i) {
          auto c = Run(*f.children[i]);
          if (!c) return std::nullopt;
          s += (i ? (f.kind == FilterKind::kAnd ? " AND " : " OR ") : "") + *c;
        }
        return s + ")";
      }
      case FilterKind::kNot: {
        if (f.children.empty()) return Fail("an empty negation");
        auto c = Run(*f.children[0]);
        if (!c) return std::nullopt;
        return "NOT " + *c;
      }
      case FilterKind::kWord:
      case FilterKind::kPhrase:
      case FilterKind::kIn: {
        const CanonicalColumn* c = Column(l, f);
        if (c == nullptr) return std::nullopt;
        if (l.text) return Fail("words of text field " + l.field);
        if (f.kind != FilterKind::kIn) return Equals(*c, l.value, l.number, l.integer);
        if (c->type == ColumnType::kString && !l.values.empty()) {
          // ifNull(col = v, 0) for each value, as one set lookup.
          return "ifNull(" + Col(c->field) + " IN " + SqlStringList(l.values) + ", 0)";
        }
        std::string s = "(" + std::string(kFalse);
        for (size_t i = 0; i < l.values.size(); ++i) {
          auto e = Equals(*c, l.values[i], l.numbers[i], l.integers[i]);
          if (!e) return std::nullopt;
          s += " OR " + *e;
        }
        return s + ")";
      }
      case FilterKind::kExact: {
        const CanonicalColumn* c = Column(l, f);
        if (c == nullptr) return std::nullopt;
        return Equals(*c, l.value, l.number, l.integer);
      }
      case FilterKind::kPrefix: {
        const CanonicalColumn* c = Column(l, f);
        if (c == nullptr) return std::nullopt;
        if (l.text) return Fail("a prefix of text field " + l.field);
        if (c->type != ColumnType::kString) return Fail("a prefix of non-string column " + l.field);
        if (l.value.empty()) return "isNotNull(" + Col(c->field) + ")";
        return "ifNull(substring(" + Col(c->field) + ", 1, " + std::to_string(l.value.size()) +
               ") = " + SqlString(l.value) + ", 0)";
      }
      case FilterKind::kCompare: {
        const CanonicalColumn* c = Column(l, f);
        if (c == nullptr) return std::nullopt;
        const std::string col = Col(c->field);
        if (l.cmp == CmpOp::kNe) {
          // !ValueEquals, and a missing field satisfies it.
          auto e = Equals(*c, l.value, l.number, l.integer);
          if (!e) return std::nullopt;
          return "NOT " + *e;
        }
        if (c->type == ColumnType::kString && !l.number) {
          return "ifNull(" + col + OpSql(l.cmp) + SqlString(l.value) + ", 0)";
        }
        if (c->type == ColumnType::kInt && UsableInteger(l.integer)) {
          return "ifNull(" + col + OpSql(l.cmp) + std::to_string(*l.integer) + ", 0)";
        }
        return Fail("a comparison of " + l.field + " with " + f.value +
                    " (numbers against strings or floats)");
      }
      case FilterKind::kRegex:
        return Fail("a regex on " + l.field);
      case FilterKind::kExists: {
        if (l.field.empty()) return Fail("an existence test without a field");
        const CanonicalColumn* c = Column(l, f);
        if (c == nullptr) return std::nullopt;
        return "isNotNull(" + Col(c->field) + ")";
      }
      case FilterKind::kTime: {
        std::optional<int64_t> from = f.from_ns, to = f.to_ns;
        if (f.relative_ns > 0) {
          from = now_ns - f.relative_ns + 1;
          to = now_ns + 1;
        }
        std::string s = "(" + std::string(kTrue);
        if (from) s += " AND ts >= " + std::to_string(*from);
        if (to) s += " AND ts < " + std::to_string(*to);
        return s + ")";
      }
    }
    return Fail("an unknown filter");
  }
};

}  // namespace

std::optional<std::string> FilterToExactSql(const Filter& f, int64_t now_ns,
                                            std::set<std::string>* fields, std::string* why) {
  Exact e{now_ns, fields, why};
  return e.Run(f);
}

std::string FilterToSql(const Filter& f, int64_t now_ns) { return Compile(f, now_ns); }

std::optional<std::set<std::string>> FieldsRead(const Query& q) {
  std::set<std::string> out;
  FilterFields(*q.filter, &out);
  for (const Pipe& p : q.pipes) {
    switch (p.kind) {
      case PipeKind::kStats:
        for (const Aggregate& a : p.aggregates) {
          if (!a.field.empty()) out.insert(a.field == "_msg" ? "msg" : a.field);
          if (a.cond) FilterFields(*a.cond, &out);
        }
        for (const GroupKey& k : p.by) out.insert(k.field == "_msg" ? "msg" : k.field);
        return out;
      case PipeKind::kTop:
        for (const GroupKey& k : p.by) out.insert(k.field == "_msg" ? "msg" : k.field);
        return out;
      case PipeKind::kFields:
        for (const std::string& f : p.fields) out.insert(f == "_msg" ? "msg" : f);
        return out;
      case PipeKind::kWhere:
        if (p.where) FilterFields(*p.where, &out);
        break;
      case PipeKind::kSort:
        for (const SortKey& k : p.sort) out.insert(k.field == "_msg" ? "msg" : k.field);
        break;
      case PipeKind::kMath:
        for (const MathAssign& m : p.math) MathFields(*m.expr, &out);
        break;
      case PipeKind::kLimit:
        break;
    }
  }
  return std::nullopt;
}

}  // namespace vigia::clickhouse
