// Thread roles and their scheduling weight: the server's threads that can wait (merges,
// memtable flushes, ingest decoding) run at a lower CPU priority (a higher nice value) than
// the threads that answer queries, so that on a busy machine a query gets the cores first
// and the background work takes what is left — all of it when nothing else runs (issue 20's
// mixed load; ClickHouse lowers its background pools' priority the same way,
// `os_thread_priority`). Linux's CFS shares a contended core by weight: nice 0 weighs 1024,
// nice 3 526, nice 5 335, nice 10 110 (limits.h has the values and their reasons).
//
// Each role also names its thread (`top -H`, perf, gdb show "vigia-merge" and so on).
//
// VIGIA_THREAD_PRIORITY=off leaves every thread at the process's own priority (before/after
// measurements, bench/mixed_load.sh).
//
// Thread-safety: SetThreadRole affects only the calling thread; call it from the thread
// itself, once, when it starts.
#pragma once

namespace vigia {

enum class ThreadRole {
  kMerge,   // part merges: only bound the number of parts; can wait the longest
  kFlush,   // memtable flushes: level with ingest, which waits for them when the memtable is full
  kIngest,  // decoding and committing ingest batches: acknowledged after; clients retry
  kRefill,  // start-up refills of derived state (the live traffic statistics' last hour):
            // a background scan that must not slow the first queries after a restart
};

// The nice value of a role (limits.h has the reasons).
int NiceOf(ThreadRole role);

// Names the calling thread after its role and lowers its priority to NiceOf(role) (never
// raises it: an unprivileged process may only lower). Failures are ignored: priorities are
// an optimisation, not a contract.
void SetThreadRole(ThreadRole role);

}  // namespace vigia
