// Every on-disk file and directory name of the embedded store, in one place.
//
//   <data_dir>/wal/                    write-ahead log segments
//   <data_dir>/wal/<seq:020>.wal       one segment; <seq> = sequence of its first record
//   <data_dir>/.write_probe            created and removed by Store::Health() to check
//                                      that the data directory is writable
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"

namespace vigia::file_names {

inline constexpr std::string_view kWalDir = "wal";
inline constexpr std::string_view kWalSuffix = ".wal";
inline constexpr std::string_view kWriteProbe = ".write_probe";
// Digits of the zero-padded sequence number in a segment name: sorts lexicographically.
inline constexpr size_t kWalSeqDigits = 20;

inline std::string WalDir(std::string_view data_dir) { return JoinPath(data_dir, kWalDir); }

inline std::string WalSegmentName(uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020" PRIu64, first_seq);
  return std::string(buf) + std::string(kWalSuffix);
}

// The first sequence number encoded in a segment file name; nullopt for other files.
inline std::optional<uint64_t> ParseWalSegmentName(std::string_view name) {
  if (name.size() != kWalSeqDigits + kWalSuffix.size()) return std::nullopt;
  if (name.substr(kWalSeqDigits) != kWalSuffix) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < kWalSeqDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

inline std::string WriteProbePath(std::string_view data_dir) {
  return JoinPath(data_dir, kWriteProbe);
}

}  // namespace vigia::file_names
