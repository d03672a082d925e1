#include "query/mapped_file.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>

#include "common/limits.h"

namespace vigia {
namespace {

// The mappings the SIGBUS handler may repair: [start, end) (start 0 = free slot).
struct Registered {
  std::atomic<uintptr_t> start{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> truncated{false};
};
Registered g_mappings[limits::kMaxMappedFiles];
std::mutex g_register_mu;  // taking and freeing slots (not used by the handler)
struct sigaction g_previous;
uintptr_t g_page_size = 4096;  // set before the handler is installed

void OnSigbus(int sig, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Registered& m : g_mappings) {
    const uintptr_t start = m.start.load(std::memory_order_acquire);
    if (start == 0 || addr < start || addr >= m.end.load(std::memory_order_acquire)) continue;
    // A page of a file that shrank: zeros instead, and the read goes on (Check reports it).
    const uintptr_t page = addr & ~(g_page_size - 1);
    m.truncated.store(true, std::memory_order_release);
    if (mmap(reinterpret_cast<void*>(page), static_cast<size_t>(g_page_size), PROT_READ,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
      return;
    }
    break;
  }
  // Not ours (or not repairable): what would have happened without this handler.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) return g_previous.sa_sigaction(sig, info, context);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN &&
             g_previous.sa_handler != nullptr) {
    return g_previous.sa_handler(sig);
  }
  signal(SIGBUS, SIG_DFL);  // returning re-runs the access, which now stops the process
}

void InstallHandler() {
  g_page_size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  struct sigaction sa {};
  sa.sa_sigaction = OnSigbus;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &g_previous);
}

}  // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::Map(int fd, size_t size, std::string path) {
  static std::once_flag installed;
  std::call_once(installed, InstallHandler);
  std::lock_guard lock(g_register_mu);
  int slot = -1;
  for (int i = 0; i < static_cast<int>(limits::kMaxMappedFiles); ++i) {
    if (g_mappings[i].start.load() == 0) {
      slot = i;
      break;
    }
  }
  if (slot < 0) return Status::ResourceExhausted("too many mapped files");
  void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) return Status::FromErrno("mmap " + path, errno);
  madvise(m, size, MADV_SEQUENTIAL);
  Registered& r = g_mappings[slot];
  r.truncated.store(false);
  r.end.store(reinterpret_cast<uintptr_t>(m) + size, std::memory_order_release);
  r.start.store(reinterpret_cast<uintptr_t>(m), std::memory_order_release);
  return std::shared_ptr<MappedFile>(
      new MappedFile(static_cast<const char*>(m), size, slot, std::move(path)));
}

MappedFile::~MappedFile() {
  std::lock_guard lock(g_register_mu);
  munmap(const_cast<char*>(data_), size_);
  g_mappings[slot_].start.store(0, std::memory_order_release);
}

Status MappedFile::Check() const {
  if (!g_mappings[slot_].truncated.load(std::memory_order_acquire)) return Status::Ok();
  return Status::IOError(path_ + ": file shrank while being read (mapped " + std::to_string(size_) +
                         " bytes)");
}

}  // namespace vigia
