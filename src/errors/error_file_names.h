// On-disk names of the error-group table (docs/storage-format.md, "Error groups"). Listed in
// store/format/file_names.h as the errors subsystem's own names header:
//
//   <data>/errors/
//     groups.ndjson        the table: a header line, then one group per line
//                          (error_group_table.h); rewritten whole on each save
//     groups.ndjson.tmp    a save in progress (renamed over groups.ndjson once synced)
//
// Losing the directory loses nothing for good: the server rebuilds the table from the
// stored error events and the error.* audit events (the status changes).
//
// Thread-safety: constants; thread-safe.
#pragma once

#include <string_view>

namespace vigia::errors {

inline constexpr std::string_view kErrorsDir = "errors";
inline constexpr std::string_view kGroupsFile = "groups.ndjson";
inline constexpr std::string_view kGroupsTmpFile = "groups.ndjson.tmp";

}  // namespace vigia::errors
