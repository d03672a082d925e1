#include "query/column_filter.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "common/cpu_clones.h"
#include "query/filter_matcher.h"
#include "query/time_mask.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr std::string_view kTextFields[] = {"msg", "error.message", "error.type", "error.stack"};

// A childless copy of a leaf, for its FilterMatcher fallback.
Filter CopyLeaf(const Filter& f) {
  Filter c;
  c.kind = f.kind;
  c.pos = f.pos;
  c.field = f.field;
  c.value = f.value;
  c.values = f.values;
  c.cmp = f.cmp;
  c.relative_ns = f.relative_ns;
  c.from_ns = f.from_ns;
  c.to_ns = f.to_ns;
  return c;
}

}  // namespace

// The leaf set-up is FilterMatcher's (CompileFilterLeaf), so both engines read a leaf alike.
struct ColumnFilter::Node : FilterLeaf {
  TimeRange range;
  std::optional<FilterMatcher> generic;  // leaves: the reference matcher, for fallbacks
  std::vector<std::unique_ptr<Node>> children;
};

ColumnFilter::ColumnFilter() = default;
ColumnFilter::ColumnFilter(ColumnFilter&&) noexcept = default;
ColumnFilter& ColumnFilter::operator=(ColumnFilter&&) noexcept = default;
ColumnFilter::~ColumnFilter() = default;

bool ColumnFilter::MatchesAll() const { return root_->kind == FilterKind::kAll; }

Result<ColumnFilter> ColumnFilter::Compile(const Filter& filter, int64_t now_ns) {
  struct Compiler {
    int64_t now;
    Result<std::unique_ptr<Node>> Run(const Filter& f) {
      auto n = std::make_unique<Node>();
      static_cast<FilterLeaf&>(*n) = CompileFilterLeaf(f);
      switch (f.kind) {
        case FilterKind::kAnd:
        case FilterKind::kOr:
        case FilterKind::kNot:
          for (const auto& c : f.children) {
            VIGIA_ASSIGN_OR_RETURN(auto child, Run(*c));
            n->children.push_back(std::move(child));
          }
          break;
        case FilterKind::kAll:
          break;
        case FilterKind::kTime:
          if (f.relative_ns > 0) {
            // As FilterMatcher: (now - d, now].
            n->range.from_ns = now - f.relative_ns + 1;
            n->range.to_ns = now + 1;
          } else {
            n->range.from_ns = f.from_ns;
            n->range.to_ns = f.to_ns;
          }
          break;
        case FilterKind::kWord:
        case FilterKind::kPhrase:
        case FilterKind::kPrefix:
        case FilterKind::kExact:
        case FilterKind::kCompare:
        case FilterKind::kIn:
        case FilterKind::kRegex:
        case FilterKind::kExists: {
          VIGIA_ASSIGN_OR_RETURN(FilterMatcher m, FilterMatcher::Compile(CopyLeaf(f), now));
          n->generic.emplace(std::move(m));
          break;
        }
      }
      return n;
    }
  };
  Compiler c{now_ns};
  ColumnFilter out;
  VIGIA_ASSIGN_OR_RETURN(out.root_, c.Run(filter));
  // The field every leaf reads; "" when a leaf reads time, the text fields or none.
  struct Fields {
    std::string field;
    bool one = true;
    void Visit(const Node& n) {
      switch (n.kind) {
        case FilterKind::kAll:
          return;
        case FilterKind::kAnd:
        case FilterKind::kOr:
        case FilterKind::kNot:
          for (const auto& ch : n.children) Visit(*ch);
          return;
        case FilterKind::kTime:
          one = false;
          return;
        case FilterKind::kWord:
        case FilterKind::kPhrase:
        case FilterKind::kPrefix:
        case FilterKind::kExact:
        case FilterKind::kCompare:
        case FilterKind::kIn:
        case FilterKind::kRegex:
        case FilterKind::kExists:
          if (n.field.empty() || n.time_field || (!field.empty() && n.field != field)) {
            one = false;
          }
          field = n.field;
          return;
      }
    }
  } fields;
  fields.Visit(*out.root_);
  if (fields.one) out.single_field_ = std::move(fields.field);
  return out;
}

