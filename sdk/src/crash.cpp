#include "vigia/crash.h"

#include <cxxabi.h>
#include <dirent.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <typeinfo>

#include "elf_symbolizer.h"
#include "record.h"
#include "tsc_clock.h"
#include "vigia/logger.h"

namespace vigia::sdk {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
constexpr size_t kAltStack = 64 * 1024;

// Everything the signal handler touches is prepared at install time: it may only use
// async-signal-safe calls (open/write/read/close/getpid/clock_gettime/sigaction/raise).
char g_dir[512];
char* g_identity = nullptr;
size_t g_identity_len = 0;
void* g_altstack = nullptr;
struct sigaction g_old[std::size(kSignals)];
std::atomic<bool> g_in_crash{false};
std::atomic<bool> g_record_written{false};
std::terminate_handler g_old_terminate = nullptr;
bool g_installed = false;

struct Writer {
  int fd;
  void str(const char* s, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd, s, n);
      if (w <= 0) return;
      s += w;
      n -= static_cast<size_t>(w);
    }
  }
  void str(const char* s) { str(s, std::strlen(s)); }
  void dec(long long v) {
    char b[24];
    int i = 23;
    bool neg = v < 0;
    unsigned long long u =
        neg ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    b[i] = 0;
    do {
      b[--i] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u);
    if (neg) b[--i] = '-';
    str(b + i);
  }
  void hex(uintptr_t v) {
    char b[20];
    int i = 19;
    b[i] = 0;
    do {
      b[--i] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v);
    b[--i] = 'x';
    b[--i] = '0';
    str(b + i);
  }
  // One line, newlines flattened so the record stays line-oriented.
  void line_value(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      char c = s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
      str(&c, 1);
    }
  }
};

int open_record() {
  char path[600];
  size_t n = std::strlen(g_dir);
  std::memcpy(path, g_dir, n);
  const char* pre = "/crash-";
  std::memcpy(path + n, pre, 7);
  n += 7;
  char digits[24];
  int i = 23;
  long long pid = getpid();
  digits[i] = 0;
  do {
    digits[--i] = static_cast<char>('0' + pid % 10);
    pid /= 10;
  } while (pid);
  size_t dl = std::strlen(digits + i);
  std::memcpy(path + n, digits + i, dl);
  n += dl;
  std::memcpy(path + n, ".vcr", 5);
  return ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

// Writes the whole record; `pc` (the faulting instruction, 0 if unknown) goes first.
void write_record(int sig, const char* ex_type, const char* ex_msg, uintptr_t pc, void** frames,
                  int nframes) {
  int fd = open_record();
  if (fd < 0) return;
  Writer w{fd};
  w.str("VIGIA-CRASH 1\nsignal ");
  w.dec(sig);
  w.str("\npid ");
  w.dec(getpid());
  w.str("\ntime_ns ");
  w.dec(internal::realtime_ns());
  w.str("\nidentity ");
  if (g_identity) w.line_value(g_identity, g_identity_len);
  if (ex_type) {
    w.str("\nexception_type ");
    w.line_value(ex_type, std::strlen(ex_type));
    w.str("\nexception_message ");
    w.line_value(ex_msg ? ex_msg : "", ex_msg ? std::strlen(ex_msg) : 0);
  }
  w.str("\nframes\n");
  if (pc) {
    w.str("pc ");
    w.hex(pc);
    w.str("\n");
  }
  for (int i = 0; i < nframes; ++i) {
    w.str("ret ");
    w.hex(reinterpret_cast<uintptr_t>(frames[i]));
    w.str("\n");
  }
  w.str("maps\n");
  int mfd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (mfd >= 0) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(mfd, buf, sizeof buf)) > 0) w.str(buf, static_cast<size_t>(n));
    ::close(mfd);
  }
  ::close(fd);
}

void reraise(int sig) {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
  raise(sig);
}

void on_signal(int sig, siginfo_t*, void* uctx) {
  if (!g_in_crash.exchange(true) && !g_record_written.load()) {
    uintptr_t pc = 0;
#if defined(__x86_64__)
    pc = static_cast<uintptr_t>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RIP]);
#else
    (void)uctx;
#endif
    void* frames[internal::kMaxFrames];
    // backtrace() was called once at install so its lazy loading of libgcc_s happened then.
    int n = backtrace(frames, internal::kMaxFrames);
    write_record(sig, nullptr, nullptr, pc, frames, n);
    g_record_written.store(true);
  }
  reraise(sig);
}

void on_terminate() {
  if (!g_in_crash.exchange(true)) {
    const char* type = "unknown";
    std::string type_s, msg;
    if (std::type_info* t = abi::__cxa_current_exception_type()) {
      type_s = internal::demangle(t->name());
      type = type_s.c_str();
      try {
        std::rethrow_exception(std::current_exception());
      } catch (const std::exception& e) {
        msg = e.what();
      } catch (...) {
      }
    } else {
      type = "std::terminate";
      msg = "terminate called without an active exception";
    }
    void* frames[internal::kMaxFrames];
    int n = backtrace(frames, internal::kMaxFrames);
    write_record(0, type, msg.c_str(), 0, frames, n);
    g_record_written.store(true);
    // Give events logged just before the crash a bounded chance to leave.
    if (Logger* l = default_logger()) (void)l->flush(std::chrono::milliseconds(1000));
  }
  std::abort();
}

