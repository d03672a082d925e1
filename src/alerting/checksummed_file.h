// Checksummed files of the alerting state (state, silences, outbox entries): a header line
// "vigia-alerting-v1 <crc32c of the body, 8 hex digits> <body length>\n" and a JSON body,
// written atomically (temp file, fsync, rename, fsync of the directory: WriteFileAtomic), so
// a crash leaves either the old or the new file, and a damaged one is detected, not
// half-read.
//
// Thread-safety: pure functions over the Env; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

Status WriteChecksummedFile(Env* env, const std::string& path, std::string_view body);

// The body; NotFound when the file does not exist, Corruption when the header or the
// checksum does not match.
Result<std::string> ReadChecksummedFile(Env* env, const std::string& path);

}  // namespace vigia
