// AlertTemplate: the small template language of rule annotations, a subset of the Go
// templates Prometheus rules use, so users' existing annotations keep working:
//   {{ $value }}                      the instance's value (shortest round-trip form)
//   {{ $labels.route }}               a label of the instance (empty when absent)
//   {{ $value | printf "%.2f" }}      printf with one %d, %f, %.Nf, %g, %e or %s verb
//   {{ $value | humanizePercentage }} 0.0123 → "1.23%"
//   {{ $value | humanize }}           1234567 → "1.235M"
// Anything else between {{ }} is an error at parse time (rule loading and `vigia rules
// check`), never at evaluation time.
//
// Thread-safety: immutable once parsed; Render is const and thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia {

class AlertTemplate {
 public:
  AlertTemplate() = default;

  // Errors are InvalidArgument "column N: message" (N 1-based within `text`).
  static Result<AlertTemplate> Parse(std::string_view text);

  std::string Render(const std::map<std::string, std::string>& labels, double value) const;
  const std::string& text() const { return text_; }

 private:
  enum class PartKind { kText, kValue, kLabel };
  enum class Format { kPlain, kPrintf, kPercentage, kHumanize };
  struct Part {
    PartKind kind = PartKind::kText;
    std::string text;  // kText: literal; kLabel: the label name
    Format format = Format::kPlain;
    std::string printf_format;  // kPrintf
    char verb = 0;              // kPrintf: the conversion letter
  };
  static Part TextPart(std::string_view text) {
    Part p;
    p.text = std::string(text);
    return p;
  }
  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace vigia
