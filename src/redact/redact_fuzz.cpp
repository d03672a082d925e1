// libFuzzer target: any bytes as a field name (the first line) and a string value (the rest)
// of an event the SecretRedactor redacts, with every detector on (e-mails and phones too).
// Redaction runs at ingest on client text, so it must never crash or read out of bounds, and
// its prefilter (MayHoldSecret) must never skip a value a detector matches: that would let a
// secret through to disk. Aborts when a detector's regex matches a value the prefilter skips.
#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "event/event.h"
#include "redact/detectors.h"
#include "redact/secret_redactor.h"

namespace {

struct Fixture {
  std::unique_ptr<vigia::redact::SecretRedactor> redactor;
  std::vector<std::unique_ptr<RE2>> regexes;  // every built-in detector's
  std::vector<bool> email;                    // regexes[i] is the opt-in e-mail detector
};

const Fixture& Get() {
  static const Fixture* f = [] {
    auto* fx = new Fixture;
    vigia::redact::RedactOptions o;
    o.emails = true;
    o.phones = true;
    auto r = vigia::redact::SecretRedactor::Make(o, nullptr);
    if (!r.ok()) abort();
    fx->redactor = std::move(*r);
    for (const vigia::redact::Detector& d : vigia::redact::BuiltinDetectors()) {
      fx->regexes.push_back(std::make_unique<RE2>(d.pattern));
      if (!fx->regexes.back()->ok()) abort();
      fx->email.push_back(d.name == "email");
    }
    return fx;
  }();
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& fx = Get();
  // Copies, so that ASan sees reads past the end.
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t eol = text.find('\n');
  std::string name = eol == std::string::npos ? "msg" : text.substr(0, eol);
  std::string value = eol == std::string::npos ? text : text.substr(eol + 1);

  const bool may = vigia::redact::MayHoldSecret(value, true);
  const bool may_no_email = vigia::redact::MayHoldSecret(value, false);
  for (size_t i = 0; i < fx.regexes.size(); ++i) {
    if (!RE2::PartialMatch(value, *fx.regexes[i])) continue;
    if (!may) abort();
    if (!fx.email[i] && !may_no_email) abort();
  }

  (void)fx.redactor->RedactText(value, nullptr);
  vigia::EventBatch batch;
  for (int e = 0; e < 2; ++e) {
    batch.BeginEvent(0);
    batch.AddField("service", vigia::Value::String("fuzz"));
    batch.AddField(batch.arena().Copy(name), vigia::Value::String(batch.arena().Copy(value)));
    batch.AddField("msg", vigia::Value::String(batch.arena().Copy(value)));
  }
  fx.redactor->Redact("", &batch);
  return 0;
}
