// FieldProjection: for a consumer that reads only some fields of each event (`vigia query
// --file`: the fields a query references), which input keys the Canonicalizer must really
// canonicalize. The others are only counted and checked (field count, name length, depth),
// so a line is accepted or rejected, with the same reason, exactly as without a projection,
// and every field in the set gets exactly the value a full decode gives it. Fields outside
// the set may be missing from the event, or present.
//
// From the field names read, a closure of what can produce them:
//  - a canonical field: every spelling of it (aliases, inside extra/extra_fields and error
//    objects), and what it depends on — level's default reads kind, outcome comes from a
//    text status, method from a "POST /x" route, derived fields from their deriver's inputs
//    (FieldDeriver::Slots);
//  - a dynamic name: the key itself, any object whose flattened names can spell it (a key
//    that is a prefix before a dot: `meta` for `meta.a.b`, error objects for `error.x`,
//    details objects for `details.x`), the canonical field whose losing alias (`message`,
//    `exception.tipo` inside an error object) or un-coercible value (`<name>_raw`) it can be;
//  - ts (every spelling) always: the event time, and a line's only unparseable ts rejects it.
// extra/extra_fields objects are always entered (their keys act as top-level keys).
//
// The decoder asks about every key of every line, so the questions are cheap: MayWant rules
// most keys out by two bits (length with first byte, length with last byte), and
// ClassifyTopLevelKey answers both questions about the others — what the alias table says
// of the key and whether the projection wants it — with one lookup in a table built here
// over every known key and every dynamic name of the projection.
//
// Thread-safety: immutable after construction; shared by every decoder thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/normalize/field_deriver.h"
#include "ingest/normalize/key_map.h"
#include "ingest/normalize/normalizer_keys.h"

namespace vigia {

class FieldProjection {
 public:
  // `fields`: the event field names read (canonical or dynamic; `ts` and `_time` are the
  // event time, always decoded). `derivers`: the canonicalizer's list (their dependencies).
  FieldProjection(const std::vector<std::string>& fields,
                  const std::vector<const FieldDeriver*>& derivers);
  // The key table holds views of names_.
  FieldProjection(const FieldProjection&) = delete;
  FieldProjection& operator=(const FieldProjection&) = delete;

  // A key at the top level or inside extra/extra_fields: `info` =
  // normalize::LookupTopLevelKey(key), `wanted` = WantsValue(key, info).
  struct TopLevelKey {
    const normalize::KeyInfo* info = nullptr;
    bool wanted = false;
  };
  // False only for a key ClassifyTopLevelKey says is not wanted: a test of two bits (by
  // length and first byte, by length and last byte) set for every wanted key, so most keys
  // of a line are skipped without the lookup.
  bool MayWant(std::string_view key) const {
    const size_t n = key.size();
    const size_t row = (n & (kLengthClasses - 1)) * 256;
    const auto first = static_cast<unsigned char>(n > 0 ? key[0] : 0);
    const auto last = static_cast<unsigned char>(n > 0 ? key[n - 1] : 0);
    return ((by_first_[(row + first) / 64] >> ((row + first) % 64)) & 1) != 0 &&
           ((by_last_[(row + last) / 64] >> ((row + last) % 64)) & 1) != 0;
  }
  TopLevelKey ClassifyTopLevelKey(std::string_view key) const {
    const TopLevelKey* k = top_keys_.Find(key);
    return k != nullptr ? *k : TopLevelKey{};  // a dynamic name the projection does not read
  }

  // A value (scalar or array, or an object given to a canonical field) under `key` at the
  // top level or inside extra/extra_fields; `info` = normalize::LookupTopLevelKey(key).
  bool WantsValue(std::string_view key, const normalize::KeyInfo* info) const {
    if (info == nullptr) return HasName(key);
    switch (info->action) {
      case normalize::KeyAction::kTs:
        return true;
      case normalize::KeyAction::kSlot:
      case normalize::KeyAction::kStatus:
      case normalize::KeyAction::kRoute:
      case normalize::KeyAction::kDetails:
        return (slots_ & normalize::SlotBit(info->slot)) != 0;
      case normalize::KeyAction::kError:  // a non-object error is error.message
        return (slots_ & normalize::SlotBit(normalize::Slot::kErrorMessage)) != 0;
      case normalize::KeyAction::kExtra:  // a non-object extra is a field of its own
        return HasName(key);
    }
    return true;
  }
  // An object flattened under `prefix` (its leaves are named <prefix>.<...>).
  bool WantsPrefix(std::string_view prefix) const;
  // An error object under `key` (error, exception, err, erro).
  bool WantsErrorObject(std::string_view key) const;

  // The canonical fields decoded (bitmask of normalize::SlotBit).
  uint64_t slots() const { return slots_; }
  // The dynamic field names decoded.
  const std::vector<std::string>& names() const { return names_; }

 private:
  bool HasName(std::string_view name) const;

  uint64_t slots_ = 0;
  std::vector<std::string> names_;
  bool error_names_ = false;  // some name starts with "error."
  // Every known key (with its WantsValue) and every dynamic name of names_ (wanted).
  normalize::KeyMap<TopLevelKey> top_keys_;
  // MayWant's bits: [length % kLengthClasses][byte], for the wanted keys of top_keys_.
  static constexpr size_t kLengthClasses = 32;
  std::array<uint64_t, kLengthClasses * 256 / 64> by_first_{};
  std::array<uint64_t, kLengthClasses * 256 / 64> by_last_{};
};

}  // namespace vigia
