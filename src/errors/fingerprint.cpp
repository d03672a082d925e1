#include "errors/fingerprint.h"

#include <xxhash.h>

#include <cstdio>
#include <vector>

#include "common/limits.h"
#include "errors/message_template.h"
#include "errors/stack_frame.h"

namespace vigia::errors {
namespace {

std::string HashHex(std::string_view key) {
  XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h.high64));
  return buf;
}

std::string FirstLine(std::string_view s, size_t max_bytes) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  size_t eol = s.find('\n');
  if (eol != std::string_view::npos) s = s.substr(0, eol);
  if (s.size() > max_bytes) {
    size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    return std::string(s.substr(0, n)) + "…";
  }
  return std::string(s);
}

std::string FrameText(const StackFrame& f) {
  if (f.file.empty()) return f.function;
  if (f.function.empty()) return f.file;
  return f.function + " (" + f.file + ")";
}

}  // namespace

std::string_view FingerprintMethodName(FingerprintMethod m) {
  switch (m) {
    case FingerprintMethod::kStack:
      return "stack";
    case FingerprintMethod::kThrowSite:
      return "site";
    case FingerprintMethod::kMessage:
      return "message";
  }
  return "message";
}

bool ComputeSignature(const ErrorInput& in, ErrorSignature* out) {
  std::string_view message = in.message.empty() ? in.msg : in.message;
  if (in.type.empty() && in.stack.empty() && in.function.empty() && message.empty()) {
    return false;
  }
  std::string key = "v1\n";
  key.append(in.type);
  key += '\n';

  std::vector<StackFrame> frames;
  if (!in.stack.empty()) {
    // Only the first kMaxFingerprintStackLines lines are read.
    std::string_view stack = in.stack;
    size_t lines = 0, cut = 0;
    while (cut < stack.size() && lines < limits::kMaxFingerprintStackLines) {
      size_t eol = stack.find('\n', cut);
      cut = eol == std::string_view::npos ? stack.size() : eol + 1;
      ++lines;
    }
    frames = ParseStack(stack.substr(0, cut), limits::kMaxFingerprintStackLines);
  }
  bool any_in_app = false;
  for (const StackFrame& f : frames) any_in_app = any_in_app || f.in_app;
  std::string culprit;
  size_t used = 0;
  std::string last;
  for (const StackFrame& f : frames) {
    if (used >= limits::kMaxFingerprintFrames) break;
    if (any_in_app && !f.in_app) continue;
    if (f.function.empty() && f.file.empty()) continue;
    std::string text = FrameText(f);
    if (text == last) continue;  // recursion depth varies between occurrences
    if (culprit.empty()) culprit = text;
    key += text;
    key += '\n';
    last = std::move(text);
    ++used;
  }
  // Python prints the innermost frame last; the culprit is the frame that raised.
  if (!frames.empty() && frames.front().language == FrameLanguage::kPython) {
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      if ((!any_in_app || it->in_app) && !(it->function.empty() && it->file.empty())) {
        culprit = FrameText(*it);
        break;
      }
    }
  }

  if (used > 0) {
    out->method = FingerprintMethod::kStack;
  } else if (!in.function.empty() || !in.file.empty()) {
    out->method = FingerprintMethod::kThrowSite;
    culprit = in.function.empty()
                  ? std::string(in.file)
                  : std::string(in.function) +
                        (in.file.empty() ? "" : " (" + NormalizeFileName(in.file) + ")");
    key += "site\n";
    key.append(in.function);
    key += '\n';
    key += NormalizeFileName(in.file);
  } else {
    out->method = FingerprintMethod::kMessage;
    key += "msg\n";
    key += TemplateMessage(message);
  }
  out->fingerprint = HashHex(key);
  std::string first = FirstLine(message, limits::kMaxErrorTitleBytes);
  if (in.type.empty()) {
    out->title = first.empty() ? "(no message)" : first;
  } else {
    out->title = first.empty() ? std::string(in.type) : std::string(in.type) + ": " + first;
  }
  out->culprit = std::move(culprit);
  return true;
}

}  // namespace vigia::errors
