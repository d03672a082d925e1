#include "alerting/alert_template.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "common/ascii.h"

namespace vigia {
namespace {

Status ErrorAt(size_t offset, const std::string& message) {
  return Status::InvalidArgument("column " + std::to_string(offset + 1) + ": " + message);
}

// The shortest text that reads back as `v` (integers without a fraction).
std::string PlainNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string Humanize(double v) {
  static constexpr const char* kSuffix[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  double a = std::fabs(v);
  while (a >= 1000 && i < 5) {
    a /= 1000;
    v /= 1000;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g%s", v, kSuffix[i]);
  return buf;
}

// Validates a printf format with exactly one conversion of the supported verbs; returns it
// and sets *verb_at to its offset in `f`.
Result<char> PrintfVerb(std::string_view f, size_t* verb_at) {
  char verb = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') continue;
    if (i + 1 < f.size() && f[i + 1] == '%') {
      ++i;
      continue;
    }
    if (verb != 0) return Status::InvalidArgument("printf takes one verb");
    size_t j = i + 1;
    if (j < f.size() && f[j] == '.') {
      ++j;
      while (j < f.size() && f[j] >= '0' && f[j] <= '9') ++j;
    }
    if (j >= f.size()) return Status::InvalidArgument("printf format ends inside a verb");
    char c = f[j];
    if (c != 'd' && c != 'f' && c != 'g' && c != 'e' && c != 's') {
      return Status::InvalidArgument(std::string("unsupported printf verb %") + c);
    }
    verb = c;
    *verb_at = j;
    i = j;
  }
  if (verb == 0) return Status::InvalidArgument("printf format has no verb");
  return verb;
}

}  // namespace

Result<AlertTemplate> AlertTemplate::Parse(std::string_view text) {
  AlertTemplate t;
  t.text_ = std::string(text);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.parts_.push_back(TextPart(text.substr(pos)));
      break;
    }
    if (open > pos) t.parts_.push_back(TextPart(text.substr(pos, open - pos)));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return ErrorAt(open, "unclosed {{");
    std::string_view action = ascii::TrimSpaces(text.substr(open + 2, close - open - 2));
    Part part;
    std::string_view head = action;
    std::string_view pipe;
    if (size_t bar = action.find('|'); bar != std::string_view::npos) {
      head = ascii::TrimSpaces(action.substr(0, bar));
      pipe = ascii::TrimSpaces(action.substr(bar + 1));
    }
    if (head == "$value") {
      part.kind = PartKind::kValue;
    } else if (head.substr(0, 8) == "$labels." && head.size() > 8) {
      part.kind = PartKind::kLabel;
      part.text = std::string(head.substr(8));
    } else {
      return ErrorAt(open, "unknown template action \"" + std::string(action) +
                               "\" (expected $value or $labels.NAME)");
    }
    if (!pipe.empty()) {
      if (pipe == "humanizePercentage") {
        part.format = Format::kPercentage;
      } else if (pipe == "humanize") {
        part.format = Format::kHumanize;
      } else if (pipe.substr(0, 6) == "printf") {
        std::string_view arg = ascii::TrimSpaces(pipe.substr(6));
        if (arg.size() < 2 || arg.front() != '"' || arg.back() != '"') {
          return ErrorAt(open, "printf needs a quoted format");
        }
        arg = arg.substr(1, arg.size() - 2);
        size_t verb_at = 0;
        Result<char> verb = PrintfVerb(arg, &verb_at);
        if (!verb.ok()) return ErrorAt(open, verb.status().message());
        part.format = Format::kPrintf;
        part.printf_format = std::string(arg);
        // %d renders a long long (Render passes one): the format must say so.
        if (*verb == 'd') part.printf_format.insert(verb_at, "ll");
        part.verb = *verb;
      } else {
        return ErrorAt(open, "unknown template function \"" + std::string(pipe) +
                                 "\" (expected printf, humanize or humanizePercentage)");
      }
    }
    t.parts_.push_back(std::move(part));
    pos = close + 2;
  }
  return t;
}

namespace {

// %d of a value: truncated toward zero like Go's int conversion, saturated at long long's
// range (a label like "1e300" or "-inf" must render, not be undefined behaviour); NaN is 0.
long long TruncateToLongLong(double v) {
  if (std::isnan(v)) return 0;
  // 2^63 exactly; every double below it converts without overflow.
  constexpr double kLimit = 9223372036854775808.0;
  if (v >= kLimit) return std::numeric_limits<long long>::max();
  if (v < -kLimit) return std::numeric_limits<long long>::min();
  return static_cast<long long>(v);
}

}  // namespace

std::string AlertTemplate::Render(const std::map<std::string, std::string>& labels,
                                  double value) const {
  std::string out;
  for (const Part& p : parts_) {
    if (p.kind == PartKind::kText) {
      out += p.text;
      continue;
    }
    std::string label;
    if (p.kind == PartKind::kLabel) {
      auto it = labels.find(p.text);
      if (it != labels.end()) label = it->second;
    }
    const bool is_value = p.kind == PartKind::kValue;
    double v = value;
    if (!is_value) v = std::strtod(label.c_str(), nullptr);
    char buf[256];
    switch (p.format) {
      case Format::kPlain:
        out += is_value ? PlainNumber(value) : label;
        break;
      case Format::kPercentage:
        out += PlainNumber(std::round(v * 10000) / 100) + "%";
        break;
      case Format::kHumanize:
        out += Humanize(v);
        break;
      case Format::kPrintf:
        if (p.verb == 's') {
          std::string s = is_value ? PlainNumber(value) : label;
          std::snprintf(buf, sizeof buf, p.printf_format.c_str(), s.c_str());
        } else if (p.verb == 'd') {
          std::snprintf(buf, sizeof buf, p.printf_format.c_str(), TruncateToLongLong(v));
        } else {
          std::snprintf(buf, sizeof buf, p.printf_format.c_str(), v);
        }
        out += buf;
        break;
    }
  }
  return out;
}

}  // namespace vigia
