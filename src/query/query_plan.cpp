#include "query/query_plan.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "query/filter_matcher.h"
#include "store/format/bloom.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr std::string_view kTextFields[] = {"msg", "error.message", "error.type", "error.stack"};

std::optional<double> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

void AddUnique(std::vector<std::string>* out, std::string name) {
  if (IsTimeField(name)) return;
  if (std::find(out->begin(), out->end(), name) == out->end()) out->push_back(std::move(name));
}

// The typed values a whole-value match of `text` can equal (FilterMatcher's ValueEquals):
// the string itself, the number it spells (ints and floats compare numerically) and the
// bool it spells. `with_string` = false leaves the string out (text fields match strings by
// word, handled by a token leaf).
std::vector<ScanValue> ValueForms(const std::string& text, bool with_string) {
  std::vector<ScanValue> out;
  if (with_string) out.push_back(ScanValue::String(text));
  if (auto n = ParseNumber(text)) out.push_back(ScanValue::Float(*n));
  if (text == "true") out.push_back(ScanValue::Bool(true));
  if (text == "false") out.push_back(ScanValue::Bool(false));
  return out;
}

// Whole tokens of `text` that any string containing `text` at word boundaries contains too.
// With `prefix`, a trailing word is only a word's start, so it is left out.
std::vector<std::string> WholeTokens(const std::string& text, bool prefix) {
  std::vector<std::string> out;
  ForEachToken(text, [&](std::string_view t) { out.emplace_back(t); });
  if (prefix && !out.empty() && !text.empty()) {
    unsigned char last = static_cast<unsigned char>(text.back());
    bool word = std::isalnum(last) || last == '_' || last >= 0x80;
    if (word) out.pop_back();
  }
  return out;
}

// Leaves for a word/phrase/prefix search of `text` on one text field: a token leaf for its
// string values plus a value leaf for non-string values (matched as whole values).
// False when the search cannot prune (no whole token).
bool TextLeaves(const std::string& field, const std::string& text, bool prefix,
                std::vector<PruneLeaf>* out) {
  std::vector<std::string> tokens = WholeTokens(text, prefix);
  if (tokens.empty()) return false;
  PruneLeaf t;
  t.op = PruneLeaf::Op::kTokens;
  t.column = field;
  t.tokens = std::move(tokens);
  out->push_back(std::move(t));
  if (!prefix) {
    std::vector<ScanValue> forms = ValueForms(text, false);
    if (!forms.empty()) {
      PruneLeaf v;
      v.op = PruneLeaf::Op::kValues;
      v.column = field;
      v.values = std::move(forms);
      out->push_back(std::move(v));
    }
  } else {
    // A prefix on a non-string value compares its text form: any such chunk may match.
    PruneLeaf e;
    e.op = PruneLeaf::Op::kExists;
    e.column = field;
    e.non_string_only = true;
    out->push_back(std::move(e));
  }
  return true;
}

