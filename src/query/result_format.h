// Output formats of query results: json (one array of objects), ndjson (one object per
// line), csv (RFC 4180, header = union of columns in order of first appearance) and table
// (aligned columns for a terminal; numbers right-aligned, long cells cut with "…").
// The timestamp columns `ts` and `_time` are printed as RFC 3339 UTC with as many
// fractional digits as they need (0, 3, 6 or 9).
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "common/status.h"
#include "query/query_record.h"
#include "vql/vql_ast.h"

namespace vigia {

enum class OutputFormat { kJson, kNdjson, kCsv, kTable };

// "json" | "ndjson" | "csv" | "table"; InvalidArgument otherwise.
Result<OutputFormat> ParseOutputFormat(std::string_view name);

// RFC 3339 with the fewest fractional digits (0/3/6/9) that represent `ts_ns` exactly.
std::string FormatTimestamp(int64_t ts_ns);

// A cell as text (no quoting): strings raw, numbers shortest round-trip, null empty.
std::string CellText(std::string_view column, const OwnedValue& v);

// Appends one row as a JSON object.
void AppendRowJson(JsonWriter* w, const QueryRecord& row);

// The union of column names in order of first appearance.
std::vector<std::string> ResultColumns(const std::vector<QueryRecord>& rows);

// The columns `query` produces whatever the data, when its pipes fix them (`stats`, `top`,
// `fields`, then `math`); empty when they come from the events (a plain filter).
std::vector<std::string> QueryColumns(const Query& query);

// `columns_if_empty` is the header csv and table print for an empty result (typically
// QueryColumns(query)); with none, an empty result prints nothing in those formats.
std::string FormatRows(const std::vector<QueryRecord>& rows, OutputFormat format,
                       const std::vector<std::string>& columns_if_empty = {});

}  // namespace vigia
