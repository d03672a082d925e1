#include <strings.h>
#include <cstdlib>
#include <string>

#include "vigia/config.h"
#include "vigia/field.h"

namespace vigia::sdk {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kFatal:
      return "fatal";
  }
  return "info";
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kLog:
      return "log";
    case Kind::kRequest:
      return "request";
    case Kind::kAudit:
      return "audit";
    case Kind::kError:
      return "error";
    case Kind::kMetric:
      return "metric";
  }
  return "log";
}

Config Config::from_env() {
  Config c;
  auto get = [](const char* name, std::string& out) {
    const char* v = std::getenv(name);
    if (v && *v) out = v;
  };
  get("VIGIA_SERVICE", c.service);
  get("VIGIA_ENV", c.env);
  get("VIGIA_VERSION", c.version);
  get("VIGIA_ENDPOINT", c.shipper.endpoint);
  get("VIGIA_API_KEY", c.shipper.api_key);
  get("VIGIA_CA_FILE", c.shipper.ca_file);
  get("VIGIA_SPOOL_DIR", c.spool_dir);
  if (const char* lv = std::getenv("VIGIA_LOG_LEVEL")) {
    for (int l = 0; l <= static_cast<int>(Level::kFatal); ++l)
      if (strcasecmp(lv, std::string(level_name(static_cast<Level>(l))).c_str()) == 0)
        c.min_level = static_cast<Level>(l);
  }
  return c;
}

}  // namespace vigia::sdk
