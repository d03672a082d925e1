// Prints a check report (the JSON of check_report.h, built locally or fetched from a server's
// GET /v1/check) for people: a terminal report (ANSI colours when asked) or Markdown to paste
// or mail; and maps its colour to `vigia check`'s exit code (0 green or none, 1 yellow,
// 2 red).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigia {

enum class CheckFormat { kText, kMarkdown, kJson };

struct RenderedCheck {
  std::string text;
  std::string color;  // the report's: "green", "yellow", "red" or "none"
  int exit_code = 0;
};

// InvalidArgument when `report_json` is not a check report.
Result<RenderedCheck> RenderCheckReport(std::string_view report_json, CheckFormat format,
                                        bool ansi_colors);

// 0 for "green"/"none", 1 for "yellow", 2 for anything else ("red").
int CheckExitCode(std::string_view color);

}  // namespace vigia
