// FsyncPolicy: when an append to the write-ahead log is durable (wal_writer.h has the details).
// A StoreOptions field (store.h) and the server's `storage.fsync` setting.
//
// Thread-safety: a plain enum.
#pragma once

namespace vigia {

enum class FsyncPolicy {
  kAlways,    // fsync before acknowledging every append (group-committed)
  kInterval,  // acknowledge after write(2); a background fsync runs every sync_interval_ms
  kNever,     // leave it to the OS
};

}  // namespace vigia