namespace {

// Runs `pred(row)` for the masked rows where column `c` is present; records the result in
// out[r] as 2 | result (2 = decided by a present value).
template <typename Pred>
void ForPresent(const ColumnVector& c, const std::vector<uint8_t>& mask, std::vector<uint8_t>* out,
                Pred pred) {
  const size_t n = mask.size();
  const uint8_t* present = c.present.data();
  uint8_t* o = out->data();
  for (size_t r = 0; r < n; ++r) {
    if (mask[r] && present[r]) o[r] = static_cast<uint8_t>(2 | (pred(r) ? 1 : 0));
  }
}

// The row loop of ForPresentCheap and of the integer kernels: `pred(r)` on every row, kept
// for the masked present ones with a blend rather than `sel ? v : o[r]`, which g++ compiled
// to two branches per row and left scalar (half of 5xx_per_minute's profile).
template <typename Pred>
[[gnu::always_inline]] inline void BlendRows(const uint8_t* m, const uint8_t* present, uint8_t* o,
                                             size_t n, Pred pred) {
  for (size_t r = 0; r < n; ++r) {
    const uint8_t v = static_cast<uint8_t>(2 | (pred(r) ? 1 : 0));
    const uint8_t keep = static_cast<uint8_t>(((m[r] != 0) & (present[r] != 0)) - 1);  // 0 or 0xff
    o[r] = static_cast<uint8_t>((o[r] & keep) | (v & ~keep));
  }
}

// ForPresent for a cheap predicate: evaluated on every row and selected without a branch,
// so the loop vectorizes.
template <typename Pred>
void ForPresentCheap(const ColumnVector& c, const std::vector<uint8_t>& mask,
                     std::vector<uint8_t>* out, Pred pred) {
  BlendRows(mask.data(), c.present.data(), out->data(), mask.size(), pred);
}

// `v[r] cmp y` on the masked rows where the column is present (ForPresentCheap's encoding).
VIGIA_CLONED_FOR_AVX2
void CompareInts(const int64_t* v, const uint8_t* m, const uint8_t* present, uint8_t* o, size_t n,
                 CmpOp cmp, int64_t y) {
  switch (cmp) {
    case CmpOp::kLt:
      return BlendRows(m, present, o, n, [v, y](size_t r) { return v[r] < y; });
    case CmpOp::kLe:
      return BlendRows(m, present, o, n, [v, y](size_t r) { return v[r] <= y; });
    case CmpOp::kGt:
      return BlendRows(m, present, o, n, [v, y](size_t r) { return v[r] > y; });
    case CmpOp::kGe:
      return BlendRows(m, present, o, n, [v, y](size_t r) { return v[r] >= y; });
    case CmpOp::kEq:
      return BlendRows(m, present, o, n, [v, y](size_t r) { return v[r] == y; });
    case CmpOp::kNe:
      return BlendRows(m, present, o, n, [v, y](size_t r) { return v[r] != y; });
  }
}

// `v[r]` is one of `xs` (status:in(401, 403)), as CompareInts.
VIGIA_CLONED_FOR_AVX2
void IntsIn(const int64_t* v, const uint8_t* m, const uint8_t* present, uint8_t* o, size_t n,
            const int64_t* xs, size_t nx) {
  BlendRows(m, present, o, n, [v, xs, nx](size_t r) {
    bool hit = false;
    for (size_t i = 0; i < nx; ++i) hit |= v[r] == xs[i];
    return hit;
  });
}

// `value cmp y` over a numeric column, the operator resolved once per block (comparisons
// in double, as FilterMatcher compares numbers; != also holds for NaN).
template <typename T, typename Y>
void NumericCompare(const ColumnVector& c, const T* vals, const std::vector<uint8_t>& mask,
                    std::vector<uint8_t>* out, CmpOp cmp, Y y) {
  auto x = [vals](size_t r) { return static_cast<Y>(vals[r]); };
  switch (cmp) {
    case CmpOp::kLt:
      return ForPresentCheap(c, mask, out, [&](size_t r) { return x(r) < y; });
    case CmpOp::kLe:
      return ForPresentCheap(c, mask, out, [&](size_t r) { return x(r) <= y; });
    case CmpOp::kGt:
      return ForPresentCheap(c, mask, out, [&](size_t r) { return x(r) > y; });
    case CmpOp::kGe:
      return ForPresentCheap(c, mask, out, [&](size_t r) { return x(r) >= y; });
    case CmpOp::kEq:
      return ForPresentCheap(c, mask, out, [&](size_t r) { return x(r) == y; });
    case CmpOp::kNe:
      return ForPresentCheap(c, mask, out, [&](size_t r) { return !(x(r) == y); });
  }
}

// ForPresent for a string predicate `pred(string_view)`. In dictionary form the predicate
// runs once per distinct value met (a lazily filled table indexed by code), so a leaf over
// service/level/route costs a table lookup per row instead of a string comparison.
template <typename Pred>
void ForPresentString(const ColumnVector& c, const std::vector<uint8_t>& mask,
                      std::vector<uint8_t>* out, Pred pred) {
  if (!c.dictionary) {
    const std::string_view* s = c.strings.data();
    ForPresent(c, mask, out, [&](size_t r) { return pred(s[r]); });
    return;
  }
  // 0 = not evaluated yet, else 2 | result (the encoding ForPresent writes).
  std::vector<uint8_t> table(c.dict.size(), 0);
  const size_t n = mask.size();
  const uint8_t* present = c.present.data();
  const uint16_t* codes = c.codes.data();
  uint8_t* o = out->data();
  if (c.dict.size() * 16 <= n) {
    // A small dictionary (kind, level, service...): decide every entry up front, then the
    // row loop is a plain table lookup.
    for (size_t i = 0; i < table.size(); ++i) {
      table[i] = static_cast<uint8_t>(2 | (pred(c.dict[i]) ? 1 : 0));
    }
    for (size_t r = 0; r < n; ++r) {
      o[r] = ((mask[r] != 0) & (present[r] != 0)) ? table[codes[r]] : o[r];
    }
    return;
  }
  for (size_t r = 0; r < n; ++r) {
    if (!(mask[r] && present[r])) continue;
    uint8_t& t = table[codes[r]];
    if (t == 0) t = static_cast<uint8_t>(2 | (pred(c.dict[codes[r]]) ? 1 : 0));
    o[r] = t;
  }
}

}  // namespace

