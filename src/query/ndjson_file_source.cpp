#include "query/ndjson_file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/limits.h"
#include "query/gzip_inflater.h"

namespace vigia {
namespace {

// One input file (or stdin) as bytes: read as is, or inflated when it starts with gzip's
// magic number.
class Input {
 public:
  explicit Input(const std::string& path) : path_(path) {}
  ~Input() {
    if (fd_ >= 0) close(fd_);
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  Status Open() {
    fd_ = path_ == "-" ? dup(STDIN_FILENO) : open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::FromErrno("open " + path_, errno);
    struct stat st;
    if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
      regular_ = true;
      file_bytes_ = static_cast<uint64_t>(st.st_size);
      posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
      // Read as it was when opened (as when plain files were mapped); an empty one, or
      // stdin, to its end.
      if (path_ != "-" && file_bytes_ > 0) limit_ = file_bytes_;
    }
    // The first bytes tell gzip from plain text (a pipe may deliver one byte at a time); a
    // small read, as a plain file's first bytes are copied once from here.
    in_.reset(new char[limits::kFileQueryInputBlockBytes]);
    while (head_size_ < 2 && !eof_) {
      VIGIA_ASSIGN_OR_RETURN(size_t n, ReadSome(in_.get() + head_size_, 4096 - head_size_));
      head_size_ += n;
    }
    gzip_ = GzipInflater::LooksLikeGzip(in_.get(), head_size_);
    if (gzip_) {
      inflater_.SetInput(in_.get(), head_size_);
      limit_ = UINT64_MAX;  // a gzip file that grows is read to its new end
    }
    return Status::Ok();
  }

  // Fills dst[0, n): fewer bytes only at the end of the input.
  Result<size_t> Fill(char* dst, size_t n) { return gzip_ ? FillGzip(dst, n) : FillPlain(dst, n); }

  uint64_t consumed() const { return consumed_; }
  uint64_t file_bytes() const { return file_bytes_; }

 private:
  Result<size_t> FillPlain(char* dst, size_t n) {
    size_t got = std::min(n, head_size_ - head_pos_);  // the bytes read to detect gzip
    if (got > 0) {
      std::memcpy(dst, in_.get() + head_pos_, got);
      head_pos_ += got;
    }
    while (got < n && !eof_) {
      VIGIA_ASSIGN_OR_RETURN(size_t r, ReadSome(dst + got, n - got));
      got += r;
    }
    return got;
  }

  Result<size_t> FillGzip(char* dst, size_t n) {
    size_t got = 0;
    while (got < n) {
      if (inflater_.NeedsInput() && !eof_) {
        VIGIA_ASSIGN_OR_RETURN(size_t r, ReadSome(in_.get(), limits::kFileQueryInputBlockBytes));
        if (r > 0) inflater_.SetInput(in_.get(), r);
      }
      Result<size_t> w = inflater_.Inflate(dst + got, n - got);
      if (!w.ok()) return Status::Corruption("reading " + path_ + ": " + w.status().message());
      got += *w;
      if (*w > 0) continue;
      if (eof_) {
        Status st = inflater_.Finish();
        if (!st.ok()) return Status::Corruption("reading " + path_ + ": " + st.message());
        break;
      }
      if (!inflater_.NeedsInput())
        return Status::Internal("reading " + path_ + ": inflate stalled");
    }
    return got;
  }

  // One read(2) into dst; 0 and eof_ at the end of the file (or at limit_). A regular file
  // that ends before its size at open was truncated while read: an error, not a short answer.
  Result<size_t> ReadSome(char* dst, size_t n) {
    n = static_cast<size_t>(std::min<uint64_t>(n, limit_ - std::min(limit_, consumed_)));
    while (n > 0) {
      const ssize_t r = read(fd_, dst, n);
      if (r > 0) {
        consumed_ += static_cast<uint64_t>(r);
        return static_cast<size_t>(r);
      }
      if (r == 0) break;
      if (errno != EINTR) return Status::FromErrno("reading " + path_, errno);
    }
    eof_ = true;
    if (regular_ && consumed_ < file_bytes_) {
      return Status::IOError(path_ + ": file shrank while being read (ended after " +
                             std::to_string(consumed_) + " of " + std::to_string(file_bytes_) +
                             " bytes)");
    }
    return size_t{0};
  }