// Appends the leaves whose disjunction is implied by `f` (every row matching f satisfies one
// of them). False when f implies nothing prunable.
bool LeavesOf(const Filter& f, std::vector<PruneLeaf>* out) {
  std::string field = NormalizeField(f.field);
  if (!field.empty() && IsTimeField(field)) return false;
  bool text = field.empty() || IsTextField(field);
  switch (f.kind) {
    case FilterKind::kOr:
      for (const auto& c : f.children) {
        if (!LeavesOf(*c, out)) return false;
      }
      return !f.children.empty();
    case FilterKind::kWord:
    case FilterKind::kPhrase:
    case FilterKind::kPrefix: {
      bool prefix = f.kind == FilterKind::kPrefix;
      if (text) {
        if (field.empty()) {
          for (std::string_view tf : kTextFields) {
            // Bare words only match string values.
            std::vector<std::string> tokens = WholeTokens(f.value, prefix);
            if (tokens.empty()) return false;
            PruneLeaf t;
            t.op = PruneLeaf::Op::kTokens;
            t.column = std::string(tf);
            t.tokens = std::move(tokens);
            out->push_back(std::move(t));
          }
          return true;
        }
        return TextLeaves(field, f.value, prefix, out);
      }
      PruneLeaf l;
      l.column = field;
      if (prefix) {
        l.op = PruneLeaf::Op::kExists;
      } else {
        l.op = PruneLeaf::Op::kValues;
        l.values = ValueForms(f.value, true);
      }
      out->push_back(std::move(l));
      return true;
    }
    case FilterKind::kExact: {
      if (field.empty()) return false;
      PruneLeaf l;
      l.op = PruneLeaf::Op::kValues;
      l.column = field;
      l.values = ValueForms(f.value, true);
      out->push_back(std::move(l));
      return true;
    }
    case FilterKind::kIn: {
      if (field.empty()) return false;
      for (const std::string& v : f.values) {
        if (text) {
          if (!TextLeaves(field, v, false, out)) return false;
        } else {
          PruneLeaf l;
          l.op = PruneLeaf::Op::kValues;
          l.column = field;
          l.values = ValueForms(v, true);
          out->push_back(std::move(l));
        }
      }
      return !f.values.empty();
    }
    case FilterKind::kCompare: {
      // `!=` matches absent fields; text comparisons have no numeric bounds.
      if (field.empty() || f.cmp == CmpOp::kNe) return false;
      auto n = ParseNumber(f.value);
      PruneLeaf l;
      l.column = field;
      if (!n || std::isnan(*n)) {
        l.op = PruneLeaf::Op::kExists;
      } else {
        l.op = PruneLeaf::Op::kRange;
        switch (f.cmp) {
          case CmpOp::kLt:
          case CmpOp::kLe:
            l.hi = *n;
            break;
          case CmpOp::kGt:
          case CmpOp::kGe:
            l.lo = *n;
            break;
          case CmpOp::kEq:
            l.lo = l.hi = *n;
            break;
          case CmpOp::kNe:  // returned above: != prunes nothing
            break;
        }
      }
      out->push_back(std::move(l));
      return true;
    }
    case FilterKind::kRegex:
    case FilterKind::kExists: {
      if (field.empty()) return false;
      PruneLeaf l;
      l.op = PruneLeaf::Op::kExists;
      l.column = field;
      out->push_back(std::move(l));
      return true;
    }
    case FilterKind::kAll:
    case FilterKind::kAnd:
    case FilterKind::kNot:
    case FilterKind::kTime:
      return false;
  }
  return false;
}

void CollectConjuncts(const Filter& f, std::vector<PruneClause>* out) {
  if (f.kind == FilterKind::kAnd) {
    for (const auto& c : f.children) CollectConjuncts(*c, out);
    return;
  }
  PruneClause c;
  if (LeavesOf(f, &c.any)) out->push_back(std::move(c));
}

void CollectMathFields(const MathExpr& e, std::vector<std::string>* out) {
  if (e.kind == MathExpr::Kind::kField) AddUnique(out, NormalizeField(e.field));
  for (const auto& a : e.args) CollectMathFields(*a, out);
}

void CollectStatsFields(const Pipe& p, std::vector<std::string>* out) {
  for (const GroupKey& k : p.by) AddUnique(out, NormalizeField(k.field));
  for (const Aggregate& a : p.aggregates) {
    if (!a.field.empty()) AddUnique(out, NormalizeField(a.field));
    if (a.cond) CollectFilterFields(*a.cond, out);
  }
}

bool StatsReadTime(const Pipe& p) {
  for (const GroupKey& k : p.by) {
    if (k.bucket_ns > 0 || IsTimeField(NormalizeField(k.field))) return true;
  }
  for (const Aggregate& a : p.aggregates) {
    if (a.func == AggFunc::kRate) return true;
    if (!a.field.empty() && IsTimeField(NormalizeField(a.field))) return true;
    if (a.cond && FilterReadsTime(*a.cond)) return true;
  }
  return false;
}

}  // namespace

