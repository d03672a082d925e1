#include "spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace vigia::sdk::internal {

Spool::Spool(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

std::string Spool::path_of(uint64_t seq) const {
  char name[48];
  snprintf(name, sizeof name, "/batch-%020llu.vsb", static_cast<unsigned long long>(seq));
  return dir_ + name;
}

uint64_t Spool::open() {
  if (!enabled()) return 0;
  ::mkdir(dir_.c_str(), 0700);
  DIR* d = opendir(dir_.c_str());
  uint64_t max_seq = 0;
  if (!d) return 0;
  while (dirent* e = readdir(d)) {
    unsigned long long seq;
    if (sscanf(e->d_name, "batch-%20llu.vsb", &seq) == 1 &&
        std::strstr(e->d_name, ".tmp") == nullptr) {
      struct stat st {};
      std::string p = path_of(seq);
      if (stat(p.c_str(), &st) == 0) {
        files_[seq] = static_cast<uint64_t>(st.st_size);
        bytes_ += static_cast<uint64_t>(st.st_size);
        if (seq > max_seq) max_seq = seq;
      }
    } else if (std::strstr(e->d_name, ".tmp")) {
      ::unlink((dir_ + "/" + e->d_name).c_str());  // torn write of a previous run
    }
  }
  closedir(d);
  return max_seq;
}

bool Spool::push(const SpooledBatch& b) {
  if (!enabled()) return false;
  std::string header =
      "VSB1 " + std::to_string(b.events) + " " + (b.encoding.empty() ? "-" : b.encoding) + "\n";
  uint64_t size = header.size() + b.body.size();
  if (bytes_ + size > max_bytes_) return false;
  std::string path = path_of(b.seq), tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = true;
  for (std::string_view part : {std::string_view(header), std::string_view(b.body)}) {
    size_t off = 0;
    while (ok && off < part.size()) {
      ssize_t n = ::write(fd, part.data() + off, part.size() - off);
      if (n <= 0)
        ok = false;
      else
        off += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  files_[b.seq] = size;
  bytes_ += size;
  return true;
}

bool Spool::front(SpooledBatch* out) {
  while (!files_.empty()) {
    auto it = files_.begin();
    std::string path = path_of(it->first);
    FILE* f = fopen(path.c_str(), "rb");
    std::string data;
    if (f) {
      char buf[65536];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
      fclose(f);
    }
    size_t nl = data.find('\n');
    unsigned events = 0;
    char enc[16] = {};
    if (f && nl != std::string::npos && sscanf(data.c_str(), "VSB1 %u %15s", &events, enc) == 2) {
      out->seq = it->first;
      out->events = events;
      out->encoding = std::strcmp(enc, "-") == 0 ? "" : enc;
      out->body = data.substr(nl + 1);
      return true;
    }
    pop_front();  // unreadable: skipping it is better than blocking the whole spool forever
  }
  return false;
}

void Spool::pop_front() {
  if (files_.empty()) return;
  auto it = files_.begin();
  ::unlink(path_of(it->first).c_str());
  bytes_ -= it->second;
  files_.erase(it);
}

}  // namespace vigia::sdk::internal
