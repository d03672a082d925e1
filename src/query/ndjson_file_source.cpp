#include "query/ndjson_file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace vigia {

Status ReadNdjsonChunks(const std::string& path, size_t chunk_bytes,
                        const std::function<Status(std::string_view)>& on_chunk,
                        const std::function<void(const NdjsonReadProgress&)>& on_progress) {
  if (chunk_bytes < 4096) chunk_bytes = 4096;
  int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  NdjsonReadProgress progress;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) progress.file_bytes = st.st_size;
  // gzread reads uncompressed input transparently, so one path serves .log and .log.gz.
  gzFile gz = gzdopen(fd, "rb");
  if (!gz) {
    close(fd);
    return Status::IOError("cannot read " + path + ": out of memory");
  }
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(gz, gzclose);
  gzbuffer(gz, 256 * 1024);
  // One buffer: the partial line carried from the last read, then the next read right after
  // it (no copy of every byte from a read buffer to a carry string), uninitialized.
  size_t cap = 2 * chunk_bytes;
  std::unique_ptr<char[]> buf(new char[cap]);
  size_t have = 0;
  while (true) {
    if (cap - have < chunk_bytes) {  // a line longer than a chunk: grow
      cap = std::max(2 * cap, have + chunk_bytes);
      std::unique_ptr<char[]> bigger(new char[cap]);
      std::memcpy(bigger.get(), buf.get(), have);
      buf = std::move(bigger);
    }
    int n = gzread(gz, buf.get() + have, static_cast<unsigned>(chunk_bytes));
    if (n < 0) {
      int err = 0;
      const char* msg = gzerror(gz, &err);
      return Status::IOError("reading " + path + ": " + (msg ? msg : "gzip error"));
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
    // The carried bytes hold no '\n': only the new ones are searched.
    const void* nl = memrchr(buf.get() + have - n, '\n', static_cast<size_t>(n));
    if (nl != nullptr) {
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - buf.get()) + 1;
      VIGIA_RETURN_IF_ERROR(on_chunk(std::string_view(buf.get(), len)));
      std::memmove(buf.get(), buf.get() + len, have - len);
      have -= len;
    }
    progress.compressed_bytes_read = static_cast<uint64_t>(gzoffset(gz));
    if (on_progress) on_progress(progress);
  }
  if (have > 0) VIGIA_RETURN_IF_ERROR(on_chunk(std::string_view(buf.get(), have)));
  return Status::Ok();
}

}  // namespace vigia
