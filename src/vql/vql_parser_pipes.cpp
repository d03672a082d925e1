// The pipe half of the VQL parser (vql_parser_impl.h): stats/top/where/sort/limit/fields/math
// pipes, aggregates, `by` lists and math expressions.
#include <charconv>
#include <string>
#include <vector>

#include "vql/vql_parser.h"
#include "vql/vql_parser_impl.h"

namespace vigia::vql_internal {

Result<std::string> Parser::ParseColumnRef() {
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

std::string Parser::CallName(const std::string& name, const std::vector<std::string>& args) {
  std::string s = name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) s += ", ";
    s += args[i];
  }
  return s + ")";
}

Result<Pipe> Parser::ParsePipe() {
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

Result<uint64_t> Parser::ParseCount() {
  if (!Is(TokKind::kWord)) return Expected("a number");
  uint64_t n = 0;
  const std::string& s = Cur().text;
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return Expected("a number");
  Take();
  return n;
}

Status Parser::ParseBy(Pipe* p) {
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

Result<Aggregate> Parser::ParseAggregate() {
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
    return Status::InvalidArgument(
        std::to_string(close.pos.line) + ":" + std::to_string(close.pos.col) + ": expected " +
        std::string(want) + " for " + fn + ", got " + std::to_string(args.size()) + " argument(s)");
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

Result<std::unique_ptr<MathExpr>> Parser::ParseAdditive() {
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

Result<std::unique_ptr<MathExpr>> Parser::ParseMul() {
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

Result<std::unique_ptr<MathExpr>> Parser::ParseMathUnary() {
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

}  // namespace vigia::vql_internal
