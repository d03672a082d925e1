// File names the backup subsystem writes outside its repository.
//
//   <data_dir>/backup-restored.json   written by RestoreBackup into the restored directory:
//                                     which backup, when; the server's backup module turns it
//                                     into a backup.restored audit event at start and deletes it
//   <data_dir>/backup-state.json      the server's backup module: the last backup, its error,
//                                     the last verification (what /health/ready and
//                                     `vigia check` show; the schedule's reference)
//   <data_dir>/backup-reports/        default folder of the scheduled verifications' evidence
//                                     reports (backup.report_dir)
//
// Thread-safety: constants.
#pragma once

#include <string_view>

namespace vigia::backup_file_names {

inline constexpr std::string_view kRestoredMarker = "backup-restored.json";
inline constexpr std::string_view kReportsDir = "backup-reports";
inline constexpr std::string_view kStateFile = "backup-state.json";

}  // namespace vigia::backup_file_names
