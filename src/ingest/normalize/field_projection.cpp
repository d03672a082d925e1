#include "ingest/normalize/field_projection.h"

#include <algorithm>

#include "event/event_fields.h"

namespace vigia {
namespace {

using normalize::KeyAction;
using normalize::Slot;
using normalize::SlotBit;

constexpr uint64_t kErrorSlots = SlotBit(Slot::kErrorType) | SlotBit(Slot::kErrorMessage) |
                                 SlotBit(Slot::kErrorStack) | SlotBit(Slot::kErrorCode) |
                                 SlotBit(Slot::kErrorFile) | SlotBit(Slot::kErrorLine) |
                                 SlotBit(Slot::kErrorFunction);

int CanonicalSlot(std::string_view name) {
  for (int i = 0; i < normalize::kSlotCount; ++i) {
    if (fields::kAllCanonical[i] == name) return i;
  }
  return -1;
}

bool StartsWithDotted(std::string_view name, std::string_view prefix) {
  return name.size() > prefix.size() && name[prefix.size()] == '.' &&
         name.substr(0, prefix.size()) == prefix;
}

}  // namespace

FieldProjection::FieldProjection(const std::vector<std::string>& fields,
                                 const std::vector<const FieldDeriver*>& derivers) {
  for (const std::string& f : fields) {
    if (f == fields::kTs || f == "_time") continue;  // the event time: always decoded
    const std::string name = f == "_msg" ? std::string(fields::kMsg) : f;
    if (int slot = CanonicalSlot(name); slot >= 0) {
      slots_ |= uint64_t{1} << slot;
      continue;
    }
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
    // A losing alias keeps its own name; an un-coercible value is kept as <slot>_raw.
    if (const normalize::KeyInfo* info = normalize::LookupTopLevelKey(name)) {
      switch (info->action) {
        case KeyAction::kSlot:
        case KeyAction::kStatus:
        case KeyAction::kRoute:
        case KeyAction::kDetails:
          slots_ |= SlotBit(info->slot);
          break;
        case KeyAction::kError:
          slots_ |= SlotBit(Slot::kErrorMessage);
          break;
        case KeyAction::kTs:
        case KeyAction::kExtra:
          break;
      }
    }
    for (int i = 0; i < normalize::kSlotCount; ++i) {
      if (normalize::GetSlotInfo(static_cast<Slot>(i)).raw_name == name) {
        slots_ |= uint64_t{1} << i;
      }
    }
    // A losing spelling inside an error object is named <container>.<key> (exception.tipo).
    if (size_t dot = name.find('.'); dot != std::string::npos) {
      const normalize::KeyInfo* container = normalize::LookupTopLevelKey(name.substr(0, dot));
      const normalize::KeyInfo* inner = normalize::LookupErrorKey(name.substr(dot + 1));
      if (container && container->action == KeyAction::kError && inner) {
        slots_ |= SlotBit(inner->slot);
      }
    }
    if (StartsWithDotted(name, "error")) error_names_ = true;
  }
  // What a field's value depends on, to a fixed point (a deriver may read another's output).
  for (uint64_t before = ~slots_; before != slots_;) {
    before = slots_;
    if (slots_ & SlotBit(Slot::kLevel)) slots_ |= SlotBit(Slot::kKind);      // default level
    if (slots_ & SlotBit(Slot::kOutcome)) slots_ |= SlotBit(Slot::kStatus);  // "failed"
    if (slots_ & SlotBit(Slot::kMethod)) slots_ |= SlotBit(Slot::kRoute);    // "POST /x"
    for (const FieldDeriver* d : derivers) {
      DeriverSlots s = d->Slots();
      if (slots_ & s.writes) slots_ |= s.reads;
    }
  }
  std::vector<normalize::KeyMap<TopLevelKey>::Entry> keys;
  for (std::string_view key : normalize::TopLevelKeys()) {
    const normalize::KeyInfo* info = normalize::LookupTopLevelKey(key);
    keys.push_back({key, {info, WantsValue(key, info)}});
  }
  // Known keys come first: a dynamic name that is also a known key ("message") keeps the
  // known key's class, as WantsValue gives it.
  for (const std::string& name : names_) keys.push_back({name, {nullptr, true}});
  top_keys_ = normalize::KeyMap<TopLevelKey>(keys);
  for (const auto& [key, unused] : keys) {
    if (!ClassifyTopLevelKey(key).wanted) continue;
    const size_t n = key.size();
    const size_t row = (n & (kLengthClasses - 1)) * 256;
    const size_t first = row + static_cast<unsigned char>(n > 0 ? key[0] : 0);
    const size_t last = row + static_cast<unsigned char>(n > 0 ? key[n - 1] : 0);
    by_first_[first / 64] |= uint64_t{1} << (first % 64);
    by_last_[last / 64] |= uint64_t{1} << (last % 64);
  }
}

bool FieldProjection::HasName(std::string_view name) const {
  for (const std::string& n : names_) {
    if (n == name) return true;
  }
  return false;
}

bool FieldProjection::WantsPrefix(std::string_view prefix) const {
  for (const std::string& n : names_) {
    if (StartsWithDotted(n, prefix)) return true;
  }
  return false;
}

bool FieldProjection::WantsErrorObject(std::string_view key) const {
  // error.* fields, error.<key> names, and the names of losing spellings (exception.type).
  return (slots_ & kErrorSlots) != 0 || error_names_ || WantsPrefix(key);
}

}  // namespace vigia
