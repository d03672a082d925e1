// Detector: one kind of secret or personal datum the SecretRedactor finds inside string
// values — a name (the `detector` label of vigia_redactions_total and the marker), an RE2
// pattern, which capture group is the secret (0 = the whole match), and an optional validator
// that rejects look-alikes (Luhn for card numbers, the check digits of CPF and CNPJ, so order
// numbers and timestamps are not hit). BuiltinDetectors() is the list; each has planted and
// clean lines in testdata/ (secret_redactor_test.cpp).
//
// Thread-safety: immutable data and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigia::redact {

struct Detector {
  std::string name;
  std::string pattern;  // RE2 syntax
  int group = 0;        // the capture group that is the secret; 0 = the whole match
  bool (*validate)(std::string_view match) = nullptr;  // null = every match counts
  bool opt_in = false;  // personal data (e-mails, phones): only when configured
};

// Every built-in detector, opt-in ones included (SecretRedactor drops those not enabled).
const std::vector<Detector>& BuiltinDetectors();

// False only when no built-in detector can match `v` (`emails`: the opt-in e-mail detector is
// on). Each detector needs one of: an '=' or ':' right after a secret word of kv_secret /
// url_secret_param (optional quote and spaces between), "://" and a later '@' (connection
// strings), '@' (e-mails), at least 11 digits, or one of the literal anchors eyJ (JWT),
// AKIA/ASIA/AIza (cloud keys), gh?_ / github_pat_, sk_/rk_ (Stripe), ----- (PEM),
// bearer/basic (any case). One pass over the bytes, much cheaper than the RE2::Set it spares
// (a ':' after any other word — "Audit: user.login", "Database operation: select" — no
// longer sends a value to the set); a new detector must keep this a superset (the planted
// corpus test checks every detector still fires).
// Reads sixteen bytes at a time and hands only the bytes that, with the next one, can start
// an anchor (or are '=', ':', '@') to the byte-wise check.
bool MayHoldSecret(std::string_view v, bool emails);
// The same answer one byte at a time (the reference the vector pass is tested against).
bool MayHoldSecretScalar(std::string_view v, bool emails);

// Check-digit validators (digits are taken from `s`, separators skipped).
bool LuhnValid(std::string_view s);  // 13-19 digits
bool CpfValid(std::string_view s);   // 11 digits, not all equal
bool CnpjValid(std::string_view s);  // 14 digits, not all equal

}  // namespace vigia::redact
