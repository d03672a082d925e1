#include "store/format/part_scan.h"

#include "store/format/bloom.h"

namespace vigia {

ScanPredicate ScanPredicate::Equals(std::string column, ScanValue v) {
  ScanPredicate p;
  p.op = Op::kEquals;
  p.column = std::move(column);
  p.values.push_back(std::move(v));
  return p;
}

ScanPredicate ScanPredicate::In(std::string column, std::vector<ScanValue> vs) {
  ScanPredicate p;
  p.op = Op::kIn;
  p.column = std::move(column);
  p.values = std::move(vs);
  return p;
}

ScanPredicate ScanPredicate::Range(std::string column, double lo, double hi) {
  ScanPredicate p;
  p.op = Op::kRange;
  p.column = std::move(column);
  p.lo = lo;
  p.hi = hi;
  return p;
}

ScanPredicate ScanPredicate::Token(std::string column, std::string token) {
  ScanPredicate p;
  p.op = Op::kToken;
  p.column = std::move(column);
  p.token = std::move(token);
  return p;
}

namespace {

bool IsNumeric(ValueType t) { return t == ValueType::kInt || t == ValueType::kFloat; }
double AsDouble(ValueType t, int64_t i, double f) {
  return t == ValueType::kInt ? static_cast<double>(i) : f;
}

bool EqualsScalar(const Value& v, const ScanValue& s) {
  if (v.type == ValueType::kInt && s.type == ValueType::kInt) return v.i == s.i;
  if (IsNumeric(v.type) && IsNumeric(s.type)) {
    return AsDouble(v.type, v.i, v.f) == AsDouble(s.type, s.i, s.f);
  }
  if (v.type != s.type) return false;
  switch (v.type) {
    case ValueType::kBool:
      return v.b == s.b;
    case ValueType::kString:
      return v.s == s.s;
    case ValueType::kNull:
    case ValueType::kInt:  // numeric pairs were compared above
    case ValueType::kFloat:
      return false;
  }
  return false;
}

}  // namespace

bool ScanPredicate::Matches(const Value& v) const {
  switch (op) {
    case Op::kEquals:
    case Op::kIn:
      for (const ScanValue& s : values) {
        if (EqualsScalar(v, s)) return true;
      }
      return false;
    case Op::kRange: {
      if (!IsNumeric(v.type)) return false;
      double d = AsDouble(v.type, v.i, v.f);
      return d >= lo && d <= hi;
    }
    case Op::kToken:
      return v.type == ValueType::kString && ContainsToken(v.s, token);
  }
  return false;
}

}  // namespace vigia
