#include "query/filter_matcher.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>

#include "vql/vql_parser.h"

namespace vigia {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}

std::optional<double> ParseNumberText(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseIntegerText(std::string_view s) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

constexpr std::string_view kTextFields[] = {"msg", "error.message", "error.type", "error.stack"};

}  // namespace

bool ContainsWord(std::string_view hay, std::string_view needle, bool prefix) {
  if (needle.empty()) return true;
  bool check_start = IsWordByte(static_cast<unsigned char>(needle.front()));
  bool check_end = !prefix && IsWordByte(static_cast<unsigned char>(needle.back()));
  size_t pos = 0;
  while ((pos = hay.find(needle, pos)) != std::string_view::npos) {
    bool start_ok =
        !check_start || pos == 0 || !IsWordByte(static_cast<unsigned char>(hay[pos - 1]));
    size_t end = pos + needle.size();
    bool end_ok =
        !check_end || end == hay.size() || !IsWordByte(static_cast<unsigned char>(hay[end]));
    if (start_ok && end_ok) return true;
    ++pos;
  }
  return false;
}

std::string ValueToString(const Value& v) {
  switch (v.type) {
    case ValueType::kNull:
      return "";
    case ValueType::kBool:
      return v.b ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(v.i);
    case ValueType::kFloat: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.f);
      return std::string(buf, r.ptr);
    }
    case ValueType::kString:
      return std::string(v.s);
  }
  return "";
}

std::optional<double> ValueToNumber(const Value& v) {
  switch (v.type) {
    case ValueType::kInt:
      return static_cast<double>(v.i);
    case ValueType::kFloat:
      return v.f;
    case ValueType::kString:
      return ParseNumberText(v.s);
    case ValueType::kNull:
    case ValueType::kBool:
      return std::nullopt;
  }
  return std::nullopt;
}

FilterLeaf CompileFilterLeaf(const Filter& f) {
  FilterLeaf l;
  l.kind = f.kind;
  l.field = f.field == "_msg" ? "msg" : f.field;
  l.text = l.field.empty() || IsTextField(l.field);
  l.time_field = IsTimeField(l.field);
  l.value = f.value;
  l.number = ParseNumberText(f.value);
  l.integer = ParseIntegerText(f.value);
  l.values = f.values;
  l.numbers.reserve(f.values.size());
  l.integers.reserve(f.values.size());
  for (const auto& v : f.values) {
    l.numbers.push_back(ParseNumberText(v));
    l.integers.push_back(ParseIntegerText(v));
  }
  l.cmp = f.cmp;
  return l;
}

struct FilterMatcher::Node : FilterLeaf {
  TimeRange range;
  std::unique_ptr<re2::RE2> re;
  std::vector<std::unique_ptr<Node>> children;
};

FilterMatcher::FilterMatcher() = default;
FilterMatcher::FilterMatcher(FilterMatcher&&) noexcept = default;
FilterMatcher& FilterMatcher::operator=(FilterMatcher&&) noexcept = default;
FilterMatcher::~FilterMatcher() = default;

namespace {

// Whole-value equality with numeric comparison when both sides are numbers.
bool ValueEquals(const Value& v, const std::string& text, const std::optional<double>& num,
                 const std::optional<int64_t>& integer) {
  if (v.type == ValueType::kNull) return false;
  if (v.type == ValueType::kString) return v.s == text;
  if (integer && v.type == ValueType::kInt) return v.i == *integer;
  if (num && (v.type == ValueType::kInt || v.type == ValueType::kFloat)) {
    return *ValueToNumber(v) == *num;
  }
  return ValueToString(v) == text;
}

}  // namespace

Result<FilterMatcher> FilterMatcher::Compile(const Filter& filter, int64_t now_ns) {
  struct Compiler {
    int64_t now;
    Result<std::unique_ptr<Node>> Run(const Filter& f) {
      auto n = std::make_unique<Node>();
      static_cast<FilterLeaf&>(*n) = CompileFilterLeaf(f);
      if (f.kind == FilterKind::kTime) {
        if (f.relative_ns > 0) {
          // The last d: (now - d, now], as a half-open range exactly d long (rate() uses it).
          n->range.from_ns = now - f.relative_ns + 1;
          n->range.to_ns = now + 1;
        } else {
          n->range.from_ns = f.from_ns;
          n->range.to_ns = f.to_ns;
        }
      }
      if (f.kind == FilterKind::kRegex) {
        RE2::Options opt;
        opt.set_log_errors(false);
        n->re = std::make_unique<re2::RE2>(f.value, opt);
        if (!n->re->ok()) {
          return Status::InvalidArgument(std::to_string(f.pos.line) + ":" +
                                         std::to_string(f.pos.col) +
                                         ": invalid regex: " + n->re->error());
        }
      }
      for (const auto& c : f.children) {
        VIGIA_ASSIGN_OR_RETURN(auto child, Run(*c));
        n->children.push_back(std::move(child));
      }
      return n;
    }
  };
  Compiler c{now_ns};
  FilterMatcher m;
  VIGIA_ASSIGN_OR_RETURN(m.root_, c.Run(filter));
  if (m.root_->kind == FilterKind::kTime) m.time_range_ = m.root_->range;
  if (m.root_->kind == FilterKind::kAnd) {
    for (const auto& ch : m.root_->children) {
      if (ch->kind == FilterKind::kTime) m.time_range_.Intersect(ch->range);
    }
  }
  return m;
}

