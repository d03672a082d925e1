#include "errors/fingerprint_deriver.h"

#include "errors/fingerprint.h"

namespace vigia::errors {
namespace {

std::string_view StringOf(const CanonicalEvent& e, normalize::Slot slot) {
  if (!e.Has(slot)) return {};
  const Value& v = e.Get(slot);
  return v.type == ValueType::kString ? v.s : std::string_view{};
}

}  // namespace

void FingerprintDeriver::Derive(CanonicalEvent& event) const {
  using normalize::Slot;
  if (event.Has(Slot::kFingerprint)) return;
  bool is_error = StringOf(event, Slot::kKind) == "error" || event.Has(Slot::kErrorType) ||
                  event.Has(Slot::kErrorStack);
  if (!is_error) return;
  ErrorInput in;
  in.type = StringOf(event, Slot::kErrorType);
  in.message = StringOf(event, Slot::kErrorMessage);
  in.stack = StringOf(event, Slot::kErrorStack);
  in.function = StringOf(event, Slot::kErrorFunction);
  in.file = StringOf(event, Slot::kErrorFile);
  in.msg = StringOf(event, Slot::kMsg);
  ErrorSignature sig;
  if (!ComputeSignature(in, &sig)) return;
  event.AddIfAbsent(Slot::kFingerprint, Value::String(event.arena().Copy(sig.fingerprint)), true);
}

DeriverSlots FingerprintDeriver::Slots() const {
  using normalize::Slot;
  using normalize::SlotBit;
  return {SlotBit(Slot::kFingerprint) | SlotBit(Slot::kKind) | SlotBit(Slot::kErrorType) |
              SlotBit(Slot::kErrorMessage) | SlotBit(Slot::kErrorStack) |
              SlotBit(Slot::kErrorFunction) | SlotBit(Slot::kErrorFile) | SlotBit(Slot::kMsg),
          SlotBit(Slot::kFingerprint)};
}

}  // namespace vigia::errors