  const std::string path_;
  int fd_ = -1;
  bool regular_ = false;
  uint64_t file_bytes_ = 0;
  uint64_t consumed_ = 0;
  uint64_t limit_ = UINT64_MAX;  // bytes read at most
  bool eof_ = false;
  bool gzip_ = false;
  std::unique_ptr<char[]> in_;  // compressed input (gzip); the first bytes (both)
  size_t head_size_ = 0;        // bytes read into in_ by Open
  size_t head_pos_ = 0;         // of which handed out by FillPlain
  GzipInflater inflater_;
};

// Lends each chunk to a callback as text, recycling one buffer.
class LendingSink final : public LineChunkSink {
 public:
  explicit LendingSink(const std::function<Status(std::string_view)>& on_chunk)
      : on_chunk_(on_chunk) {}
  LineChunk Buffer() override { return std::move(spare_); }
  Status Emit(LineChunk chunk) override {
    Status st = on_chunk_(chunk.text());
    spare_ = std::move(chunk);
    return st;
  }

 private:
  const std::function<Status(std::string_view)>& on_chunk_;
  LineChunk spare_;
};

}  // namespace

Status ReadNdjsonChunks(const std::string& path, size_t chunk_bytes, LineChunkSink& sink,
                        const std::function<void(const NdjsonReadProgress&)>& on_progress) {
  if (chunk_bytes < 4096) chunk_bytes = 4096;
  Input in(path);
  VIGIA_RETURN_IF_ERROR(in.Open());
  NdjsonReadProgress progress;
  progress.file_bytes = in.file_bytes();
  // Each read goes right after the partial line carried in the buffer; a chunk's room for
  // that line is reserved up front, so buffers rarely grow.
  const size_t room = chunk_bytes + limits::kFileQueryCarryBytes;
  LineChunk cur = sink.Buffer();
  size_t have = 0;  // bytes in cur: the carried partial line, then what was read
  while (true) {
    cur.Reserve(std::max(room, have + chunk_bytes), have);  // grows for a line over a chunk
    VIGIA_ASSIGN_OR_RETURN(size_t n, in.Fill(cur.data() + have, chunk_bytes));
    if (n == 0) break;
    have += n;
    // The carried bytes hold no '\n': only the new ones are searched.
    const void* nl = memrchr(cur.data() + have - n, '\n', n);
    if (nl != nullptr) {
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - cur.data()) + 1;
      LineChunk next = sink.Buffer();
      next.Reserve(std::max(room, have - len + chunk_bytes), 0);
      if (have > len) std::memcpy(next.data(), cur.data() + len, have - len);
      cur.set_size(len);
      VIGIA_RETURN_IF_ERROR(sink.Emit(std::move(cur)));
      cur = std::move(next);
      have -= len;
    }
    progress.compressed_bytes_read = in.consumed();
    if (on_progress) on_progress(progress);
    if (n < chunk_bytes) break;  // the end of the input
  }
  if (have > 0) {
    cur.set_size(have);
    VIGIA_RETURN_IF_ERROR(sink.Emit(std::move(cur)));
  }
  return Status::Ok();
}

Status ReadNdjsonChunks(const std::string& path, size_t chunk_bytes,
                        const std::function<Status(std::string_view)>& on_chunk,
                        const std::function<void(const NdjsonReadProgress&)>& on_progress) {
  LendingSink sink(on_chunk);
  return ReadNdjsonChunks(path, chunk_bytes, sink, on_progress);
}

}  // namespace vigia
