// Derived fields from a User-Agent (docs/architecture.md, "The event model"): browser,
// browser_version, os, os_version and device, computed with ua-parser's uap-core rules
// (ua_parser.h) and cached, so ingest pays the ~0.3 ms rule scan once per distinct UA string per
// thread, not per event. It is a FieldDeriver (field_deriver.h): the canonicalizer runs it on every
// event with a `ua` and it adds the fields the event does not already carry.
//
// Field values (src/ingest/normalize/NORMALIZATION.md has the user-facing table):
//   browser, os        uap-core's family ("Chrome Mobile", "Mac OS X", "Other" when unknown)
//   *_version          "major.minor", or "major" when there is no minor; absent without major
//   device             a class: bot, tablet, mobile, desktop, or other (DeviceClass below)
//
// Thread-safety: UaFieldDeriver is safe for concurrent use. Each thread keeps its own
// bounded cache (no locks on the ingest path); Classify's views stay valid until that
// thread's next Classify call.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "ingest/normalize/field_deriver.h"
#include "ingest/normalize/ua_parser.h"

namespace vigia {

// Result of classifying a User-Agent: views valid until the next Classify call on the same
// thread.
struct UserAgentInfo {
  std::string_view browser, browser_version, os, os_version, device;
};

// Owned copy of the derived values (UserAgentInfo holds views into one of these).
struct UaFields {
  std::string browser, browser_version, os, os_version, device;
};

// Device class of a parsed UA, in this order: "bot" (uap-core's Spider device, or an HTTP
// library / health checker: curl, Wget, python-requests, Go-http-client, Apache-HttpClient,
// HeadlessChrome, kube-probe...), "tablet" (iPad, Kindle, uap-core's generic Android
// tablet, any device named Tablet), "mobile" (a phone OS — iOS, Android, Windows Phone,
// KaiOS... — or any other hardware device uap-core recognised), "desktop" (Windows, macOS,
// Linux, Chrome OS, BSD), else "other" (unknown apps such as "Dart/3.1 (dart:io)").
std::string_view DeviceClass(std::string_view ua, const UaAgent& agent, const UaOs& os,
                             const UaDevice& device);

// "major.minor" / "major" / "" (see above).
std::string VersionText(std::string_view major, std::string_view minor);

class UaFieldDeriver final : public FieldDeriver {
 public:
  // Loads uap-core's regexes.yaml now (see UaParser::LoadFile for the errors).
  static Result<std::unique_ptr<UaFieldDeriver>> LoadFile(const std::string& regexes_path);
  // Returns at once and loads on a background thread, so a server starts (and its tests
  // run) without waiting ~1 s (~10 s under ASan) for RE2. The first cache miss waits for the
  // load; if it failed, Classify adds nothing (WaitLoaded says why).
  static std::unique_ptr<UaFieldDeriver> LoadFileInBackground(std::string regexes_path);
  explicit UaFieldDeriver(std::unique_ptr<UaParser> parser);
  ~UaFieldDeriver() override;  // cancels a load still running and joins its thread
  UaFieldDeriver(const UaFieldDeriver&) = delete;
  UaFieldDeriver& operator=(const UaFieldDeriver&) = delete;

  // Waits for the rules; OK once they are usable.
  Status WaitLoaded() const;
  // True once the load has finished (usable or failed): until then the first cache miss
  // of an ingest thread waits, so /health/ready reports the server as starting.
  bool IsLoaded() const;

  // Uncached: parses `ua` (its first limits::kMaxUaParseBytes bytes) every time. All
  // fields empty when the rules failed to load.
  UaFields Derive(std::string_view ua) const;

  // Cached Derive. Returns false for an empty ua, or when the rules failed to load.
  bool Classify(std::string_view ua, UserAgentInfo* out) const;

  // FieldDeriver: browser, browser_version, os, os_version, device from the event's ua.
  void Derive(CanonicalEvent& event) const override;
  DeriverSlots Slots() const override;

  // The ingest.ua_regexes setting → the regexes.yaml to load: the setting itself when it
  // is a path; "" when it is "off"; for "" (the default) the first file that exists of
  // <executable dir>/share/vigia/uap-core/regexes.yaml (copied there by the build),
  // <executable dir>/../share/vigia/uap-core/regexes.yaml (installed) and
  // /usr/share/uap-core/regexes.yaml (Debian's uap-core package), or "" when none does.
  static std::string ResolveRegexesPath(const std::string& setting);

 private:
  struct Loader;
  UaFieldDeriver();
  const UaParser* Parser() const;  // waits for the load; null when it failed

  std::atomic<const UaParser*> ready_{nullptr};  // fast path once loaded
  std::unique_ptr<Loader> loader_;
  uint64_t id_;  // tells the per-thread caches of different derivers apart
};

}  // namespace vigia
