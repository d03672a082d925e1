#include "common/thread_priority.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "common/limits.h"

namespace vigia {

namespace {

bool Enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("VIGIA_THREAD_PRIORITY");
    return v == nullptr || std::string_view(v) != "off";
  }();
  return enabled;
}

const char* NameOf(ThreadRole role) {
  switch (role) {
    case ThreadRole::kMerge:
      return "vigia-merge";
    case ThreadRole::kFlush:
      return "vigia-flush";
    case ThreadRole::kIngest:
      return "vigia-ingest";
    case ThreadRole::kRefill:
      return "vigia-refill";
  }
  return "vigia";
}

}  // namespace

int NiceOf(ThreadRole role) {
  switch (role) {
    case ThreadRole::kMerge:
      return limits::kMergeThreadNice;
    case ThreadRole::kFlush:
      return limits::kFlushThreadNice;
    case ThreadRole::kIngest:
      return limits::kIngestThreadNice;
    case ThreadRole::kRefill:
      return limits::kRefillThreadNice;
  }
  return 0;
}

void SetThreadRole(ThreadRole role) {
  pthread_setname_np(pthread_self(), NameOf(role));
  if (!Enabled()) return;
  // On Linux a nice value belongs to a thread (its tid), not to the whole process.
  const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  errno = 0;
  int current = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (errno != 0) return;
  const int wanted = current + NiceOf(role);
  setpriority(PRIO_PROCESS, static_cast<id_t>(tid), wanted > 19 ? 19 : wanted);
}

}  // namespace vigia