namespace {

// Matches `pred(value, is_text_field)` on `n.field`, or on any text field for bare words.
template <typename Pred>
bool OnField(const FilterMatcher& /*unused*/, const std::string& field, const RowAccessor& row,
             Pred pred) {
  if (field.empty()) {
    for (std::string_view tf : kTextFields) {
      Value v = row.Get(tf);
      if (v.type == ValueType::kString && pred(v, true)) return true;
    }
    return false;
  }
  return pred(row.Get(field), IsTextField(field));
}

bool CompareValues(const Value& v, CmpOp op, const std::string& text,
                   const std::optional<double>& num, const std::optional<int64_t>& integer) {
  int c = 0;
  auto vn = ValueToNumber(v);
  if (integer && v.type == ValueType::kInt) {
    c = v.i < *integer ? -1 : (v.i > *integer ? 1 : 0);
  } else if (num && vn) {
    c = *vn < *num ? -1 : (*vn > *num ? 1 : 0);
  } else {
    std::string s = ValueToString(v);
    c = s.compare(text);
    c = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  switch (op) {
    case CmpOp::kLt:
      return c < 0;
    case CmpOp::kLe:
      return c <= 0;
    case CmpOp::kGt:
      return c > 0;
    case CmpOp::kGe:
      return c >= 0;
    case CmpOp::kEq:
      return c == 0;
    case CmpOp::kNe:
      return c != 0;
  }
  return false;
}

}  // namespace

bool FilterMatcher::Matches(const RowAccessor& row) const {
  struct Eval {
    const FilterMatcher& m;
    const RowAccessor& row;
    bool Run(const Node& n) const {
      switch (n.kind) {
        case FilterKind::kAll:
          return true;
        case FilterKind::kAnd:
          for (const auto& c : n.children) {
            if (!Run(*c)) return false;
          }
          return true;
        case FilterKind::kOr:
          for (const auto& c : n.children) {
            if (Run(*c)) return true;
          }
          return false;
        case FilterKind::kNot:
          return !Run(*n.children[0]);
        case FilterKind::kWord:
        case FilterKind::kPhrase:
          return OnField(m, n.field, row, [&](const Value& v, bool text) {
            if (text && v.type == ValueType::kString) return ContainsWord(v.s, n.value, false);
            return ValueEquals(v, n.value, n.number, n.integer);
          });
        case FilterKind::kPrefix:
          return OnField(m, n.field, row, [&](const Value& v, bool text) {
            if (v.type == ValueType::kNull) return false;
            if (text && v.type == ValueType::kString) return ContainsWord(v.s, n.value, true);
            std::string s = ValueToString(v);
            return std::string_view(s).substr(0, n.value.size()) == n.value;
          });
        case FilterKind::kExact:
          return ValueEquals(row.Get(n.field), n.value, n.number, n.integer);
        case FilterKind::kCompare: {
          Value v = row.Get(n.field);
          if (v.type == ValueType::kNull) return n.cmp == CmpOp::kNe;
          if (n.cmp == CmpOp::kNe) return !ValueEquals(v, n.value, n.number, n.integer);
          return CompareValues(v, n.cmp, n.value, n.number, n.integer);
        }
        case FilterKind::kIn:
          return OnField(m, n.field, row, [&](const Value& v, bool text) {
            for (size_t i = 0; i < n.values.size(); ++i) {
              if (text && v.type == ValueType::kString) {
                if (ContainsWord(v.s, n.values[i], false)) return true;
              } else if (ValueEquals(v, n.values[i], n.numbers[i], n.integers[i])) {
                return true;
              }
            }
            return false;
          });
        case FilterKind::kRegex:
          return OnField(m, n.field, row, [&](const Value& v, bool) {
            if (v.type == ValueType::kNull) return false;
            if (v.type == ValueType::kString) {
              return RE2::PartialMatch(re2::StringPiece(v.s.data(), v.s.size()), *n.re);
            }
            return RE2::PartialMatch(ValueToString(v), *n.re);
          });
        case FilterKind::kExists:
          return row.Get(n.field).type != ValueType::kNull;
        case FilterKind::kTime: {
          Value v = row.Get("_time");
          return v.type == ValueType::kInt && n.range.Contains(v.i);
        }
      }
      return false;
    }
  };
  return Eval{*this, row}.Run(*root_);
}

}  // namespace vigia
