// ParseVql: hand-written recursive-descent parser from VQL text to a Query AST.
//
// Grammar (docs/vql.md has the full reference with examples):
//   query   := filter? ('|' pipe)*
//   filter  := or
//   or      := and (('or' | 'OR') and)*
//   and     := unary (('and' | 'AND')? unary)*
//   unary   := ('not' | 'NOT' | '-' | '!') unary | primary
//   primary := '(' filter ')' | '*' | word['*'] | string['*'] | field ':' value
//            | field op value
//   value   := word | string | '*' | prefix* | '=' v | op v | 'in' '(' v, ... ')'
//            | '~' string | '(' or-of-values ')' | (for _time) duration | '[' a ',' b (')'|']')
//   pipe    := stats | where | sort | limit | head | fields | top | math
// Errors are InvalidArgument "line:col: expected X, got Y".
//
// Thread-safety: pure function, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "vql/vql_ast.h"

namespace vigia {

Result<Query> ParseVql(std::string_view text);

// "5m", "1h30m", "250ms", "2d", "1w" → nanoseconds; nullopt when malformed or not positive.
std::optional<int64_t> ParseDurationNs(std::string_view s);

// The text fields searched by bare words and phrases.
bool IsTextField(std::string_view field);

// A double-quoted VQL string that the parser reads back as `s` literally (", \ and * escaped),
// for queries built from values: `"fingerprint:=" + VqlString(fp)`.
std::string VqlString(std::string_view s);

}  // namespace vigia
