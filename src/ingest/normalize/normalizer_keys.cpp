#include "ingest/normalize/normalizer_keys.h"

#include <array>
#include <vector>

#include "event/event_fields.h"
#include "ingest/normalize/key_map.h"

namespace vigia::normalize {
namespace {

constexpr SlotType TypeOf(Slot s) {
  switch (s) {
    case Slot::kKind:
      return SlotType::kKind;
    case Slot::kLevel:
      return SlotType::kLevel;
    case Slot::kMethod:
      return SlotType::kMethod;
    case Slot::kStatus:
    case Slot::kBytesIn:
    case Slot::kBytesOut:
    case Slot::kErrorLine:
      return SlotType::kInt;
    case Slot::kDurationMs:
    case Slot::kValue:
      return SlotType::kFloat;
    case Slot::kSensitive:
      return SlotType::kBool;
    case Slot::kErrorStack:
      return SlotType::kStack;
    case Slot::kOutcome:
      return SlotType::kOutcome;
    default:
      return SlotType::kString;
  }
}

// "<name>_raw" for every slot, with static storage so field names can point at it.
struct RawNames {
  std::array<std::array<char, 40>, kSlotCount> buf{};
  std::array<std::string_view, kSlotCount> views{};
  RawNames() {
    for (int i = 0; i < kSlotCount; ++i) {
      std::string_view n = fields::kAllCanonical[i];
      size_t k = 0;
      for (char c : n) buf[i][k++] = c;
      for (char c : std::string_view("_raw")) buf[i][k++] = c;
      views[i] = std::string_view(buf[i].data(), k);
    }
  }
};

struct SlotTable {
  std::array<SlotInfo, kSlotCount> info;
  SlotTable() {
    static const RawNames raw;
    static_assert(std::size(fields::kAllCanonical) == kSlotCount);
    for (int i = 0; i < kSlotCount; ++i) {
      info[i] = {fields::kAllCanonical[i], TypeOf(static_cast<Slot>(i)), raw.views[i]};
    }
  }
};

using Entry = KeyMap<KeyInfo>::Entry;

Entry Canon(Slot s, KeyAction a = KeyAction::kSlot) {
  return {fields::kAllCanonical[static_cast<int>(s)], {a, s, true}};
}
Entry Alias(std::string_view key, Slot s, KeyAction a = KeyAction::kSlot) {
  return {key, {a, s, false}};
}

std::vector<Entry> TopLevelEntries() {
  std::vector<Entry> e;
  // Every canonical name is accepted as itself.
  for (int i = 0; i < kSlotCount; ++i) {
    Slot s = static_cast<Slot>(i);
    KeyAction a = KeyAction::kSlot;
    if (s == Slot::kRoute) a = KeyAction::kRoute;
    if (s == Slot::kStatus) a = KeyAction::kStatus;
    if (s == Slot::kDetails) a = KeyAction::kDetails;
    e.push_back(Canon(s, a));
  }
  // Timestamp (slot unused for kTs).
  e.push_back({fields::kTs, {KeyAction::kTs, Slot::kCount, true}});
  for (std::string_view k : {"timestamp", "@timestamp", "time", "timeUnixNano"}) {
    e.push_back({k, {KeyAction::kTs, Slot::kCount, false}});
  }
  // The alias table of docs/architecture.md ("The event model").
  for (std::string_view k : {"message", "mensagem"}) e.push_back(Alias(k, Slot::kMsg));
  for (std::string_view k : {"severity", "levelname", "lvl", "nivel"}) {
    e.push_back(Alias(k, Slot::kLevel));
  }
  for (std::string_view k : {"requestId", "x_request_id", "correlation_id", "correlationId"}) {
    e.push_back(Alias(k, Slot::kRequestId));
  }
  for (std::string_view k : {"userId", "usuario_id"}) e.push_back(Alias(k, Slot::kUserId));
  e.push_back(Alias("endpoint", Slot::kRoute, KeyAction::kRoute));
  for (std::string_view k : {"status_code", "statusCode"}) {
    e.push_back(Alias(k, Slot::kStatus, KeyAction::kStatus));
  }
  for (std::string_view k : {"duration", "response_time_ms", "latency_ms", "durationMs"}) {
    e.push_back(Alias(k, Slot::kDurationMs));
  }
  for (std::string_view k : {"client_ip", "remote_addr", "clientIp"}) {
    e.push_back(Alias(k, Slot::kIp));
  }
  for (std::string_view k : {"user_agent", "userAgent"}) e.push_back(Alias(k, Slot::kUa));
  for (std::string_view k : {"maquina_id", "machine_id", "hostname"}) {
    e.push_back(Alias(k, Slot::kHost));
  }
  e.push_back(Alias("app_version", Slot::kVersion));
  e.push_back({"error", {KeyAction::kError, Slot::kCount, true}});
  for (std::string_view k : {"exception", "err", "erro"}) {
    e.push_back({k, {KeyAction::kError, Slot::kCount, false}});
  }
  e.push_back(Alias("acao", Slot::kAction));
  e.push_back(Alias("entidade", Slot::kEntity));
  e.push_back(Alias("entidade_id", Slot::kEntityId));
  e.push_back(Alias("detalhes", Slot::kDetails, KeyAction::kDetails));
  for (std::string_view k : {"extra_fields", "extra"}) {
    e.push_back({k, {KeyAction::kExtra, Slot::kCount, false}});
  }
  // Flat error spellings the seed-000 backend and Flutter client write next to (or instead
  // of) an error object; without them the same fact would sit in two columns.
  for (std::string_view k : {"error_type", "exception_type"}) {
    e.push_back(Alias(k, Slot::kErrorType));
  }
  for (std::string_view k : {"error_message", "exception_message"}) {
    e.push_back(Alias(k, Slot::kErrorMessage));
  }
  for (std::string_view k : {"stackTrace", "stack_trace"}) {
    e.push_back(Alias(k, Slot::kErrorStack));
  }
  return e;
}

std::vector<Entry> ErrorEntries() {
  auto inner = [](std::string_view k, Slot s, bool canonical) -> Entry {
    return {k, {KeyAction::kSlot, s, canonical}};
  };
  return {
      inner("type", Slot::kErrorType, true),          inner("tipo", Slot::kErrorType, false),
      inner("message", Slot::kErrorMessage, true),    inner("mensagem", Slot::kErrorMessage, false),
      inner("stack", Slot::kErrorStack, true),        inner("traceback", Slot::kErrorStack, false),
      inner("stacktrace", Slot::kErrorStack, false),  inner("stackTrace", Slot::kErrorStack, false),
      inner("stack_trace", Slot::kErrorStack, false), inner("code", Slot::kErrorCode, true),
      inner("file", Slot::kErrorFile, true),          inner("arquivo", Slot::kErrorFile, false),
      inner("line", Slot::kErrorLine, true),          inner("linha", Slot::kErrorLine, false),
      inner("function", Slot::kErrorFunction, true),  inner("funcao", Slot::kErrorFunction, false),
  };
}

}  // namespace

const SlotInfo& GetSlotInfo(Slot s) {
  static const SlotTable table;
  return table.info[static_cast<int>(s)];
}

namespace {

const KeyMap<KeyInfo>& TopLevelTable() {
  static const KeyMap<KeyInfo> table(TopLevelEntries());
  return table;
}

}  // namespace

const KeyInfo* LookupTopLevelKey(std::string_view key) { return TopLevelTable().Find(key); }

std::vector<std::string_view> TopLevelKeys() {
  std::vector<std::string_view> keys;
  for (const Entry& e : TopLevelEntries()) keys.push_back(e.key);
  return keys;
}

const KeyInfo* LookupErrorKey(std::string_view key) {
  static const KeyMap<KeyInfo> table(ErrorEntries());
  return table.Find(key);
}

}  // namespace vigia::normalize
