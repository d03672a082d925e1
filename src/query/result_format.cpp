#include "query/result_format.h"

#include <algorithm>
#include <unordered_set>

#include "common/time_format.h"
#include "query/filter_matcher.h"

namespace vigia {
namespace {

// Longest table cell in bytes; longer ones end with "…" so one stack trace cannot make the
// whole table unreadable.
constexpr size_t kMaxTableCell = 100;

bool IsTimestampCell(std::string_view column, const OwnedValue& v) {
  return v.type == ValueType::kInt && IsTimeField(column);
}

void AppendCsvCell(std::string* out, const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// Display width of UTF-8 text (code points; good enough for log text).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Clip(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() <= kMaxTableCell) return s;
  size_t cut = kMaxTableCell;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "…";
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "ndjson") return OutputFormat::kNdjson;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "table") return OutputFormat::kTable;
  return Status::InvalidArgument("unknown format '" + std::string(name) +
                                 "' (expected json, ndjson, csv or table)");
}

std::string FormatTimestamp(int64_t ts_ns) {
  int digits = ts_ns % 1000 != 0 ? 9 : ts_ns % 1000000 != 0 ? 6 : ts_ns % 1000000000 != 0 ? 3 : 0;
  return FormatRfc3339(ts_ns, digits);
}

std::string CellText(std::string_view column, const OwnedValue& v) {
  if (IsTimestampCell(column, v)) return FormatTimestamp(v.i);
  return ValueToString(v.view());
}

void AppendRowJson(JsonWriter* w, const QueryRecord& row) {
  w->BeginObject();
  for (const auto& [name, v] : row.cols) {
    w->Key(name);
    if (IsTimestampCell(name, v)) {
      w->String(FormatTimestamp(v.i));
      continue;
    }
    switch (v.type) {
      case ValueType::kNull:
        w->Null();
        break;
      case ValueType::kBool:
        w->Bool(v.b);
        break;
      case ValueType::kInt:
        w->Int(v.i);
        break;
      case ValueType::kFloat:
        w->Double(v.f);
        break;
      case ValueType::kString:
        w->String(v.s);
        break;
    }
  }
  w->EndObject();
}

std::vector<std::string> ResultColumns(const std::vector<QueryRecord>& rows) {
  std::vector<std::string> cols;
  std::unordered_set<std::string> seen;
  for (const QueryRecord& r : rows) {
    for (const auto& c : r.cols) {
      if (seen.insert(c.first).second) cols.push_back(c.first);
    }
  }
  return cols;
}

std::vector<std::string> QueryColumns(const Query& query) {
  std::vector<std::string> cols;
  bool known = false;
  for (const Pipe& p : query.pipes) {
    switch (p.kind) {
      case PipeKind::kStats:
      case PipeKind::kTop:
        cols.clear();
        for (const GroupKey& k : p.by) cols.push_back(k.field);
        if (p.kind == PipeKind::kTop) {
          cols.emplace_back("hits");
        } else {
          for (const Aggregate& a : p.aggregates) cols.push_back(a.name);
        }
        known = true;
        break;
      case PipeKind::kFields:
        cols = p.fields;
        known = true;
        break;
      case PipeKind::kMath:
        // As QueryRecord::Set: a new name is appended, an existing one keeps its place.
        for (const MathAssign& m : p.math) {
          if (std::find(cols.begin(), cols.end(), m.name) == cols.end()) cols.push_back(m.name);
        }
        break;
      case PipeKind::kWhere:
      case PipeKind::kSort:
      case PipeKind::kLimit:
        break;
    }
  }
  if (!known) cols.clear();
  return cols;
}

std::string FormatRows(const std::vector<QueryRecord>& rows, OutputFormat format,
                       const std::vector<std::string>& columns_if_empty) {
  std::string out;
  switch (format) {
    case OutputFormat::kJson: {
      JsonWriter w(&out);
      w.BeginArray();
      for (const QueryRecord& r : rows) AppendRowJson(&w, r);
      w.EndArray();
      out.push_back('\n');
      break;
    }
    case OutputFormat::kNdjson:
      for (const QueryRecord& r : rows) {
        JsonWriter w(&out);
        AppendRowJson(&w, r);
        out.push_back('\n');
      }
      break;
    case OutputFormat::kCsv: {
      std::vector<std::string> cols = rows.empty() ? columns_if_empty : ResultColumns(rows);
      if (cols.empty() && rows.empty()) break;
      for (size_t i = 0; i < cols.size(); ++i) {
        if (i) out.push_back(',');
        AppendCsvCell(&out, cols[i]);
      }
      out.append("\r\n");
      for (const QueryRecord& r : rows) {
        for (size_t i = 0; i < cols.size(); ++i) {
          if (i) out.push_back(',');
          const OwnedValue* v = r.Get(cols[i]);
          if (v) AppendCsvCell(&out, CellText(cols[i], *v));
        }
        out.append("\r\n");
      }
      break;
    }
    case OutputFormat::kTable: {
      std::vector<std::string> cols = rows.empty() ? columns_if_empty : ResultColumns(rows);
      if (cols.empty() && rows.empty()) break;
      std::vector<size_t> width(cols.size());
      std::vector<bool> numeric(cols.size(), true);
      std::vector<std::vector<std::string>> cells(rows.size());
      for (size_t c = 0; c < cols.size(); ++c) width[c] = Width(cols[c]);
      for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t c = 0; c < cols.size(); ++c) {
          const OwnedValue* v = rows[r].Get(cols[c]);
          std::string s = v ? Clip(CellText(cols[c], *v)) : "";
          if (v && v->type != ValueType::kInt && v->type != ValueType::kFloat &&
              v->type != ValueType::kNull) {
            numeric[c] = false;
          }
          if (v && IsTimestampCell(cols[c], *v)) numeric[c] = false;
          width[c] = std::max(width[c], Width(s));
          cells[r].push_back(std::move(s));
        }
      }
      auto emit = [&](const std::vector<std::string>& line) {
        std::string l;
        for (size_t c = 0; c < cols.size(); ++c) {
          if (c) l.append("  ");
          size_t pad = width[c] - Width(line[c]);
          bool right = numeric[c];
          if (right) l.append(pad, ' ');
          l.append(line[c]);
          if (!right && c + 1 < cols.size()) l.append(pad, ' ');
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out.append(l).push_back('\n');
      };
      emit(cols);
      std::vector<std::string> rule;
      for (size_t c = 0; c < cols.size(); ++c) rule.emplace_back(width[c], '-');
      emit(rule);
      for (const auto& line : cells) emit(line);
      break;
    }
  }
  return out;
}

}  // namespace vigia
