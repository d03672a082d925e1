// VqlLexer: splits VQL text into tokens for VqlParser.
//
// A word is a run of characters other than whitespace and the delimiters ( ) [ ] , | : " '
// = < > ! ~ — so routes (/sales/{id}/pay), ids, IPs, durations (5m) and names with dots
// (error.type) are single words. A '-' at the start of a token is the negation operator
// unless it follows ':' or a comparison operator (then it starts a value such as -5).
// A quoted string (double or single quotes, backslash escapes) followed directly by '*'
// is flagged as a prefix. A word starting with a digit keeps ':' before a digit
// (timestamps). '#' outside a word or string starts a comment to the end of the line.
//
// Thread-safety: externally synchronized.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "vql/vql_ast.h"

namespace vigia {

enum class TokKind : uint8_t {
  kEnd,
  kWord,
  kString,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kPipe,
  kColon,
  kMinus,  // negation
  kBang,   // negation
  kTilde,  // regex
  kOp,     // = != < <= > >=
};

struct Token {
  TokKind kind = TokKind::kEnd;
  std::string text;   // word text, unescaped string, or operator spelling
  bool star = false;  // kString directly followed by '*'
  VqlPos pos;
  size_t offset = 0;  // byte offset of the token start
};

// Human name of a token for "expected X, got Y" messages.
std::string DescribeToken(const Token& t);

class VqlLexer {
 public:
  explicit VqlLexer(std::string_view text) : text_(text) {}

  // Returns the next token, or an error for an unterminated string.
  Result<Token> Next();

  VqlPos pos() const { return {line_, col_}; }

 private:
  char Peek(size_t k = 0) const { return pos_ + k < text_.size() ? text_[pos_ + k] : '\0'; }
  void Advance();
  void SkipSpace();

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  TokKind last_ = TokKind::kEnd;
};

}  // namespace vigia