std::string hex_to_str(uintptr_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

Status install_crash_handlers(const std::string& dir, const std::string& identity_json) {
  if (dir.size() >= sizeof g_dir - 32) return Status::InvalidArgument("crash dir path too long");
  ::mkdir(dir.c_str(), 0700);
  std::memcpy(g_dir, dir.c_str(), dir.size() + 1);
  std::free(g_identity);
  g_identity = static_cast<char*>(std::malloc(identity_json.size() + 1));
  if (!g_identity) return Status::Internal("out of memory");
  std::memcpy(g_identity, identity_json.c_str(), identity_json.size() + 1);
  g_identity_len = identity_json.size();
  void* warm[4];
  (void)backtrace(warm, 4);
  if (!g_altstack) {
    g_altstack = std::malloc(kAltStack);
    if (!g_altstack) return Status::Internal("out of memory");
  }
  stack_t ss{};
  ss.ss_sp = g_altstack;
  ss.ss_size = kAltStack;
  if (sigaltstack(&ss, nullptr) != 0) return Status::Internal("sigaltstack failed");
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    struct sigaction sa {};
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(kSignals[i], &sa, g_installed ? nullptr : &g_old[i]) != 0)
      return Status::Internal("sigaction failed");
  }
  if (!g_installed) g_old_terminate = std::set_terminate(on_terminate);
  g_installed = true;
  return Status::Ok();
}

void uninstall_crash_handlers() {
  if (!g_installed) return;
  for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &g_old[i], nullptr);
  std::set_terminate(g_old_terminate);
  g_installed = false;
}

std::vector<CrashRecord> read_crash_records(const std::string& dir) {
  std::vector<CrashRecord> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind("crash-", 0) == 0 && n.size() > 4 && n.substr(n.size() - 4) == ".vcr")
      names.push_back(n);
  }
  closedir(d);
  internal::ElfSymbolizer sym;
  for (const auto& n : names) {
    CrashRecord cr;
    cr.path = dir + "/" + n;
    std::ifstream in(cr.path);
    std::string line;
    if (!std::getline(in, line) || line != "VIGIA-CRASH 1") continue;
    struct Frame {
      uintptr_t addr;
      bool is_pc;
    };
    std::vector<Frame> frames;
    struct Map {
      uintptr_t start, end, offset;
      std::string path;
    };
    std::vector<Map> maps;
    int section = 0;  // 0 header, 1 frames, 2 maps
    while (std::getline(in, line)) {
      if (section == 0) {
        auto sp = line.find(' ');
        std::string key = line.substr(0, sp),
                    val = sp == std::string::npos ? "" : line.substr(sp + 1);
        if (key == "signal")
          cr.signal = std::atoi(val.c_str());
        else if (key == "pid")
          cr.pid = std::atoll(val.c_str());
        else if (key == "time_ns")
          cr.time_ns = std::atoll(val.c_str());
        else if (key == "identity")
          cr.identity_json = val;
        else if (key == "exception_type")
          cr.exception_type = val;
        else if (key == "exception_message")
          cr.exception_message = val;
        else if (key == "frames")
          section = 1;
      } else if (section == 1) {
        if (line == "maps") {
          section = 2;
          continue;
        }
        bool pc = line.rfind("pc ", 0) == 0;
        frames.push_back(
            {static_cast<uintptr_t>(std::strtoull(line.c_str() + (pc ? 3 : 4), nullptr, 16)), pc});
      } else {
        unsigned long long s, e, off;
        char perms[8], dev[16], path[4096] = {};
        unsigned long long inode;
        int m = sscanf(line.c_str(), "%llx-%llx %7s %llx %15s %llu %4095[^\n]", &s, &e, perms, &off,
                       dev, &inode, path);
        if (m >= 6) {
          std::string p = path;
          size_t b = p.find_first_not_of(' ');
          p = b == std::string::npos ? "" : p.substr(b);
          maps.push_back({static_cast<uintptr_t>(s), static_cast<uintptr_t>(e),
                          static_cast<uintptr_t>(off), p});
        }
      }
    }
    // The pc frame names the faulting function; the `ret` frames start with the handler's own
    // (on_signal, the signal trampoline), kept because they show how the record was made.
    for (const auto& f : frames) {
      uintptr_t a = f.is_pc ? f.addr : f.addr - 1;
      std::string text = hex_to_str(f.addr);
      for (const auto& m : maps) {
        if (a < m.start || a >= m.end) continue;
        if (!m.path.empty() && m.path[0] == '/') {
          uint64_t vaddr, off = 0;
          if (sym.file_offset_to_vaddr(m.path, a - m.start + m.offset, &vaddr)) {
            std::string name = sym.lookup_vaddr(m.path, vaddr, &off);
            text = name.empty() ? hex_to_str(vaddr) + " (" + m.path + ")"
                                : name + "+" + hex_to_str(off) + " (" + m.path + ")";
          }
        }
        break;
      }
      cr.frames.push_back(std::move(text));
    }
    out.push_back(std::move(cr));
  }
  return out;
}

}  // namespace vigia::sdk