struct LeafEval {
  const ColumnFilter::Node& n;
  const BlockView& b;

  void Generic(std::vector<uint8_t>* mask) const {
    BlockRowAccessor row(b, 0);
    for (size_t r = 0; r < mask->size(); ++r) {
      if (!(*mask)[r]) continue;
      row.set_row(r);
      (*mask)[r] = n.generic->Matches(row);
    }
  }

  // Bare words/phrases/prefixes: string values of the text fields only.
  void BareText(std::vector<uint8_t>* mask) const {
    bool prefix = n.kind == FilterKind::kPrefix;
    std::vector<uint8_t> hit(mask->size(), 0);
    std::vector<uint8_t> todo = *mask;
    for (std::string_view tf : kTextFields) {
      const auto* cols = b.Find(tf);
      if (cols == nullptr) continue;
      for (const ColumnVector* c : *cols) {
        if (c->type != ColumnType::kString) continue;
        std::vector<uint8_t> out(todo.size(), 0);
        ForPresentString(*c, todo, &out,
                         [&](std::string_view s) { return ContainsWord(s, n.value, prefix); });
        for (size_t r = 0; r < todo.size(); ++r) {
          if (out[r] & 1) {
            hit[r] = 1;
            todo[r] = 0;
          }
        }
      }
    }
    *mask = std::move(hit);
  }

  bool EqualsNumber(double x, const std::optional<double>& num) const { return num && x == *num; }

