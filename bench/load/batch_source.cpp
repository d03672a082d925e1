#include "load/batch_source.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigia::bench {

Result<std::unique_ptr<FileBatchSource>> FileBatchSource::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno("stat " + path, err);
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const char* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno("mmap " + path, err);
    }
    // Read once front to back: let the kernel read ahead aggressively.
    ::madvise(p, size, MADV_SEQUENTIAL);
    data = static_cast<const char*>(p);
  }
  ::close(fd);  // the mapping keeps the file
  return std::unique_ptr<FileBatchSource>(new FileBatchSource(data, size));
}

FileBatchSource::~FileBatchSource() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

bool FileBatchSource::Next(uint64_t max_lines, std::string*, Batch* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pos_ >= size_) return false;
  const uint64_t begin = pos_;
  uint64_t lines = 0;
  while (lines < max_lines && pos_ < size_) {
    const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
    pos_ = nl == nullptr ? size_ : static_cast<uint64_t>(static_cast<const char*>(nl) - data_) + 1;
    ++lines;
  }
  out->body = std::string_view(data_ + begin, pos_ - begin);
  out->lines = lines;
  return true;
}

bool GeneratorBatchSource::Next(uint64_t max_lines, std::string* scratch, Batch* out) {
  scratch->clear();
  uint64_t lines = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (lines < max_lines && gen_.Next(&record_)) {
      writer_.Append(record_, scratch);
      ++lines;
    }
  }
  out->body = *scratch;
  out->lines = lines;
  return lines > 0;
}

}  // namespace vigia::bench
