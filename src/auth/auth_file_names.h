// The on-disk names of the auth subsystem (listed by store/format/file_names.h, which names
// every file of a data directory):
//
//   <data_dir>/auth/api_keys.tsv   the stored API keys (KeyStore, key_store.h): one key per
//                                  line, its SHA-256 hash only, never the key; mode 0600
//   <data_dir>/auth/api_keys.tsv.tmp   the next version while it is written (then renamed)
//
// Thread-safety: constants.
#pragma once

#include <string_view>

namespace vigia::auth_files {

inline constexpr std::string_view kAuthDir = "auth";
inline constexpr std::string_view kKeysFile = "api_keys.tsv";
inline constexpr std::string_view kTempSuffix = ".tmp";
// The first line of the keys file; a file without it is refused (not silently emptied).
inline constexpr std::string_view kKeysHeader = "# vigia api keys v1";

}  // namespace vigia::auth_files
