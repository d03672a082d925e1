#include "vql/vql_parser.h"

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "vql/vql_lexer.h"
#include "vql/vql_parser_impl.h"

namespace vigia {
namespace vql_internal {

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseTimePoint(std::string_view s) {
  if (auto t = ParseRfc3339(s)) return t;
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return EpochToNanos(v);
  return std::nullopt;
}

std::string UnescapeStar(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '*') ++i;
    out.push_back(s[i]);
  }
  return out;
}

std::string StripStar(const std::string& s, bool* prefix) {
  std::string out;
  *prefix = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '*') {
      out.push_back('*');
      ++i;
    } else if (s[i] == '*' && i + 1 == s.size()) {
      *prefix = true;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}
Status Parser::Tokenize() {
  VqlLexer lexer(text_);
  while (true) {
    VIGIA_ASSIGN_OR_RETURN(Token t, lexer.Next());
    bool end = t.kind == TokKind::kEnd;
    toks_.push_back(std::move(t));
    if (end) return Status::Ok();
  }
}

Result<Query> Parser::ParseQuery() {
  Query q;
  if (Is(TokKind::kEnd) || Is(TokKind::kPipe)) {
    q.filter = std::make_unique<Filter>();
    q.filter->pos = Cur().pos;
  } else {
    VIGIA_ASSIGN_OR_RETURN(q.filter, ParseOr());
  }
  while (Is(TokKind::kPipe)) {
    Take();
    VIGIA_ASSIGN_OR_RETURN(Pipe p, ParsePipe());
    q.pipes.push_back(std::move(p));
  }
  if (!Is(TokKind::kEnd)) return Expected("'|' or end of query");
  return q;
}

Result<std::unique_ptr<Filter>> Parser::ParseOr() {
  VqlPos pos = Cur().pos;
  VIGIA_ASSIGN_OR_RETURN(auto first, ParseAnd());
  if (!IsWord("or")) return first;
  auto f = std::make_unique<Filter>();
  f->kind = FilterKind::kOr;
  f->pos = pos;
  f->children.push_back(std::move(first));
  while (IsWord("or")) {
    Take();
    VIGIA_ASSIGN_OR_RETURN(auto next, ParseAnd());
    f->children.push_back(std::move(next));
  }
  return f;
}

Result<std::unique_ptr<Filter>> Parser::ParseAnd() {
  VqlPos pos = Cur().pos;
  std::vector<std::unique_ptr<Filter>> terms;
  while (true) {
    if (IsWord("and")) {
      if (terms.empty()) return Expected("a filter");
      Take();
    } else if (AtFilterEnd()) {
      break;
    }
    VIGIA_ASSIGN_OR_RETURN(auto t, ParseUnary());
    terms.push_back(std::move(t));
  }
  if (terms.empty()) return Expected("a filter");
  if (terms.size() == 1) return std::move(terms[0]);
  auto f = std::make_unique<Filter>();
  f->kind = FilterKind::kAnd;
  f->pos = pos;
  f->children = std::move(terms);
  return f;
}

Result<std::unique_ptr<Filter>> Parser::ParseUnary() {
  VqlPos pos = Cur().pos;
  if (Is(TokKind::kMinus) || Is(TokKind::kBang) || IsWord("not")) {
    Take();
    VIGIA_ASSIGN_OR_RETURN(auto child, ParseUnary());
    auto f = std::make_unique<Filter>();
    f->kind = FilterKind::kNot;
    f->pos = pos;
    f->children.push_back(std::move(child));
    return f;
  }
  return ParsePrimary();
}

std::unique_ptr<Filter> Parser::Leaf(FilterKind kind, VqlPos pos, std::string field,
                                     std::string value) {
  auto f = std::make_unique<Filter>();
  f->kind = kind;
  f->pos = pos;
  f->field = std::move(field);
  f->value = std::move(value);
  return f;
}

Result<std::unique_ptr<Filter>> Parser::ParsePrimary() {
  VqlPos pos = Cur().pos;
  if (Is(TokKind::kLParen)) {
    Take();
    VIGIA_ASSIGN_OR_RETURN(auto f, ParseOr());
    VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "')'"));
    return f;
  }
  if (Is(TokKind::kString)) return StringValue(default_field_, Take(), pos);
  if (!Is(TokKind::kWord)) return Expected("a filter");
  if (Peek().kind == TokKind::kColon) {
    std::string field = Take().text;
    Take();
    return ParseFieldValue(field, pos);
  }
  if (Peek().kind == TokKind::kOp) {
    std::string field = Take().text;
    return ParseOpValue(field, pos);
  }
  if (Peek().kind == TokKind::kLParen) {
    // A result column named by its call (`where count() > 10`, `p95(duration_ms):>=100`).
    // Only when a ':' or an operator follows; otherwise `word (a or b)` keeps meaning a
    // word and a group.
    size_t start = i_;
    auto column = ParseColumnRef();
    if (column.ok() && Is(TokKind::kColon)) {
      Take();
      return ParseFieldValue(*column, pos);
    }
    if (column.ok() && Is(TokKind::kOp)) return ParseOpValue(*column, pos);
    i_ = start;
  }
  return WordValue(default_field_, Take(), pos);
}

std::unique_ptr<Filter> Parser::WordValue(const std::string& field, const Token& t, VqlPos pos) {
  if (t.text == "*") {
    return field.empty() ? Leaf(FilterKind::kAll, pos, "", "")
                         : Leaf(FilterKind::kExists, pos, field, "");
  }
  bool prefix = false;
  std::string v = StripStar(t.text, &prefix);
  return Leaf(prefix ? FilterKind::kPrefix : FilterKind::kWord, pos, field, std::move(v));
}

