// UaParser: ua-parser's uap-core rules (regexes.yaml) compiled with RE2, with uap-core's
// exact semantics, so a User-Agent gets the same browser, OS and device every ua-parser
// implementation gives it:
//
//  - three ordered rule lists (user_agent_parsers, os_parsers, device_parsers); the first
//    rule whose regex matches anywhere in the string wins;
//  - a replacement ("family_replacement: 'Chrome Mobile $1'") substitutes $1..$9 with the
//    rule's capture groups; without one, the field is the capture group (family/os/device
//    model: group 1, versions: groups 2..5); results are trimmed and empty means absent;
//  - no match: family "Other", every other field absent.
//
// Speed: each list runs through RE2's FilteredRE2: the literal strings each rule requires
// are found in one pass (an RE2::Set of literals), and only rules whose literals occur are
// tried, in order. About 0.2–0.4 ms per string for all three lists (against ~4 ms for the
// plain ordered scan), so callers that see the same strings again must cache
// (derived_fields.h does).
//
// A rule whose regex RE2 cannot compile (uap-core is written for PCRE; RE2 has no
// look-around or backreferences) is skipped and counted in skipped_rules().
//
// Thread-safety: immutable after Load; every const method may be called concurrently.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia {

// Absent fields are empty strings (uap-core's null).
struct UaAgent {
  std::string family = "Other", major, minor, patch, patch_minor;
};
struct UaOs {
  std::string family = "Other", major, minor, patch, patch_minor;
};
struct UaDevice {
  std::string family = "Other", brand, model;
};

class UaParser {
 public:
  // Reads and compiles a regexes.yaml. Errors: IOError (unreadable file), InvalidArgument
  // (not YAML, or not uap-core's layout; the message names the list and rule index).
  // Loading takes ~1 s (RE2 compiles ~1,300 regexes); a set `cancel` stops it early with
  // Unavailable (a server shutting down must not wait for it).
  static Result<std::unique_ptr<UaParser>> LoadFile(const std::string& path,
                                                    const std::atomic<bool>* cancel = nullptr);
  static Result<std::unique_ptr<UaParser>> LoadYaml(std::string_view yaml_text,
                                                    const std::atomic<bool>* cancel = nullptr);

  ~UaParser();
  UaParser(const UaParser&) = delete;
  UaParser& operator=(const UaParser&) = delete;

  UaAgent ParseAgent(std::string_view ua) const;
  UaOs ParseOs(std::string_view ua) const;
  UaDevice ParseDevice(std::string_view ua) const;

  // Rules compiled, and rules skipped because RE2 rejected their regex (all three lists).
  size_t rule_count() const;
  size_t skipped_rules() const;

  class RuleList;  // one compiled list (defined in ua_parser.cpp)

 private:
  UaParser();
  std::unique_ptr<RuleList> agents_, oses_, devices_;
};

}  // namespace vigia