  // One typed column: writes 2|result for the masked rows where it is present. False when
  // this kind has no kernel for the column's type (the caller falls back).
  bool Kernel(const ColumnVector& c, const std::vector<uint8_t>& mask,
              std::vector<uint8_t>* out) const {
    const FilterKind k = n.kind;
    const bool word_text = n.text && (k == FilterKind::kWord || k == FilterKind::kPhrase);
    switch (c.type) {
      case ColumnType::kNull:
        return true;  // JSON null reads as absent
      case ColumnType::kString: {
        auto strings = [&](auto pred) { ForPresentString(c, mask, out, pred); };
        switch (k) {
          case FilterKind::kWord:
          case FilterKind::kPhrase:
          case FilterKind::kExact:
            if (word_text) {
              strings([&](std::string_view s) { return ContainsWord(s, n.value, false); });
            } else {
              // Ids of one length (request_id, trace_id) mostly differ in their first byte:
              // test it before calling memcmp.
              strings([&, v = std::string_view(n.value)](std::string_view s) {
                return s.size() == v.size() && (v.empty() || s[0] == v[0]) && s == v;
              });
            }
            return true;
          case FilterKind::kPrefix:
            if (n.text) {
              strings([&](std::string_view s) { return ContainsWord(s, n.value, true); });
            } else {
              strings([&](std::string_view s) { return s.starts_with(n.value); });
            }
            return true;
          case FilterKind::kIn:
            strings([&](std::string_view s) {
              for (const std::string& v : n.values) {
                if (n.text ? ContainsWord(s, v, false) : s == v) return true;
              }
              return false;
            });
            return true;
          case FilterKind::kExists:
            ForPresent(c, mask, out, [](size_t) { return true; });
            return true;
          case FilterKind::kAll:
          case FilterKind::kAnd:
          case FilterKind::kOr:
          case FilterKind::kNot:
          case FilterKind::kCompare:
          case FilterKind::kRegex:
          case FilterKind::kTime:
            return false;
        }
        return false;
      }
      case ColumnType::kInt:
      case ColumnType::kFloat: {
        const bool is_int = c.type == ColumnType::kInt;
        auto num = [&](size_t r) { return is_int ? static_cast<double>(c.ints[r]) : c.floats[r]; };
        // Integers against an integer literal compare exactly (as FilterMatcher does).
        auto equals = [&](size_t r, const std::optional<double>& d,
                          const std::optional<int64_t>& i) {
          return is_int && i ? c.ints[r] == *i : EqualsNumber(num(r), d);
        };
        switch (k) {
          case FilterKind::kWord:
          case FilterKind::kPhrase:
          case FilterKind::kExact:
            if (is_int && n.integer) {
              // status:429 — branch-free over every row, so the loop vectorizes.
              CompareInts(c.ints.data(), mask.data(), c.present.data(), out->data(), mask.size(),
                          CmpOp::kEq, *n.integer);
              return true;
            }
            ForPresent(c, mask, out, [&](size_t r) { return equals(r, n.number, n.integer); });
            return true;
          case FilterKind::kIn:
            if (is_int) {
              // status:in(401, 403) — integers compare exactly, other numbers as doubles
              // (as `equals`), every row without a branch.
              std::vector<int64_t> ints;
              std::vector<double> doubles;
              for (size_t i = 0; i < n.numbers.size(); ++i) {
                if (n.integers[i]) {
                  ints.push_back(*n.integers[i]);
                } else if (n.numbers[i]) {
                  doubles.push_back(*n.numbers[i]);
                }
              }
              const int64_t* v = c.ints.data();
              if (doubles.empty()) {
                IntsIn(v, mask.data(), c.present.data(), out->data(), mask.size(), ints.data(),
                       ints.size());
                return true;
              }
              ForPresentCheap(c, mask, out, [&](size_t r) {
                bool hit = false;
                for (int64_t x : ints) hit |= v[r] == x;
                for (double d : doubles) hit |= static_cast<double>(v[r]) == d;
                return hit;
              });
              return true;
            }
            ForPresent(c, mask, out, [&](size_t r) {
              for (size_t i = 0; i < n.numbers.size(); ++i) {
                if (equals(r, n.numbers[i], n.integers[i])) return true;
              }
              return false;
            });
            return true;
          case FilterKind::kCompare:
            if (!n.number) return false;
            if (is_int && n.integer) {
              CompareInts(c.ints.data(), mask.data(), c.present.data(), out->data(), mask.size(),
                          n.cmp, *n.integer);
            } else if (is_int) {
              NumericCompare(c, c.ints.data(), mask, out, n.cmp, *n.number);
            } else {
              NumericCompare(c, c.floats.data(), mask, out, n.cmp, *n.number);
            }
            return true;
          case FilterKind::kExists:
            ForPresent(c, mask, out, [](size_t) { return true; });
            return true;
          case FilterKind::kAll:
          case FilterKind::kAnd:
          case FilterKind::kOr:
          case FilterKind::kNot:
          case FilterKind::kPrefix:
          case FilterKind::kRegex:
          case FilterKind::kTime:
            return false;
        }
        return false;
      }
      case ColumnType::kBool:
        switch (k) {
          case FilterKind::kWord:
          case FilterKind::kPhrase:
          case FilterKind::kExact:
            ForPresent(c, mask, out,
                       [&](size_t r) { return n.value == (c.ints[r] != 0 ? "true" : "false"); });
            return true;
          case FilterKind::kExists:
            ForPresent(c, mask, out, [](size_t) { return true; });
            return true;
          case FilterKind::kAll:
          case FilterKind::kAnd:
          case FilterKind::kOr:
          case FilterKind::kNot:
          case FilterKind::kPrefix:
          case FilterKind::kCompare:
          case FilterKind::kIn:
          case FilterKind::kRegex:
          case FilterKind::kTime:
            return false;
        }
        return false;
    }
    return false;
  }

