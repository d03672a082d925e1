// Size-rotated NDJSON file sink: path, path.1 … path.N (N = max_files - 1, oldest dropped).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "vigia/sink.h"

namespace vigia::sdk {
namespace {

class FileSink final : public Sink {
 public:
  FileSink(std::string path, size_t max_bytes, int max_files)
      : path_(std::move(path)), max_bytes_(max_bytes), max_files_(max_files < 1 ? 1 : max_files) {}
  ~FileSink() override {
    write_out();
    if (fd_ >= 0) ::close(fd_);
  }
  Status open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::IoError("open " + path_ + ": " + std::strerror(errno));
    struct stat st {};
    size_ = fstat(fd_, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
    return Status::Ok();
  }
  void write(const EventView& ev) override {
    if (size_ + buf_.size() + ev.json.size() + 1 > max_bytes_ && size_ + buf_.size() > 0) {
      write_out();
      rotate();
    }
    buf_.append(ev.json);
    buf_.push_back('\n');
    if (buf_.size() > (64u << 10)) write_out();
  }
  void flush(std::chrono::steady_clock::time_point) override { write_out(); }
  void tick() override { write_out(); }

 private:
  void rotate() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    for (int i = max_files_ - 1; i >= 1; --i) {
      std::string from = i == 1 ? path_ : path_ + "." + std::to_string(i - 1);
      std::string to = path_ + "." + std::to_string(i);
      ::rename(from.c_str(), to.c_str());
    }
    if (max_files_ == 1) ::unlink(path_.c_str());
    (void)open();
  }
  void write_out() {
    if (fd_ < 0 || buf_.empty()) {
      buf_.clear();
      return;
    }
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (n <= 0) break;  // disk full: losing log lines beats failing the application
      off += static_cast<size_t>(n);
    }
    size_ += off;
    buf_.clear();
  }
  std::string path_;
  size_t max_bytes_;
  int max_files_;
  int fd_ = -1;
  size_t size_ = 0;
  std::string buf_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_file_sink(const std::string& path, size_t max_bytes,
                                             int max_files) {
  auto s = std::make_unique<FileSink>(path, max_bytes, max_files);
  Status st = s->open();
  if (!st.ok()) return st;
  return std::unique_ptr<Sink>(std::move(s));
}

}  // namespace vigia::sdk
