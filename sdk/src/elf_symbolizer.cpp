#include "elf_symbolizer.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vigia::sdk::internal {

std::string demangle(const char* name) {
  int st = 0;
  char* d = abi::__cxa_demangle(name, nullptr, nullptr, &st);
  if (st == 0 && d) {
    std::string r(d);
    std::free(d);
    return r;
  }
  std::free(d);
  return name;
}

const ElfSymbolizer::File& ElfSymbolizer::load(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return *it->second;
  auto f = std::make_unique<File>();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size >= static_cast<off_t>(sizeof(Elf64_Ehdr))) {
    size_t size = static_cast<size_t>(st.st_size);
    void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      const char* base = static_cast<const char*>(m);
      Elf64_Ehdr eh;
      std::memcpy(&eh, base, sizeof eh);
      bool valid = std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
                   eh.e_ident[EI_CLASS] == ELFCLASS64 &&
                   eh.e_shoff + static_cast<uint64_t>(eh.e_shnum) * sizeof(Elf64_Shdr) <= size &&
                   eh.e_phoff + static_cast<uint64_t>(eh.e_phnum) * sizeof(Elf64_Phdr) <= size;
      if (valid) {
        for (int i = 0; i < eh.e_phnum; ++i) {
          Elf64_Phdr ph;
          std::memcpy(&ph, base + eh.e_phoff + i * sizeof ph, sizeof ph);
          if (ph.p_type == PT_LOAD) f->loads.push_back({ph.p_offset, ph.p_vaddr, ph.p_filesz});
        }
        std::vector<Elf64_Shdr> sh(eh.e_shnum);
        if (eh.e_shnum) std::memcpy(sh.data(), base + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
        for (uint32_t want :
             {static_cast<uint32_t>(SHT_SYMTAB), static_cast<uint32_t>(SHT_DYNSYM)}) {
          for (const auto& s : sh) {
            if (s.sh_type != want || s.sh_link >= sh.size()) continue;
            const auto& strs = sh[s.sh_link];
            if (s.sh_offset + s.sh_size > size || strs.sh_offset + strs.sh_size > size) continue;
            size_t n = s.sh_size / sizeof(Elf64_Sym);
            for (size_t k = 0; k < n; ++k) {
              Elf64_Sym sym;
              std::memcpy(&sym, base + s.sh_offset + k * sizeof sym, sizeof sym);
              if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_value == 0) continue;
              if (sym.st_name >= strs.sh_size) continue;
              const char* nm = base + strs.sh_offset + sym.st_name;
              size_t maxlen = strs.sh_size - sym.st_name;
              f->syms.push_back({sym.st_value, sym.st_size, std::string(nm, strnlen(nm, maxlen))});
            }
          }
          if (!f->syms.empty()) break;
        }
        std::sort(f->syms.begin(), f->syms.end(),
                  [](const Sym& a, const Sym& b) { return a.start < b.start; });
        f->ok = true;
      }
      munmap(m, size);
    }
  }
  if (fd >= 0) ::close(fd);
  return *files_.emplace(path, std::move(f)).first->second;
}

std::string ElfSymbolizer::lookup_vaddr(const std::string& path, uint64_t vaddr, uint64_t* offset) {
  const File& f = load(path);
  auto it = std::upper_bound(f.syms.begin(), f.syms.end(), vaddr,
                             [](uint64_t v, const Sym& s) { return v < s.start; });
  if (it == f.syms.begin()) return {};
  --it;
  // Size 0 symbols (hand-written asm) are accepted as "nearest preceding".
  if (it->size != 0 && vaddr >= it->start + it->size) return {};
  if (offset) *offset = vaddr - it->start;
  return demangle(it->name.c_str());
}

bool ElfSymbolizer::file_offset_to_vaddr(const std::string& path, uint64_t file_off,
                                         uint64_t* vaddr) {
  const File& f = load(path);
  for (const auto& l : f.loads) {
    if (file_off >= l.offset && file_off < l.offset + l.filesz) {
      *vaddr = file_off - l.offset + l.vaddr;
      return true;
    }
  }
  return false;
}

std::string ElfSymbolizer::describe_live(uintptr_t addr) {
  Dl_info info{};
  link_map* lm = nullptr;
  char buf[64];
  if (dladdr1(reinterpret_cast<void*>(addr), &info, reinterpret_cast<void**>(&lm),
              RTLD_DL_LINKMAP) &&
      lm) {
    std::string module = info.dli_fname ? info.dli_fname : "?";
    if (module.empty() || module[0] != '/') {
      // The main program reports "" or argv[0]; /proc/self/exe is the real file.
      char exe[4096];
      ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
      if (n > 0 && (module.empty() || lm->l_name == nullptr || lm->l_name[0] == 0))
        module.assign(exe, n);
    }
    uint64_t off = 0;
    std::string name = lookup_vaddr(module, addr - lm->l_addr, &off);
    if (name.empty() && info.dli_sname) {
      name = demangle(info.dli_sname);
      off = addr - reinterpret_cast<uintptr_t>(info.dli_saddr);
    }
    if (!name.empty()) {
      snprintf(buf, sizeof buf, "+0x%llx (", static_cast<unsigned long long>(off));
      return name + buf + module + ")";
    }
    snprintf(buf, sizeof buf, "0x%llx (", static_cast<unsigned long long>(addr - lm->l_addr));
    return buf + module + ")";
  }
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
  return buf;
}

}  // namespace vigia::sdk::internal
