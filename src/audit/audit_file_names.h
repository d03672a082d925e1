// On-disk names of the audit ledger (docs/storage-format.md, "Audit ledger"). Listed in
// store/format/file_names.h as the audit subsystem's own names header. Everything lives
// under one directory of the data dir, so a backup copies `<data>/audit/` whole:
//
//   <data>/audit/
//     signing.key            Ed25519 secret key (hex, mode 0600), made on first start
//     signing.pub            its public half (hex); `vigia audit public-key` prints it
//     chained.pos            the last WAL sequence chained and each chain's length then
//                            (audit_chainer.h; rewritten whole: chained.pos.tmp + rename)
//     t-<tenant>/            one chain per tenant ("t-" alone for the default tenant; bytes
//                            outside [A-Za-z0-9_-] written %XX, like partition names)
//       ledger.bin           append-only hash-chained records (ledger_record.h)
//       checkpoints.ndjson   signed checkpoints, one JSON object a line (checkpoint.h)
//
// Thread-safety: constants and pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigia::audit {

inline constexpr std::string_view kAuditDir = "audit";
inline constexpr std::string_view kSigningKeyFile = "signing.key";
inline constexpr std::string_view kPublicKeyFile = "signing.pub";
inline constexpr std::string_view kChainedPositionFile = "chained.pos";
inline constexpr std::string_view kTenantDirPrefix = "t-";
inline constexpr std::string_view kLedgerFile = "ledger.bin";
inline constexpr std::string_view kCheckpointsFile = "checkpoints.ndjson";

// "t-" + the tenant with unsafe bytes as %XX.
std::string TenantDirName(std::string_view tenant);
// Inverse; nullopt for names TenantDirName does not produce.
std::optional<std::string> ParseTenantDirName(std::string_view name);

}  // namespace vigia::audit
