// libFuzzer target for every parser of alerting's user input: rule files (YAML, VQL inside,
// conditions, durations, annotation templates), the notification file (receivers, routes,
// label matchers with RE2), annotation templates on their own (parsed, then rendered), and
// the body of POST /v1/silences. The first line of the input names the parser (`rules`,
// `notify`, `template`, `silence`); the rest is its text. Each must answer with a value or
// an error — never crash, hang or read out of bounds. Seed corpus: fuzz_corpus/.
//   alerting_fuzz -max_total_time=60 -max_len=4096 "$(mktemp -d)" src/alerting/fuzz_corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "alerting/alert_template.h"
#include "alerting/notify_config.h"
#include "alerting/rule_file.h"
#include "alerting/silences.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copied so that ASan sees reads past the end.
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string kind = input.substr(0, eol);
  const std::string text = eol == std::string::npos ? std::string() : input.substr(eol + 1);
  if (kind == "rules") {
    vigia::Result<std::vector<vigia::RuleGroup>> r = vigia::ParseRuleFile("f.yml", text);
    if (!r.ok() && r.status().message().empty()) abort();  // every error says where and why
  } else if (kind == "notify") {
    vigia::Result<vigia::NotifyConfig> r = vigia::ParseNotifyConfig("n.yml", text);
    if (r.ok()) {
      (void)r->Match({{"alertname", "X"}, {"severity", "page"}, {"route", text.substr(0, 16)}});
    } else if (r.status().message().empty()) {
      abort();
    }
  } else if (kind == "template") {
    vigia::Result<vigia::AlertTemplate> t = vigia::AlertTemplate::Parse(text);
    if (t.ok()) {
      (void)t->Render({{"route", "/pay"}, {"a", text.substr(0, 8)}}, 0.0123);
      (void)t->Render({}, -1e300);
    }
  } else if (kind == "silence") {
    vigia::Result<vigia::Silence> s = vigia::ParseSilenceRequest(text, 1'795'996'800'000'000'000);
    if (s.ok() && s->ends_at_ns < s->starts_at_ns) abort();
  }
  return 0;
}
