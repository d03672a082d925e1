#include "vql/vql_lexer.h"

#include <cstring>

namespace vigia {
namespace {

bool IsDelimiter(char c) {
  return (c != '\0' && std::strchr("()[],|:\"'=<>!~", c) != nullptr) || c == ' ' || c == '\t' ||
         c == '\n' || c == '\r';
}

}  // namespace

std::string DescribeToken(const Token& t) {
  switch (t.kind) {
    case TokKind::kEnd:
      return "end of query";
    case TokKind::kWord:
      return "'" + t.text + "'";
    case TokKind::kString:
      return "string \"" + t.text + "\"";
    case TokKind::kLParen:
      return "'('";
    case TokKind::kRParen:
      return "')'";
    case TokKind::kLBracket:
      return "'['";
    case TokKind::kRBracket:
      return "']'";
    case TokKind::kComma:
      return "','";
    case TokKind::kPipe:
      return "'|'";
    case TokKind::kColon:
      return "':'";
    case TokKind::kMinus:
      return "'-'";
    case TokKind::kBang:
      return "'!'";
    case TokKind::kTilde:
      return "'~'";
    case TokKind::kOp:
      return "'" + t.text + "'";
  }
  return "?";
}

void VqlLexer::Advance() {
  if (pos_ >= text_.size()) return;
  if (text_[pos_] == '\n') {
    ++line_;
    col_ = 1;
  } else {
    ++col_;
  }
  ++pos_;
}

void VqlLexer::SkipSpace() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      Advance();
    } else if (c == '#') {
      // Comments run to the end of the line (handy in golden files and alert rules).
      while (pos_ < text_.size() && text_[pos_] != '\n') Advance();
    } else {
      break;
    }
  }
}

Result<Token> VqlLexer::Next() {
  SkipSpace();
  Token t;
  t.pos = pos();
  t.offset = pos_;
  if (pos_ >= text_.size()) {
    t.kind = TokKind::kEnd;
    last_ = t.kind;
    return t;
  }
  char c = Peek();
  auto single = [&](TokKind k) {
    t.kind = k;
    t.text = std::string(1, c);
    Advance();
  };
  switch (c) {
    case '(':
      single(TokKind::kLParen);
      break;
    case ')':
      single(TokKind::kRParen);
      break;
    case '[':
      single(TokKind::kLBracket);
      break;
    case ']':
      single(TokKind::kRBracket);
      break;
    case ',':
      single(TokKind::kComma);
      break;
    case '|':
      single(TokKind::kPipe);
      break;
    case ':':
      single(TokKind::kColon);
      break;
    case '~':
      single(TokKind::kTilde);
      break;
    case '=':
      single(TokKind::kOp);
      break;
    case '<':
    case '>':
    case '!':
      Advance();
      if (Peek() == '=') {
        Advance();
        t.kind = TokKind::kOp;
        t.text = std::string(1, c) + "=";
      } else if (c == '!') {
        t.kind = TokKind::kBang;
        t.text = "!";
      } else {
        t.kind = TokKind::kOp;
        t.text = std::string(1, c);
      }
      break;
    case '"':
    case '\'': {
      char quote = c;
      Advance();
      std::string s;
      bool closed = false;
      while (pos_ < text_.size()) {
        char d = Peek();
        if (d == '\\' && pos_ + 1 < text_.size()) {
          char e = Peek(1);
          Advance();
          Advance();
          switch (e) {
            case 'n':
              s.push_back('\n');
              break;
            case 't':
              s.push_back('\t');
              break;
            case '*':
              // Kept escaped so the parser can tell a literal '*' from a prefix marker.
              s.append("\\*");
              break;
            default:
              s.push_back(e);
          }
          continue;
        }
        Advance();
        if (d == quote) {
          closed = true;
          break;
        }
        s.push_back(d);
      }
      if (!closed) {
        return Status::InvalidArgument(std::to_string(t.pos.line) + ":" +
                                       std::to_string(t.pos.col) +
                                       ": expected closing quote, got end of query");
      }
      t.kind = TokKind::kString;
      t.text = std::move(s);
      if (Peek() == '*') {
        Advance();
        t.star = true;
      }
      break;
    }
    default: {
      bool value_position = last_ == TokKind::kColon || last_ == TokKind::kOp;
      if (c == '-' && !value_position) {
        single(TokKind::kMinus);
        break;
      }
      t.kind = TokKind::kWord;
      bool digit_start = c >= '0' && c <= '9';
      // A word that starts with a digit keeps ':' followed by a digit, so timestamps such as
      // 2026-11-22T10:00:00Z stay one word.
      while (pos_ < text_.size() && (!IsDelimiter(Peek()) || (digit_start && Peek() == ':' &&
                                                              Peek(1) >= '0' && Peek(1) <= '9'))) {
        t.text.push_back(Peek());
        Advance();
      }
      // Unreachable by construction (every non-delimiter starts a word), but a lexer that
      // does not advance would loop forever, so guard it.
      if (t.text.empty()) {
        return Status::InvalidArgument(std::to_string(t.pos.line) + ":" +
                                       std::to_string(t.pos.col) + ": unexpected character");
      }
    }
  }
  last_ = t.kind;
  return t;
}

}  // namespace vigia
