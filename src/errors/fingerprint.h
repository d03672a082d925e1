// Error fingerprinting: which events are "the same bug". Two occurrences of one failure
// must get one fingerprint across hosts, addresses, line shifts (a deploy that moved code)
// and variable values (ids, e-mails, amounts); two different failures must not share one.
//
// The key, in order of preference:
//   1. the client's own `fingerprint` field (never recomputed: the deriver adds only what an
//      event lacks);
//   2. error.type + the in-app frames of error.stack (stack_frame.h: function names and
//      base file names, no addresses/offsets/lines; consecutive repeats — recursion —
//      collapsed; at most limits::kMaxFingerprintFrames); when no frame is in-app, every
//      frame;
//   3. error.type + error.function/error.file when the event names its throw site alone;
//   4. error.type + the message templated (message_template.h): error.message, else msg.
// The fingerprint is the first 16 hex digits of XXH3-128 of the key's lines ("v1" method
// tag included, so a future change of rules can tell old and new groups apart).
//
// Besides the fingerprint, an ErrorSignature names the group for a human: a title
// ("ValueError: user <num> not found") and a culprit (the top in-app frame).
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigia::errors {

// The error fields of one event (views; any may be empty).
struct ErrorInput {
  std::string_view type, message, stack, function, file, msg;
};

enum class FingerprintMethod : unsigned char { kStack, kThrowSite, kMessage };
std::string_view FingerprintMethodName(FingerprintMethod m);  // "stack", "site", "message"

struct ErrorSignature {
  std::string fingerprint;  // 16 lowercase hex digits
  FingerprintMethod method = FingerprintMethod::kMessage;
  std::string title;    // "<type>: <first line of the message>", bounded
  std::string culprit;  // "function (file)" of the top in-app frame; may be empty
};

// False when the input holds nothing to group by (no type, stack, site or message).
bool ComputeSignature(const ErrorInput& in, ErrorSignature* out);

}  // namespace vigia::errors