  // A string column that every row has, in dictionary form with few entries (kind, level,
  // service, route in a block sorted by them): the leaf's result for a row is its entry's, so
  // run the kernel over the entries only, then AND each row with its entry's result. A
  // one-entry dictionary decides the whole block. False when this shortcut does not apply.
  bool DictionaryLeaf(const ColumnVector& c, std::vector<uint8_t>* mask) const {
    if (c.type != ColumnType::kString || !c.dictionary || !c.all_present ||
        c.dict.size() * 16 > mask->size()) {
      return false;
    }
    ColumnVector entries;
    entries.type = ColumnType::kString;
    entries.strings = c.dict;
    entries.present.assign(c.dict.size(), 1);
    entries.all_present = true;
    const std::vector<uint8_t> all(c.dict.size(), 1);
    std::vector<uint8_t> result(c.dict.size(), 0);
    if (!Kernel(entries, all, &result)) return false;
    uint8_t* m = mask->data();
    const size_t n = mask->size();
    if (result.size() == 1) {
      if (!(result[0] & 1)) std::fill(m, m + n, 0);
      return true;
    }
    size_t matching = 0;
    for (uint8_t& r : result) matching += (r &= 1);
    if (matching == result.size()) return true;  // every value matches: the mask stays
    if (matching == 0) {
      std::fill(m, m + n, 0);
      return true;
    }
    const uint16_t* codes = c.codes.data();
    const uint8_t* table = result.data();
    for (size_t r = 0; r < n; ++r) m[r] &= table[codes[r]];
    return true;
  }

  void Field(std::vector<uint8_t>* mask) const {
    const auto* cols = b.Find(n.field);
    const bool absent = n.kind == FilterKind::kCompare && n.cmp == CmpOp::kNe;
    if (cols == nullptr) {
      if (!absent) std::fill(mask->begin(), mask->end(), 0);
      return;
    }
    if (cols->size() == 1 && DictionaryLeaf(*(*cols)[0], mask)) return;
    std::vector<uint8_t> out(mask->size(), 0);
    for (const ColumnVector* c : *cols) {
      if (!Kernel(*c, *mask, &out)) {
        Generic(mask);
        return;
      }
    }
    uint8_t* m = mask->data();
    const uint8_t* o = out.data();
    const uint8_t if_absent = absent ? 1 : 0;
    // Byte arithmetic, no select: a row no column decided has o == 0 (ForPresent's
    // encoding), so its bit 0 is clear and only if_absent counts; g++ compiled the select
    // `(o & 2) ? (o & 1) : if_absent` to a branch per row. The bound is read once: stores
    // through `m` might alias the vector's size, so re-reading it kept the loop scalar.
    const size_t rows = mask->size();
    for (size_t r = 0; r < rows; ++r) {
      const uint8_t decided = static_cast<uint8_t>((o[r] >> 1) & 1);
      m[r] = static_cast<uint8_t>((m[r] != 0) & ((o[r] & 1) | (if_absent & (decided ^ 1))));
    }
  }

  void Run(std::vector<uint8_t>* mask) const {
    if (n.time_field) return Generic(mask);
    if (n.field.empty()) {
      if (n.kind == FilterKind::kWord || n.kind == FilterKind::kPhrase ||
          n.kind == FilterKind::kPrefix) {
        return BareText(mask);
      }
      return Generic(mask);
    }
    if (n.kind == FilterKind::kRegex) return Generic(mask);
    Field(mask);
  }
};

namespace {

void Eval(const ColumnFilter::Node& n, const BlockView& b, std::vector<uint8_t>* mask);
void EvalAnd(const ColumnFilter::Node& n, const BlockView& b, bool skip_time,
             std::vector<uint8_t>* mask);

}  // namespace

void ColumnFilter::Apply(const BlockView& block, std::vector<uint8_t>* mask) const {
  Eval(*root_, block, mask);
}