void CollectFilterFields(const Filter& f, std::vector<std::string>* out) {
  if (f.kind != FilterKind::kAnd && f.kind != FilterKind::kOr && f.kind != FilterKind::kNot &&
      f.kind != FilterKind::kAll && f.kind != FilterKind::kTime) {
    if (f.field.empty()) {
      for (std::string_view tf : kTextFields) AddUnique(out, std::string(tf));
    } else {
      AddUnique(out, NormalizeField(f.field));
    }
  }
  for (const auto& c : f.children) CollectFilterFields(*c, out);
}

std::string NormalizeField(const std::string& f) { return f == "_msg" ? "msg" : f; }

bool FilterReadsTime(const Filter& f) {
  if (f.kind == FilterKind::kTime) return true;
  if (!f.field.empty() && IsTimeField(NormalizeField(f.field))) return true;
  for (const auto& c : f.children) {
    if (FilterReadsTime(*c)) return true;
  }
  return false;
}

Result<QueryPlan> PlanQuery(const Query& q, const QueryOptions& opt) {
  QueryPlan plan;
  VIGIA_ASSIGN_OR_RETURN(FilterMatcher m, FilterMatcher::Compile(*q.filter, opt.now_ns));
  plan.range = m.time_range();
  plan.range.Intersect(opt.range);
  if (plan.range.from_ns) plan.min_ts = *plan.range.from_ns;
  if (plan.range.to_ns) plan.max_ts = *plan.range.to_ns;
  CollectConjuncts(*q.filter, &plan.prune);

  CollectFilterFields(*q.filter, &plan.filter_columns);
  plan.columns = plan.filter_columns;
  plan.stats_first = !q.pipes.empty() &&
                     (q.pipes[0].kind == PipeKind::kStats || q.pipes[0].kind == PipeKind::kTop);
  if (plan.stats_first) {
    CollectStatsFields(q.pipes[0], &plan.columns);
    plan.reads_time = FilterReadsTime(*q.filter) || StatsReadTime(q.pipes[0]);
    return plan;
  }
  // Columns: everything the pipes read up to a projection (fields) or aggregation; without
  // one, every column is part of the output.
  plan.all_columns = true;
  for (const Pipe& p : q.pipes) {
    bool done = false;
    switch (p.kind) {
      case PipeKind::kFields:
        for (const std::string& f : p.fields) AddUnique(&plan.columns, NormalizeField(f));
        done = true;
        break;
      case PipeKind::kStats:
      case PipeKind::kTop:
        CollectStatsFields(p, &plan.columns);
        done = true;
        break;
      case PipeKind::kWhere:
        CollectFilterFields(*p.where, &plan.columns);
        break;
      case PipeKind::kSort:
        for (const SortKey& k : p.sort) AddUnique(&plan.columns, NormalizeField(k.field));
        break;
      case PipeKind::kMath:
        for (const MathAssign& a : p.math) CollectMathFields(*a.expr, &plan.columns);
        break;
      case PipeKind::kLimit:
        break;
    }
    if (done) {
      plan.all_columns = false;
      break;
    }
  }
  // Row cap: limits reached through pipes that keep the time order and every row.
  uint64_t cap = 0;
  bool reordered = false;
  for (const Pipe& p : q.pipes) {
    if (p.kind == PipeKind::kLimit) {
      cap = cap == 0 ? p.limit : std::min(cap, p.limit);
    } else if (p.kind != PipeKind::kFields && p.kind != PipeKind::kMath) {
      reordered = true;
      break;
    }
  }
  if (!reordered && opt.row_limit > 0)
    cap = cap == 0 ? opt.row_limit : std::min(cap, opt.row_limit);
  plan.row_cap = cap;
  return plan;
}

}  // namespace vigia
