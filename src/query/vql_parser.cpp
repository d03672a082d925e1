#include "query/vql_parser.h"

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "query/vql_lexer.h"

namespace vigia {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

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

// The value of an operand that has no prefix form (`:=`, comparisons, `in(...)`): "\*" is a
// literal '*' there too, so `f:="x\*"` means the same value as `f:"x\*"`.
std::string UnescapeStar(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '*') ++i;
    out.push_back(s[i]);
  }
  return out;
}

// Unescapes "\*" and reports whether the text ends with an unescaped '*'.
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

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Status Tokenize() {
    VqlLexer lexer(text_);
    while (true) {
      VIGIA_ASSIGN_OR_RETURN(Token t, lexer.Next());
      bool end = t.kind == TokKind::kEnd;
      toks_.push_back(std::move(t));
      if (end) return Status::Ok();
    }
  }

  Result<Query> ParseQuery() {
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

 private:
  const Token& Cur() const { return toks_[i_]; }
  const Token& Peek(size_t k = 1) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  bool Is(TokKind k) const { return Cur().kind == k; }
  bool IsWord(std::string_view w) const { return Is(TokKind::kWord) && IEquals(Cur().text, w); }
  const Token& Take() {
    const Token& t = toks_[i_];
    if (i_ + 1 < toks_.size()) ++i_;
    return t;
  }
  Status Expected(std::string_view what) const {
    return Status::InvalidArgument(std::to_string(Cur().pos.line) + ":" +
                                   std::to_string(Cur().pos.col) + ": expected " +
                                   std::string(what) + ", got " + DescribeToken(Cur()));
  }
  Status Expect(TokKind k, std::string_view what) {
    if (!Is(k)) return Expected(what);
    Take();
    return Status::Ok();
  }
  // Ends a conjunction: the tokens that can follow a filter.
  bool AtFilterEnd() const {
    return Is(TokKind::kEnd) || Is(TokKind::kPipe) || Is(TokKind::kRParen) || Is(TokKind::kComma) ||
           IsWord("or");
  }

  Result<std::unique_ptr<Filter>> ParseOr() {
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

  Result<std::unique_ptr<Filter>> ParseAnd() {
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

  Result<std::unique_ptr<Filter>> ParseUnary() {
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

  std::unique_ptr<Filter> Leaf(FilterKind kind, VqlPos pos, std::string field, std::string value) {
    auto f = std::make_unique<Filter>();
    f->kind = kind;
    f->pos = pos;
    f->field = std::move(field);
    f->value = std::move(value);
    return f;
  }

  Result<std::unique_ptr<Filter>> ParsePrimary() {
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

  std::unique_ptr<Filter> WordValue(const std::string& field, const Token& t, VqlPos pos) {
    if (t.text == "*") {
      return field.empty() ? Leaf(FilterKind::kAll, pos, "", "")
                           : Leaf(FilterKind::kExists, pos, field, "");
    }
    bool prefix = false;
    std::string v = StripStar(t.text, &prefix);
    return Leaf(prefix ? FilterKind::kPrefix : FilterKind::kWord, pos, field, std::move(v));
  }

  std::unique_ptr<Filter> StringValue(const std::string& field, const Token& t, VqlPos pos) {
    bool prefix = false;
    std::string v = StripStar(t.text, &prefix);
    prefix = prefix || t.star;
    return Leaf(prefix ? FilterKind::kPrefix : FilterKind::kPhrase, pos, field, std::move(v));
  }

  Result<std::string> ParseScalar() {
    if (Is(TokKind::kWord) || Is(TokKind::kString)) return Take().text;
    return Expected("a value");
  }

  Result<std::unique_ptr<Filter>> ParseOpValue(const std::string& field, VqlPos pos) {
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

  Result<std::unique_ptr<Filter>> ParseTime(VqlPos pos) {
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

  Status TimeError(const Token& t) const {
    return Status::InvalidArgument(std::to_string(t.pos.line) + ":" + std::to_string(t.pos.col) +
                                   ": expected an RFC 3339 timestamp, got " + DescribeToken(t));
  }

  Result<std::unique_ptr<Filter>> ParseFieldValue(const std::string& field, VqlPos pos) {
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

  // A result column name: `name` or a call such as `count()` / `p95(duration_ms)`, spelled
  // canonically as name(arg1, arg2).
  Result<std::string> ParseColumnRef() {
    if (Is(TokKind::kString)) return Take().text;
    if (!Is(TokKind::kWord)) return Expected("a field name");
    std::string name = Take().text;
    if (!Is(TokKind::kLParen)) return name;
    Take();
    std::vector<std::string> args;
    while (!Is(TokKind::kRParen)) {
      if (!args.empty()) VIGIA_RETURN_IF_ERROR(Expect(TokKind::kComma, "',' or ')'"));
      VIGIA_ASSIGN_OR_RETURN(std::string a, ParseScalar());
      args.push_back(std::move(a));
    }
    Take();
    return CallName(name, args);
  }

  static std::string CallName(const std::string& name, const std::vector<std::string>& args) {
    std::string s = name + "(";
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) s += ", ";
      s += args[i];
    }
    return s + ")";
  }

  Result<Pipe> ParsePipe() {
    Pipe p;
    p.pos = Cur().pos;
    if (IsWord("stats")) {
      Take();
      p.kind = PipeKind::kStats;
      if (IsWord("by")) VIGIA_RETURN_IF_ERROR(ParseBy(&p));
      while (true) {
        VIGIA_ASSIGN_OR_RETURN(Aggregate a, ParseAggregate());
        p.aggregates.push_back(std::move(a));
        if (!Is(TokKind::kComma)) break;
        Take();
      }
      if (IsWord("by") && p.by.empty()) VIGIA_RETURN_IF_ERROR(ParseBy(&p));
      return p;
    }
    if (IsWord("where") || IsWord("filter")) {
      Take();
      p.kind = PipeKind::kWhere;
      VIGIA_ASSIGN_OR_RETURN(p.where, ParseOr());
      return p;
    }
    if (IsWord("sort")) {
      Take();
      p.kind = PipeKind::kSort;
      if (IsWord("by")) Take();
      bool paren = Is(TokKind::kLParen);
      if (paren) Take();
      while (true) {
        SortKey k;
        VIGIA_ASSIGN_OR_RETURN(k.field, ParseColumnRef());
        if (IsWord("desc")) {
          Take();
          k.desc = true;
        } else if (IsWord("asc")) {
          Take();
        }
        p.sort.push_back(std::move(k));
        if (!Is(TokKind::kComma)) break;
        Take();
      }
      if (paren) VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "',' or ')'"));
      return p;
    }
    if (IsWord("limit") || IsWord("head")) {
      Take();
      p.kind = PipeKind::kLimit;
      VIGIA_ASSIGN_OR_RETURN(p.limit, ParseCount());
      return p;
    }
    if (IsWord("fields")) {
      Take();
      p.kind = PipeKind::kFields;
      bool paren = Is(TokKind::kLParen);
      if (paren) Take();
      while (true) {
        VIGIA_ASSIGN_OR_RETURN(std::string f, ParseColumnRef());
        p.fields.push_back(std::move(f));
        if (!Is(TokKind::kComma)) break;
        Take();
      }
      if (paren) VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "',' or ')'"));
      return p;
    }
    if (IsWord("top")) {
      Take();
      p.kind = PipeKind::kTop;
      p.limit = 10;
      if (Is(TokKind::kWord) && !IsWord("by")) {
        VIGIA_ASSIGN_OR_RETURN(p.limit, ParseCount());
      }
      if (!IsWord("by")) return Expected("'by'");
      VIGIA_RETURN_IF_ERROR(ParseBy(&p));
      return p;
    }
    if (IsWord("math")) {
      Take();
      p.kind = PipeKind::kMath;
      while (true) {
        MathAssign m;
        VIGIA_ASSIGN_OR_RETURN(m.expr, ParseAdditive());
        if (!IsWord("as")) return Expected("'as'");
        Take();
        VIGIA_ASSIGN_OR_RETURN(m.name, ParseScalar());
        p.math.push_back(std::move(m));
        if (!Is(TokKind::kComma)) break;
        Take();
      }
      return p;
    }
    return Expected("a pipe (stats, where, sort, limit, fields, top, math)");
  }

  Result<uint64_t> ParseCount() {
    if (!Is(TokKind::kWord)) return Expected("a number");
    uint64_t n = 0;
    const std::string& s = Cur().text;
    auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return Expected("a number");
    Take();
    return n;
  }

  Status ParseBy(Pipe* p) {
    Take();  // by
    bool paren = Is(TokKind::kLParen);
    if (paren) Take();
    while (true) {
      if (!Is(TokKind::kWord) && !Is(TokKind::kString)) return Expected("a field name");
      GroupKey k;
      k.field = Take().text;
      if (k.field == "_time") {
        VIGIA_RETURN_IF_ERROR(Expect(TokKind::kColon, "':' and a bucket such as _time:1m"));
        auto d = Is(TokKind::kWord) ? ParseDurationNs(Cur().text) : std::nullopt;
        if (!d) return Expected("a duration such as 1m");
        Take();
        k.bucket_ns = *d;
      }
      p->by.push_back(std::move(k));
      if (!Is(TokKind::kComma)) break;
      Take();
    }
    if (paren) return Expect(TokKind::kRParen, "',' or ')'");
    return Status::Ok();
  }

  Result<Aggregate> ParseAggregate() {
    Aggregate a;
    if (!Is(TokKind::kWord)) return Expected("a stats function such as count()");
    std::string fn = Cur().text;
    const Token fn_tok = Cur();
    Take();
    VIGIA_RETURN_IF_ERROR(Expect(TokKind::kLParen, "'('"));
    std::vector<std::string> args;
    while (!Is(TokKind::kRParen)) {
      if (!args.empty()) VIGIA_RETURN_IF_ERROR(Expect(TokKind::kComma, "',' or ')'"));
      VIGIA_ASSIGN_OR_RETURN(std::string arg, ParseScalar());
      args.push_back(std::move(arg));
    }
    const Token close = Cur();
    Take();
    auto bad_args = [&](std::string_view want) {
      return Status::InvalidArgument(std::to_string(close.pos.line) + ":" +
                                     std::to_string(close.pos.col) + ": expected " +
                                     std::string(want) + " for " + fn + ", got " +
                                     std::to_string(args.size()) + " argument(s)");
    };
    if (fn == "count" || fn == "rate") {
      a.func = fn == "count" ? AggFunc::kCount : AggFunc::kRate;
      if (args.size() > (fn == "count" ? 1u : 0u)) return bad_args("fewer arguments");
      if (!args.empty()) a.field = args[0];
    } else if (fn == "count_distinct" || fn == "count_uniq" || fn == "sum" || fn == "avg" ||
               fn == "min" || fn == "max" || fn == "p50" || fn == "p90" || fn == "p95" ||
               fn == "p99" || fn == "median") {
      if (args.size() != 1) return bad_args("one field");
      a.field = args[0];
      if (fn == "count_distinct" || fn == "count_uniq") {
        a.func = AggFunc::kCountDistinct;
      } else if (fn == "sum") {
        a.func = AggFunc::kSum;
      } else if (fn == "avg") {
        a.func = AggFunc::kAvg;
      } else if (fn == "min") {
        a.func = AggFunc::kMin;
      } else if (fn == "max") {
        a.func = AggFunc::kMax;
      } else {
        a.func = AggFunc::kQuantile;
        a.q = fn == "median" ? 0.5 : std::stoi(fn.substr(1)) / 100.0;
      }
    } else if (fn == "quantile") {
      if (args.size() != 2) return bad_args("a quantile and a field");
      auto q = ParseNumber(args[0]);
      if (!q || *q < 0 || *q > 1) {
        return Status::InvalidArgument(std::to_string(fn_tok.pos.line) + ":" +
                                       std::to_string(fn_tok.pos.col) +
                                       ": expected a quantile between 0 and 1, got " + args[0]);
      }
      a.func = AggFunc::kQuantile;
      a.q = *q;
      a.field = args[1];
    } else {
      return Status::InvalidArgument(std::to_string(fn_tok.pos.line) + ":" +
                                     std::to_string(fn_tok.pos.col) +
                                     ": expected a stats function (count, count_distinct, sum, "
                                     "avg, min, max, p50, p90, p95, p99, quantile, rate), got '" +
                                     fn + "'");
    }
    a.name = CallName(fn, args);
    if (IsWord("if")) {
      Take();
      size_t start = Cur().offset;
      VIGIA_RETURN_IF_ERROR(Expect(TokKind::kLParen, "'('"));
      VIGIA_ASSIGN_OR_RETURN(a.cond, ParseOr());
      size_t end = Cur().offset + 1;
      VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "')'"));
      a.name += " if " + std::string(text_.substr(start, end - start));
    }
    if (IsWord("as")) {
      Take();
      VIGIA_ASSIGN_OR_RETURN(a.name, ParseScalar());
    }
    return a;
  }

  // math: additive := mul (('+' | '-') mul)*; mul := unary (('*' | '/') unary)*
  Result<std::unique_ptr<MathExpr>> ParseAdditive() {
    VIGIA_ASSIGN_OR_RETURN(auto left, ParseMul());
    while (Is(TokKind::kMinus) || (Is(TokKind::kWord) && Cur().text == "+")) {
      bool sub = Is(TokKind::kMinus);
      Take();
      VIGIA_ASSIGN_OR_RETURN(auto right, ParseMul());
      left = Binary(sub ? MathExpr::Kind::kSub : MathExpr::Kind::kAdd, std::move(left),
                    std::move(right));
    }
    return left;
  }

  Result<std::unique_ptr<MathExpr>> ParseMul() {
    VIGIA_ASSIGN_OR_RETURN(auto left, ParseMathUnary());
    while (Is(TokKind::kWord) && (Cur().text == "*" || Cur().text == "/")) {
      bool div = Cur().text == "/";
      Take();
      VIGIA_ASSIGN_OR_RETURN(auto right, ParseMathUnary());
      left = Binary(div ? MathExpr::Kind::kDiv : MathExpr::Kind::kMul, std::move(left),
                    std::move(right));
    }
    return left;
  }

  static std::unique_ptr<MathExpr> Binary(MathExpr::Kind k, std::unique_ptr<MathExpr> a,
                                          std::unique_ptr<MathExpr> b) {
    auto e = std::make_unique<MathExpr>();
    e->kind = k;
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return e;
  }

  Result<std::unique_ptr<MathExpr>> ParseMathUnary() {
    auto e = std::make_unique<MathExpr>();
    if (Is(TokKind::kMinus)) {
      Take();
      e->kind = MathExpr::Kind::kNeg;
      VIGIA_ASSIGN_OR_RETURN(auto a, ParseMathUnary());
      e->args.push_back(std::move(a));
      return e;
    }
    if (Is(TokKind::kLParen)) {
      Take();
      VIGIA_ASSIGN_OR_RETURN(e, ParseAdditive());
      VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "')'"));
      return e;
    }
    if (IsWord("round") && Peek().kind == TokKind::kLParen) {
      Take();
      Take();
      e->kind = MathExpr::Kind::kRound;
      VIGIA_ASSIGN_OR_RETURN(auto a, ParseAdditive());
      e->args.push_back(std::move(a));
      if (Is(TokKind::kComma)) {
        Take();
        VIGIA_ASSIGN_OR_RETURN(auto digits, ParseAdditive());
        e->args.push_back(std::move(digits));
      }
      VIGIA_RETURN_IF_ERROR(Expect(TokKind::kRParen, "')'"));
      return e;
    }
    if (Is(TokKind::kWord)) {
      if (auto n = ParseNumber(Cur().text)) {
        Take();
        e->kind = MathExpr::Kind::kNumber;
        e->number = *n;
        return e;
      }
    }
    if (!Is(TokKind::kWord) && !Is(TokKind::kString)) return Expected("a number or a field");
    e->kind = MathExpr::Kind::kField;
    VIGIA_ASSIGN_OR_RETURN(e->field, ParseColumnRef());
    return e;
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  std::string default_field_;
};

}  // namespace

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
  return p.ParseQuery();
}

}  // namespace vigia
