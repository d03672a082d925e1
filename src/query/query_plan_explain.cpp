#include "query/query_plan_explain.h"

#include <cmath>
#include <cstdio>

#include "query/query_explain.h"

namespace vigia {
namespace {

std::string ValueText(const ScanValue& v) {
  switch (v.type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return v.b ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(v.i);
    case ValueType::kFloat: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.f);
      return buf;
    }
    case ValueType::kString:
      return "\"" + v.s + "\"";
  }
  return "?";
}

std::string Bound(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "+inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string LeafText(const PruneLeaf& leaf) {
  std::string out = leaf.column;
  switch (leaf.op) {
    case PruneLeaf::Op::kValues: {
      out += leaf.values.size() == 1 ? " may hold " : " may hold one of ";
      for (size_t i = 0; i < leaf.values.size(); ++i) {
        out += (i ? ", " : "") + ValueText(leaf.values[i]);
      }
      out += " (min/max, bloom)";
      return out;
    }
    case PruneLeaf::Op::kRange:
      return out + " overlaps [" + Bound(leaf.lo) + ", " + Bound(leaf.hi) + "] (min/max)";
    case PruneLeaf::Op::kTokens: {
      out += " may hold the words ";
      for (size_t i = 0; i < leaf.tokens.size(); ++i) {
        out += (i ? ", \"" : "\"") + leaf.tokens[i] + "\"";
      }
      return out + " (token bloom)";
    }
    case PruneLeaf::Op::kExists:
      return out + (leaf.non_string_only ? " has non-string values" : " is present");
  }
  return out;
}

std::string List(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

}  // namespace

std::string ExplainColumnarPlan(const Query& q, const QueryPlan& plan) {
  std::string out =
      "engine: embedded store, columnar engine (the parts and memtable of one "
      "snapshot)\n";
  out += ExplainTimeRange(plan.range) + " (blocks outside it are skipped by their time range)\n";
  if (plan.prune.empty()) {
    out += "blocks: no pruning condition: every block in the time range is read\n";
  } else {
    out += "blocks: read only where";
    for (size_t c = 0; c < plan.prune.size(); ++c) {
      const PruneClause& clause = plan.prune[c];
      out += c ? "\n  and " : " ";
      if (clause.any.size() > 1) out += "(";
      for (size_t i = 0; i < clause.any.size(); ++i) {
        out += (i ? " or " : "") + LeafText(clause.any[i]);
      }
      if (clause.any.size() > 1) out += ")";
    }
    out += "\n";
  }
  if (plan.all_columns) {
    out += "columns: every column";
    if (!plan.filter_columns.empty()) {
      out += " (the filter's first: " + List(plan.filter_columns) + ")";
    }
    out += "\n";
  } else {
    std::vector<std::string> rest;
    for (const std::string& c : plan.columns) {
      bool in_filter = false;
      for (const std::string& f : plan.filter_columns) in_filter |= f == c;
      if (!in_filter) rest.push_back(c);
    }
    out += "columns:";
    if (!plan.filter_columns.empty()) {
      out += " " + List(plan.filter_columns) + " (the filter's, for every block read)";
    }
    if (!rest.empty()) {
      out += (plan.filter_columns.empty() ? " " : "; then ") + List(rest) +
             (plan.filter_columns.empty() ? "" : " (only for blocks with a match)");
    }
    if (plan.columns.empty() && plan.filter_columns.empty()) out += " none (time only)";
    out += "\n";
  }
  if (plan.stats_first) {
    out += std::string("scan: each matching row is folded into the first pipe (") +
           PipeName(q.pipes[0].kind) + "), no rows kept\n";
  } else if (plan.row_cap > 0) {
    out += "scan: matching rows in time order; stops after " + std::to_string(plan.row_cap) +
           " rows\n";
  } else {
    out += "scan: every matching row\n";
  }
  std::string then = ExplainPipes(q, plan.stats_first);
  if (!then.empty()) out += then + "\n";
  return out;
}

}  // namespace vigia
