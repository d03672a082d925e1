// File copies for Store::Checkpoint: a part's immutable files are hard-linked into the
// checkpoint (same file system: no bytes copied, and the link keeps the data even after a
// merge or retention deletes the original) or copied when linking is impossible (another
// file system, or an Env that is not the real one); a WAL segment is copied up to a length
// (the active segment keeps growing while the checkpoint is taken).
//
// Thread-safety: pure functions over files, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

// Hard-links `from` to `to` when `env` is Env::Default() and the link succeeds, else copies
// it through `env`. REQUIRES: `to` does not exist.
Status LinkOrCopyFile(Env* env, const std::string& from, const std::string& to);

// Copies the first `bytes` bytes of `from` into a new file `to` and fsyncs it.
Status CopyFilePrefix(Env* env, const std::string& from, const std::string& to, uint64_t bytes);

}  // namespace vigia
