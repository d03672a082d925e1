// Test helpers (tests only): temp directories and reading NDJSON files. Not thread-safe.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace vigia::sdk::testing {

// The temp directories this test process made, removed when it exits normally. Only by the
// process that made them: a forked child that returns from main must not remove its
// parent's directories (crash tests' children leave with _exit, which skips this anyway).
class TempDirRegistry {
 public:
  static TempDirRegistry& Get() {
    static TempDirRegistry r;
    return r;
  }
  void Add(std::string dir) { dirs_.push_back(std::move(dir)); }
  ~TempDirRegistry() {
    if (getpid() != owner_) return;
    std::error_code ec;
    for (const std::string& d : dirs_) std::filesystem::remove_all(d, ec);
  }

 private:
  TempDirRegistry() : owner_(getpid()) {}
  pid_t owner_;
  std::vector<std::string> dirs_;
};

// A new directory under the system temp dir, removed at exit (TempDirRegistry).
inline std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "vigia-sdk-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  if (p == nullptr) return std::string();
  TempDirRegistry::Get().Add(p);
  return std::string(p);
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

inline bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

}  // namespace vigia::sdk::testing
