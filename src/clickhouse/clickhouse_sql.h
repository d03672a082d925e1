// VQL → ClickHouse SQL for the events table (clickhouse_schema.h).
//
// The WHERE clause is a *superset* of the VQL filter: every event the filter matches satisfies
// it, and most that do not are dropped in ClickHouse (time ranges, tenant, service, kind,
// request ids, status ranges, words of msg — the selective parts). The exact filter then runs
// in vigia over the rows that come back (the reference matcher, query/filter_matcher.h), so
// VQL's typing rules (status:500 matching 500, 500.0 and "500"; words at word boundaries;
// missing fields satisfying !=) hold to the letter whatever ClickHouse would make of them.
// A leaf that cannot be narrowed in SQL without risking a lost row (negations, !=, regexes,
// numbers compared with strings) becomes `1`, never a guess.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "vql/vql_ast.h"

namespace vigia::clickhouse {

// The SQL condition implied by `f` (relative _time windows resolved against now_ns).
std::string FilterToSql(const Filter& f, int64_t now_ns);

// The SQL condition that is *exactly* the VQL filter `f` on every row where none of the fields
// it names is held in `x` (with a type other than its column's) — what aggregation pushdown
// needs (clickhouse_stats_pushdown.h), which checks that side in the same statement. Every
// part is a non-NULL 0/1 (NULL columns folded with ifNull), so NOT and OR keep VQL's meaning
// (a missing field satisfies `!=` and negations). Only leaves whose VQL meaning SQL states
// to the letter are compiled: `_time` ranges; exact/word/in values, `!=`, string
// comparisons with a non-numeric literal and prefixes on typed string columns that are not
// text fields; integer literals against integer columns; `field:*`. Anything else (bare
// words, words of text fields, regexes, float columns, numbers against strings, fields
// without a typed column, booleans) gives nullopt and `*why` names it. `fields` receives
// the fields the condition reads.
std::optional<std::string> FilterToExactSql(const Filter& f, int64_t now_ns,
                                            std::set<std::string>* fields, std::string* why);

// The fields a query reads before its first stats/top/fields pipe (the filter's, the `if`
// conditions', the by keys', the aggregated fields', `where`/`sort`/`math` before it), so
// the SELECT can leave every other typed column out; nullopt when the query needs whole
// events (a plain filter). Bare words add the text fields.
std::optional<std::set<std::string>> FieldsRead(const Query& q);

}  // namespace vigia::clickhouse
