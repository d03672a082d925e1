// The on-disk names of the alerting subsystem, under the server's data directory
// (docs/storage-format.md, "Alerting state", lists them with their format):
//   <data>/alerts/state.json   alert instances and notification-group state (checksummed)
//   <data>/alerts/silences.json the silences (checksummed)
//   <data>/alerts/outbox/N.json notifications accepted for delivery, one file each
//
// Thread-safety: constants.
#pragma once

#include <string_view>

namespace vigia::alerting_names {

inline constexpr std::string_view kAlertsDir = "alerts";
inline constexpr std::string_view kStateFile = "state.json";
inline constexpr std::string_view kSilencesFile = "silences.json";
inline constexpr std::string_view kOutboxDir = "outbox";
inline constexpr std::string_view kOutboxSuffix = ".json";
// The first line of every checksummed file: "<magic> <crc32c hex of the rest> <length>".
inline constexpr std::string_view kChecksummedMagic = "vigia-alerting-v1";

}  // namespace vigia::alerting_names
