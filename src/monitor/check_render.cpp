#include "monitor/check_render.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

namespace vigia {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// One section as a small table: both formats print the same cells.
struct Table {
  std::string title;
  std::string color;
  std::string note;  // a line under the title (a total, an error)
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A number as people read it: integers without decimals, others with up to 3 significant
// decimals.
std::string Number(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) return Fixed(v, 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string Bytes(double b) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return (u == 0 ? Fixed(b, 0) : Fixed(b, 1)) + " " + kUnits[u];
}

// The member as text: strings as they are, numbers via Number, null and missing as "-".
std::string Text(element e, std::string_view key) {
  element v;
  if (e[key].get(v)) return "-";
  switch (v.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(v.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return std::to_string(v.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return std::to_string(v.get_uint64().value_unsafe());
    case simdjson::dom::element_type::DOUBLE:
      return Number(v.get_double().value_unsafe());
    case simdjson::dom::element_type::BOOL:
      return v.get_bool().value_unsafe() ? "yes" : "no";
    case simdjson::dom::element_type::NULL_VALUE:
    case simdjson::dom::element_type::ARRAY:
    case simdjson::dom::element_type::OBJECT:
      return "-";
  }
  return "-";
}

double Dbl(element e, std::string_view key) {
  double d = 0;
  if (!e[key].get_double().get(d)) return d;
  int64_t i = 0;
  if (!e[key].get_int64().get(i)) return static_cast<double>(i);
  uint64_t u = 0;
  if (!e[key].get_uint64().get(u)) return static_cast<double>(u);
  return 0;
}

array Arr(element e, std::string_view key) {
  array a;
  if (e[key].get_array().get(a)) return array();
  return a;
}

std::string Percent(element e, std::string_view key, double scale) {
  element v;
  if (e[key].get(v) || v.is_null()) return "-";
  return Fixed(Dbl(e, key) * scale, 2) + " %";
}

void AddSection(std::vector<Table>* out, element sections, std::string_view key, std::string title,
                std::vector<std::string> header, const std::function<void(element, Table*)>& fill) {
  element s;
  if (sections[key].get(s)) return;  // a section the report does not have (no KPIs)
  Table t;
  t.title = std::move(title);
  t.color = Text(s, "color");
  t.header = std::move(header);
  fill(s, &t);
  if (std::string e = Text(s, "error"); e != "-") t.note = e;
  out->push_back(std::move(t));
}

std::vector<Table> Tables(element sections) {
  std::vector<Table> out;
  AddSection(&out, sections, "server", "Server", {"status"},
             [](element s, Table* t) { t->rows.push_back({Text(s, "status")}); });
  AddSection(&out, sections, "probes", "Probes",
             {"target", "last", "latency", "uptime 24h", "error"}, [](element s, Table* t) {
               for (element p : Arr(s, "targets")) {
                 element last;
                 const bool has_last = !p["last"].get(last) && last.is_object();
                 std::string result =
                     !has_last ? "no run" : (Text(last, "ok") == "yes" ? "ok" : "FAIL");
                 std::string error = has_last ? Text(last, "error") : Text(p, "error");
                 t->rows.push_back(
                     {Text(p, "name"), result, has_last ? Text(last, "latency_ms") + " ms" : "-",
                      Percent(p, "uptime_24h", 100) + " of " + Text(p, "runs_24h"), error});
               }
             });
  AddSection(&out, sections, "kpis", "KPIs", {"kpi", "value", "color", "previous", "trend"},
             [](element s, Table* t) {
               for (element k : Arr(s, "kpis")) {
                 std::string unit = Text(k, "unit");
                 unit = unit == "-" || unit.empty() ? "" : " " + unit;
                 element prev;
                 std::string previous = "-";
                 if (!k["previous"].get(prev)) previous = Text(prev, "value");
                 std::string color = Text(k, "color");
                 if (std::string e = Text(k, "error"); e != "-") color = "error: " + e;
                 t->rows.push_back(
                     {Text(k, "name"), Text(k, "value") + unit, color, previous, Text(k, "trend")});
               }
             });
  AddSection(
      &out, sections, "slos", "SLOs",
      {"slo", "attainment", "target", "budget left", "burn alerts", "color"},
      [](element s, Table* t) {
        for (element o : Arr(s, "slos")) {
          std::string burn = Text(o, "fast_burn") == "yes"   ? "fast"
                             : Text(o, "slow_burn") == "yes" ? "slow"
                                                             : "none";
          t->rows.push_back({Text(o, "name"), Percent(o, "attainment", 1), Text(o, "target") + " %",
                             Percent(o, "budget_remaining_fraction", 100), burn, Text(o, "color")});
        }
      });
  AddSection(&out, sections, "alerts", "Alerts fired in the last 24 h",
             {"alert", "instances", "last fired"}, [](element s, Table* t) {
               for (element a : Arr(s, "fired_24h")) {
                 t->rows.push_back({Text(a, "name"), Text(a, "instances"), Text(a, "last_at")});
               }
               if (t->rows.empty()) t->note = "none";
             });
  AddSection(&out, sections, "new_errors", "New error types (first seen in the last 24 h)",
             {"type", "service", "count", "first seen", "message"}, [](element s, Table* t) {
               for (element e : Arr(s, "errors")) {
                 std::string msg = Text(e, "message");
                 if (msg.size() > 80) msg = msg.substr(0, 77) + "...";
                 std::string type = Text(e, "type");
                 if (type == "-" || type.empty()) type = Text(e, "fingerprint");
                 t->rows.push_back(
                     {type, Text(e, "service"), Text(e, "count"), Text(e, "first_seen"), msg});
               }
               t->note = Text(s, "new_types") + " new";
             });
  AddSection(&out, sections, "failed_logins", "Failed logins (last 24 h)", {"ip", "failures"},
             [](element s, Table* t) {
               for (element a : Arr(s, "top_ips")) {
                 t->rows.push_back({Text(a, "ip"), Text(a, "failures")});
               }
               t->note = Text(s, "total_24h") + " in total";
             });
  AddSection(&out, sections, "disk", "Disk", {"data", "events", "free", "of", "free %"},
             [](element s, Table* t) {
               if (Text(s, "free_bytes") == "-") return;
               t->rows.push_back({Bytes(Dbl(s, "data_bytes")), Text(s, "store_events"),
                                  Bytes(Dbl(s, "free_bytes")), Bytes(Dbl(s, "total_bytes")),
                                  Percent(s, "free_fraction", 100)});
             });
  AddSection(&out, sections, "tls", "TLS certificates", {"target", "days left", "state", "issuer"},
             [](element s, Table* t) {
               for (element c : Arr(s, "certificates")) {
                 t->rows.push_back({Text(c, "target"), Text(c, "expiry_days"), Text(c, "state"),
                                    Text(c, "issuer")});
               }
               if (t->rows.empty()) t->note = "no HTTPS probe results";
             });
  AddSection(&out, sections, "backup", "Backup", {"last backup", "verification", "error"},
             [](element s, Table* t) {
               element d;
               if (s["details"].get(d) || !d.is_object()) {
                 t->note = "not configured";
                 return;
               }
               t->rows.push_back(
                   {Text(d, "last_backup_at"), Text(d, "last_verify"), Text(d, "last_error")});
             });
  AddSection(&out, sections, "integrity", "Store integrity", {"degraded part"},
             [](element s, Table* t) {
               for (element p : Arr(s, "parts")) {
                 std::string_view v;
                 if (!p.get_string().get(v)) t->rows.push_back({std::string(v)});
               }
               t->note = Text(s, "degraded_parts") + " degraded parts";
             });
  return out;
}

std::string Ansi(std::string_view color, std::string_view text, bool on) {
  if (!on) return std::string(text);
  std::string_view code = color == "green"    ? "32"
                          : color == "yellow" ? "33"
                          : color == "red"    ? "1;31"
                                              : "2";
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string RenderText(element root, const std::vector<Table>& tables, bool ansi) {
  const std::string color = Text(root, "color");
  std::string out = "vigia check  " + Text(root, "generated_at") + "  " + Text(root, "source") +
                    "  " + Ansi(color, Upper(color), ansi) + "\n";
  for (const Table& t : tables) {
    std::string tag = "[" + t.color + "]";
    tag.resize(std::max<size_t>(tag.size(), 8), ' ');
    out += "\n" + Ansi(t.color, tag, ansi) + " " + t.title;
    if (!t.note.empty()) out += " — " + t.note;
    out += "\n";
    if (t.rows.empty()) continue;
    std::vector<size_t> width(t.header.size(), 0);
    for (size_t i = 0; i < t.header.size(); ++i) width[i] = t.header[i].size();
    for (const auto& r : t.rows) {
      for (size_t i = 0; i < r.size() && i < width.size(); ++i)
        width[i] = std::max(width[i], r[i].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string l = "    ";
      for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
        std::string c = cells[i];
        if (i + 1 < cells.size()) c.resize(width[i], ' ');
        l += c + "  ";
      }
      while (!l.empty() && l.back() == ' ') l.pop_back();
      return l + "\n";
    };
    out += line(t.header);
    for (const auto& r : t.rows) out += line(r);
  }
  return out;
}

std::string Cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string RenderMarkdown(element root, const std::vector<Table>& tables) {
  std::string out = "# vigia check: " + Upper(Text(root, "color")) + "\n\n" +
                    Text(root, "generated_at") + ", " + Text(root, "source") + "\n";
  for (const Table& t : tables) {
    out += "\n## " + t.title + " (" + t.color + ")\n\n";
    if (!t.note.empty()) out += t.note + "\n\n";
    if (t.rows.empty()) continue;
    out += "|";
    for (const std::string& h : t.header) out += " " + Cell(h) + " |";
    out += "\n|";
    for (size_t i = 0; i < t.header.size(); ++i) out += " --- |";
    out += "\n";
    for (const auto& r : t.rows) {
      out += "|";
      for (const std::string& c : r) out += " " + Cell(c) + " |";
      out += "\n";
    }
  }
  return out;
}

}  // namespace

int CheckExitCode(std::string_view color) {
  if (color == "green" || color == "none") return 0;
  if (color == "yellow") return 1;
  return 2;
}

Result<RenderedCheck> RenderCheckReport(std::string_view report_json, CheckFormat format,
                                        bool ansi_colors) {
  simdjson::dom::parser parser;
  element root;
  element sections;
  if (parser.parse(report_json.data(), report_json.size()).get(root) ||
      root["sections"].get(sections) || !sections.is_object()) {
    return Status::InvalidArgument("not a check report");
  }
  RenderedCheck r;
  r.color = Text(root, "color");
  r.exit_code = CheckExitCode(r.color);
  switch (format) {
    case CheckFormat::kJson:
      r.text = std::string(report_json);
      if (r.text.empty() || r.text.back() != '\n') r.text += '\n';
      break;
    case CheckFormat::kText:
      r.text = RenderText(root, Tables(sections), ansi_colors);
      break;
    case CheckFormat::kMarkdown:
      r.text = RenderMarkdown(root, Tables(sections));
      break;
  }
  return r;
}

}  // namespace vigia