void ColumnFilter::ApplyInTimeRange(const BlockView& block, std::vector<uint8_t>* mask) const {
  if (root_->kind == FilterKind::kTime) return;
  if (root_->kind == FilterKind::kAnd) return EvalAnd(*root_, block, true, mask);
  Eval(*root_, block, mask);
}

namespace {

// A leaf over a column every row of the block has with one and the same value.
bool DecidedByBlock(const ColumnFilter::Node& n, const BlockView& b) {
  switch (n.kind) {
    case FilterKind::kAll:
    case FilterKind::kAnd:
    case FilterKind::kOr:
    case FilterKind::kNot:
    case FilterKind::kTime:
    case FilterKind::kRegex:
      return false;
    case FilterKind::kWord:
    case FilterKind::kPhrase:
    case FilterKind::kPrefix:
    case FilterKind::kExact:
    case FilterKind::kCompare:
    case FilterKind::kIn:
    case FilterKind::kExists:
      break;
  }
  if (n.time_field || n.field.empty()) return false;
  const auto* cols = b.Find(n.field);
  if (cols == nullptr || cols->size() != 1) return false;
  const ColumnVector& c = *(*cols)[0];
  return c.type == ColumnType::kString && c.dictionary && c.all_present && c.dict.size() == 1;
}

// True when no row is selected (eight mask bytes at a time).
bool NoneSet(const std::vector<uint8_t>& mask) {
  const uint8_t* p = mask.data();
  const size_t n = mask.size();
  size_t i = 0;
  uint64_t any = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    any |= w;
    if ((i & 4095) == 0 && any) return false;
  }
  for (; i < n; ++i) any |= p[i];
  return any == 0;
}

void EvalAnd(const ColumnFilter::Node& n, const BlockView& b, bool skip_time,
             std::vector<uint8_t>* mask) {
  // Leaves the block decides at once first (service:X where the block holds one service):
  // a block of another service or kind is then rejected before any per-row work, and the
  // rest of the conjunction is skipped.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& c : n.children) {
      if (skip_time && c->kind == FilterKind::kTime) continue;
      if (DecidedByBlock(*c, b) != (pass == 0)) continue;
      Eval(*c, b, mask);
      if (NoneSet(*mask)) return;
    }
  }
}

void Eval(const ColumnFilter::Node& n, const BlockView& b, std::vector<uint8_t>* mask) {
  switch (n.kind) {
    case FilterKind::kAll:
      return;
    case FilterKind::kAnd:
      return EvalAnd(n, b, false, mask);
    case FilterKind::kOr: {
      std::vector<uint8_t> result(mask->size(), 0);
      std::vector<uint8_t> rest = *mask;
      for (const auto& c : n.children) {
        std::vector<uint8_t> m = rest;
        Eval(*c, b, &m);
        uint8_t* res = result.data();
        uint8_t* left = rest.data();
        const uint8_t* hit = m.data();
        const size_t rows = m.size();  // read once, as in LeafEval::Field
        for (size_t r = 0; r < rows; ++r) {
          res[r] |= hit[r];
          left[r] &= !hit[r];
        }
      }
      *mask = std::move(result);
      return;
    }
    case FilterKind::kNot: {
      std::vector<uint8_t> m = *mask;
      Eval(*n.children[0], b, &m);
      uint8_t* out = mask->data();
      const uint8_t* hit = m.data();
      const size_t rows = m.size();
      for (size_t r = 0; r < rows; ++r) out[r] &= !hit[r];
      return;
    }
    case FilterKind::kTime:
      // An open start is the int64 minimum; an open end has its own kernel.
      if (n.range.to_ns) {
        AndTimeRange(b.ts, mask->size(),
                     n.range.from_ns.value_or(std::numeric_limits<int64_t>::min()), *n.range.to_ns,
                     mask->data());
      } else {
        AndTimeFrom(b.ts, mask->size(),
                    n.range.from_ns.value_or(std::numeric_limits<int64_t>::min()), mask->data());
      }
      return;
    case FilterKind::kWord:
    case FilterKind::kPhrase:
    case FilterKind::kPrefix:
    case FilterKind::kExact:
    case FilterKind::kCompare:
    case FilterKind::kIn:
    case FilterKind::kRegex:
    case FilterKind::kExists:
      LeafEval{n, b}.Run(mask);
      return;
  }
}

}  // namespace

}  // namespace vigia