std::unique_ptr<Filter> Parser::StringValue(const std::string& field, const Token& t, VqlPos pos) {
  bool prefix = false;
  std::string v = StripStar(t.text, &prefix);
  prefix = prefix || t.star;
  return Leaf(prefix ? FilterKind::kPrefix : FilterKind::kPhrase, pos, field, std::move(v));
}

Result<std::string> Parser::ParseScalar() {
  if (Is(TokKind::kWord) || Is(TokKind::kString)) return Take().text;
  return Expected("a value");
}

Result<std::unique_ptr<Filter>> Parser::ParseOpValue(const std::string& field, VqlPos pos) {
  std::string op = Take().text;
  VIGIA_ASSIGN_OR_RETURN(std::string raw, ParseScalar());
  std::string v = UnescapeStar(raw);
  if (op == "=") return Leaf(FilterKind::kExact, pos, field, std::move(v));
  auto f = Leaf(FilterKind::kCompare, pos, field, std::move(v));
  f->cmp = op == "<"    ? CmpOp::kLt
           : op == "<=" ? CmpOp::kLe
           : op == ">"  ? CmpOp::kGt
           : op == ">=" ? CmpOp::kGe
                        : CmpOp::kNe;
  return f;
}

Result<std::unique_ptr<Filter>> Parser::ParseTime(VqlPos pos) {
  auto f = Leaf(FilterKind::kTime, pos, "_time", "");
  if (Is(TokKind::kLBracket)) {
    Take();
    const Token& a = Cur();
    VIGIA_ASSIGN_OR_RETURN(std::string from, ParseScalar());
    f->from_ns = ParseTimePoint(from);
    if (!f->from_ns) return TimeError(a);
    VIGIA_RETURN_IF_ERROR(Expect(TokKind::kComma, "','"));
    const Token& b = Cur();
    VIGIA_ASSIGN_OR_RETURN(std::string to, ParseScalar());
    f->to_ns = ParseTimePoint(to);
    if (!f->to_ns) return TimeError(b);
    if (Is(TokKind::kRBracket)) {
      *f->to_ns += 1;  // inclusive end
    } else if (!Is(TokKind::kRParen)) {
      return Expected("')' or ']'");
    }
    Take();
    return f;
  }
  if (!Is(TokKind::kWord)) return Expected("a duration such as 5m or a range [a, b)");
  auto d = ParseDurationNs(Cur().text);
  if (!d) return Expected("a duration such as 5m");
  Take();
  f->relative_ns = *d;
  return f;
}

Status Parser::TimeError(const Token& t) const {
  return Status::InvalidArgument(std::to_string(t.pos.line) + ":" + std::to_string(t.pos.col) +
                                 ": expected an RFC 3339 timestamp, got " + DescribeToken(t));
}

Result<std::unique_ptr<Filter>> Parser::ParseFieldValue(const std::string& field, VqlPos pos) {
  if (field == "_time") return ParseTime(pos);
  if (Is(TokKind::kOp)) return ParseOpValue(field, pos);
  if (Is(TokKind::kTilde)) {
    Take();
    VIGIA_ASSIGN_OR_RETURN(std::string re, ParseScalar());
    return Leaf(FilterKind::kRegex, pos, field, std::move(re));
  }
  if (IsWord("in") && Peek().kind == TokKind::kLParen) {
    Take();
    Take();
    auto f = Leaf(FilterKind::kIn, pos, field, "");
    while (true) {
      VIGIA_ASSIGN_OR_RETURN(std::string v, ParseScalar());
      f->values.push_back(UnescapeStar(v));
      if (Is(TokKind::kComma)) {
        Take();
        continue;
      }
      VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "',' or ')'"));
      return f;
    }
  }
  if (Is(TokKind::kLParen)) {
    // field:(a or b c): bare words inside apply to `field`.
    Take();
    std::string saved = default_field_;
    default_field_ = field;
    auto f = ParseOr();
    default_field_ = saved;
    if (!f.ok()) return f.status();
    VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "')'"));
    return std::move(f).value();
  }
  if (Is(TokKind::kString)) return StringValue(field, Take(), pos);
  if (Is(TokKind::kWord)) return WordValue(field, Take(), pos);
  return Expected("a value after ':'");
}

}  // namespace vql_internal

using vql_internal::ParseNumber;
using vql_internal::Parser;

bool IsTextField(std::string_view field) {
  return field == "msg" || field == "error.message" || field == "error.type" ||
         field == "error.stack";
}

std::optional<int64_t> ParseDurationNs(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    auto n = ParseNumber(s.substr(start, i - start));
    if (!n) return std::nullopt;
    size_t ustart = i;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    double mult = 0;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "µs") {
      mult = 1e3;
    } else if (unit == "ms") {
      mult = 1e6;
    } else if (unit == "s") {
      mult = 1e9;
    } else if (unit == "m") {
      mult = 60e9;
    } else if (unit == "h") {
      mult = 3600e9;
    } else if (unit == "d") {
      mult = 86400e9;
    } else if (unit == "w") {
      mult = 7 * 86400e9;
    } else {
      return std::nullopt;
    }
    double v = *n * mult;
    // Beyond ~292 years the nanosecond count overflows int64.
    if (!(v < 9e18)) return std::nullopt;
    total += static_cast<int64_t>(std::llround(v));
    if (total > static_cast<int64_t>(9e18)) return std::nullopt;
  }
  if (total <= 0) return std::nullopt;
  return total;
}

Result<Query> ParseVql(std::string_view text) {
  Parser p(text);
  VIGIA_RETURN_IF_ERROR(p.Tokenize());
  VIGIA_ASSIGN_OR_RETURN(Query q, p.ParseQuery());
  q.text = std::string(text);
  return q;
}

std::string VqlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '*') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace vigia
