// ElfSymbolizer: maps addresses to function names by reading ELF symbol tables (.symtab, else
// .dynsym) from the files themselves, so it works offline for a previous run's crash record
// (no libdw/addr2line needed) and for static functions dladdr cannot name.
//
// Thread-safety: externally synchronized (one instance per thread; it caches parsed files).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vigia::sdk::internal {

class ElfSymbolizer {
 public:
  // Function containing file-relative virtual address `vaddr` of `path`, demangled; empty if
  // unknown. *offset receives vaddr - symbol start.
  std::string lookup_vaddr(const std::string& path, uint64_t vaddr, uint64_t* offset);
  // Converts a file offset (from /proc/pid/maps) to a virtual address; false if not loadable.
  bool file_offset_to_vaddr(const std::string& path, uint64_t file_off, uint64_t* vaddr);
  // Symbolizes an address of the current process: "func+0x1a (module)".
  std::string describe_live(uintptr_t addr);

 private:
  struct Sym {
    uint64_t start, size;
    std::string name;
  };
  struct Load {
    uint64_t offset, vaddr, filesz;
  };
  struct File {
    bool ok = false;
    std::vector<Sym> syms;  // sorted by start
    std::vector<Load> loads;
  };
  const File& load(const std::string& path);
  std::map<std::string, std::unique_ptr<File>> files_;
};

std::string demangle(const char* name);

}  // namespace vigia::sdk::internal
