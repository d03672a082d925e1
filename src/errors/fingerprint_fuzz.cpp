// libFuzzer target: any bytes as an error event's stack, message and type. Fingerprinting
// runs at ingest on client text, so it must never crash, loop or read out of bounds, and
// its output must keep its shape (16 hex digits, a bounded title).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/limits.h"
#include "errors/fingerprint.h"
#include "errors/message_template.h"
#include "errors/stack_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy so that ASan sees reads past the end.
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string_view all = text;
  // The first line is the type, the rest both the message and the stack.
  size_t eol = all.find('\n');
  vigia::errors::ErrorInput in;
  in.type = all.substr(0, eol == std::string_view::npos ? all.size() : eol);
  in.stack = eol == std::string_view::npos ? std::string_view{} : all.substr(eol + 1);
  in.message = in.stack;
  vigia::errors::ErrorSignature sig;
  if (vigia::errors::ComputeSignature(in, &sig)) {
    if (sig.fingerprint.size() != 16) abort();
    if (sig.title.size() > in.type.size() + 2 + vigia::limits::kMaxErrorTitleBytes + 3) abort();
  }
  std::string t = vigia::errors::TemplateMessage(all);
  if (t.size() > 8 * all.size() + 8) abort();
  (void)vigia::errors::ParseStack(all, 64);
  return 0;
}
