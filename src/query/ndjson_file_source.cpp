#include "query/ndjson_file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
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
  std::string buf;
  std::string carry;
  buf.resize(chunk_bytes);
  while (true) {
    int n = gzread(gz, buf.data(), static_cast<unsigned>(chunk_bytes));
    if (n < 0) {
      int err = 0;
      const char* msg = gzerror(gz, &err);
      return Status::IOError("reading " + path + ": " + (msg ? msg : "gzip error"));
    }
    if (n == 0) break;
    carry.append(buf.data(), static_cast<size_t>(n));
    size_t last_nl = carry.rfind('\n');
    if (last_nl != std::string::npos) {
      VIGIA_RETURN_IF_ERROR(on_chunk(std::string_view(carry).substr(0, last_nl + 1)));
      carry.erase(0, last_nl + 1);
    }
    progress.compressed_bytes_read = static_cast<uint64_t>(gzoffset(gz));
    if (on_progress) on_progress(progress);
  }
  if (!carry.empty()) VIGIA_RETURN_IF_ERROR(on_chunk(carry));
  return Status::Ok();
}

}  // namespace vigia
