#include "oracle/oracle_compare.h"

#include <algorithm>
#include <cmath>

#include "query/filter_matcher.h"
#include "query/result_format.h"

namespace vigia::oracle {
namespace {

std::string Describe(const OwnedValue& v) {
  switch (v.type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return v.b ? "bool:true" : "bool:false";
    case ValueType::kInt:
      return "int:" + std::to_string(v.i);
    case ValueType::kFloat:
      return "float:" + ValueToString(v.view());
    case ValueType::kString:
      return "string:\"" + v.s + "\"";
  }
  return "?";
}

bool RelClose(double a, double b, double rel) {
  if (a == b) return true;
  if (std::isnan(a) || std::isnan(b)) return false;
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

// Empty when the two cells agree under the column's rule.
std::string CompareCell(const std::string& col, const OwnedValue& e, const OwnedValue& a,
                        const CompareSpec& spec) {
  bool approx = spec.approx.count(col) > 0;
  bool fl = spec.floats.count(col) > 0;
  if ((approx || fl) && e.type != ValueType::kNull && a.type != ValueType::kNull &&
      e.type != ValueType::kString && a.type != ValueType::kString) {
    double x = e.type == ValueType::kInt ? static_cast<double>(e.i) : e.f;
    double y = a.type == ValueType::kInt ? static_cast<double>(a.i) : a.f;
    if (!approx && e.type != a.type) {
      return "column " + col + ": expected " + Describe(e) + ", got " + Describe(a);
    }
    if (RelClose(x, y, approx ? 0.01 : 1e-9)) return "";
    return "column " + col + ": expected " + Describe(e) + ", got " + Describe(a) +
           (approx ? " (more than 1% apart)" : " (more than 1e-9 apart)");
  }
  if (e.type == a.type && e.view() == a.view()) return "";
  return "column " + col + ": expected " + Describe(e) + ", got " + Describe(a);
}

QueryRecord Canonical(const QueryRecord& r) {
  QueryRecord c = r;
  std::sort(c.cols.begin(), c.cols.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  return c;
}

std::string RowText(const QueryRecord& r) { return FormatRows({r}, OutputFormat::kNdjson); }

}  // namespace

bool RowsAreEvents(const Query& q) {
  for (const Pipe& p : q.pipes) {
    if (p.kind == PipeKind::kStats || p.kind == PipeKind::kTop || p.kind == PipeKind::kFields ||
        p.kind == PipeKind::kMath) {
      return false;
    }
  }
  return true;
}

std::string CompareRows(const std::vector<QueryRecord>& expected,
                        const std::vector<QueryRecord>& actual, const CompareSpec& spec) {
  size_t n = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < n; ++i) {
    QueryRecord e = spec.event_rows ? Canonical(expected[i]) : expected[i];
    QueryRecord a = spec.event_rows ? Canonical(actual[i]) : actual[i];
    std::string diff;
    if (e.cols.size() != a.cols.size()) {
      diff = "expected " + std::to_string(e.cols.size()) + " columns, got " +
             std::to_string(a.cols.size());
    }
    for (size_t c = 0; diff.empty() && c < e.cols.size(); ++c) {
      if (e.cols[c].first != a.cols[c].first) {
        diff = "column " + std::to_string(c) + ": expected name '" + e.cols[c].first + "', got '" +
               a.cols[c].first + "'";
      } else {
        diff = CompareCell(e.cols[c].first, e.cols[c].second, a.cols[c].second, spec);
      }
    }
    if (!diff.empty()) {
      return "row " + std::to_string(i) + " of " + std::to_string(expected.size()) + ": " + diff +
             "\n  expected: " + RowText(expected[i]) + "  got:      " + RowText(actual[i]);
    }
  }
  if (expected.size() != actual.size()) {
    std::string s = "expected " + std::to_string(expected.size()) + " rows, got " +
                    std::to_string(actual.size());
    if (n < expected.size()) s += "\n  first missing: " + RowText(expected[n]);
    if (n < actual.size()) s += "\n  first extra:   " + RowText(actual[n]);
    return s;
  }
  return "";
}

}  // namespace vigia::oracle
