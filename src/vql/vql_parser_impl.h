// Internals of the VQL parser (vql_parser.h), shared by its two source files:
// vql_parser.cpp (tokens, filters, entry points) and vql_parser_pipes.cpp (pipes, aggregates,
// math). Not part of the vql library's interface: include vql_parser.h instead.
//
// Thread-safety: a Parser is used by one thread for one text; the free functions are pure.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "common/status.h"
#include "vql/vql_ast.h"
#include "vql/vql_lexer.h"

namespace vigia::vql_internal {

// ASCII case-insensitive equality (keywords: `or`, `by`, `desc`...).
// The whole text as a number, else nullopt.
std::optional<double> ParseNumber(std::string_view s);
// RFC 3339 or integer epoch (s/ms/us/ns by magnitude) → ns since the epoch.
std::optional<int64_t> ParseTimePoint(std::string_view s);
// The value of an operand that has no prefix form (`:=`, comparisons, `in(...)`): "\*" is a
// literal '*' there too, so `f:="x\*"` means the same value as `f:"x\*"`.
std::string UnescapeStar(const std::string& s);
// Unescapes "\*" and reports whether the text ends with an unescaped '*'.
std::string StripStar(const std::string& s, bool* prefix);

// Recursive descent over the token list; every method leaves the cursor after what it parsed.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Status Tokenize();
  Result<Query> ParseQuery();

 private:
  const Token& Cur() const { return toks_[i_]; }
  const Token& Peek(size_t k = 1) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  bool Is(TokKind k) const { return Cur().kind == k; }
  bool IsWord(std::string_view w) const {
    return Is(TokKind::kWord) && ascii::EqualsIgnoreCase(Cur().text, w);
  }
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

  Result<std::unique_ptr<Filter>> ParseOr();
  Result<std::unique_ptr<Filter>> ParseAnd();
  Result<std::unique_ptr<Filter>> ParseUnary();
  std::unique_ptr<Filter> Leaf(FilterKind kind, VqlPos pos, std::string field, std::string value);

  Result<std::unique_ptr<Filter>> ParsePrimary();
  std::unique_ptr<Filter> WordValue(const std::string& field, const Token& t, VqlPos pos);

  std::unique_ptr<Filter> StringValue(const std::string& field, const Token& t, VqlPos pos);

  Result<std::string> ParseScalar();
  Result<std::unique_ptr<Filter>> ParseOpValue(const std::string& field, VqlPos pos);
  Result<std::unique_ptr<Filter>> ParseTime(VqlPos pos);
  Status TimeError(const Token& t) const;
  Result<std::unique_ptr<Filter>> ParseFieldValue(const std::string& field, VqlPos pos);
  // A result column name: `name` or a call such as `count()` / `p95(duration_ms)`, spelled
  // canonically as name(arg1, arg2).
  Result<std::string> ParseColumnRef();
  static std::string CallName(const std::string& name, const std::vector<std::string>& args);
  Result<Pipe> ParsePipe();
  Result<uint64_t> ParseCount();
  Status ParseBy(Pipe* p);
  Result<Aggregate> ParseAggregate();
  // math: additive := mul (('+' | '-') mul)*; mul := unary (('*' | '/') unary)*
  Result<std::unique_ptr<MathExpr>> ParseAdditive();
  Result<std::unique_ptr<MathExpr>> ParseMul();

  static std::unique_ptr<MathExpr> Binary(MathExpr::Kind k, std::unique_ptr<MathExpr> a,
                                          std::unique_ptr<MathExpr> b) {
    auto e = std::make_unique<MathExpr>();
    e->kind = k;
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return e;
  }

  Result<std::unique_ptr<MathExpr>> ParseMathUnary();
  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  std::string default_field_;
};

}  // namespace vigia::vql_internal
