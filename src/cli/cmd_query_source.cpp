#include "cli/cmd_query_source.h"

#include <unistd.h>

#include <cstdio>

#include "cli/files_backend.h"
#include "cli/server_backend.h"
#include "query/local_store_backend.h"

namespace vigia::cli {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int CommandFailed(std::string_view command, std::string_view msg) {
  std::fprintf(stderr, "vigia %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(msg.size()), msg.data());
  return 1;
}

Result<std::unique_ptr<QueryBackend>> OpenQueryBackend(const QuerySourceOptions& src) {
  if (!src.server.empty()) {
    return std::unique_ptr<QueryBackend>(std::make_unique<ServerBackend>(src.server, src.api_key));
  }
  if (!src.data_dir.empty()) {
    VIGIA_ASSIGN_OR_RETURN(auto backend, LocalStoreBackend::OpenReadOnly(src.data_dir));
    return std::unique_ptr<QueryBackend>(std::move(backend));
  }
  FilesBackendOptions o;
  o.progress = src.progress;
  o.force_progress = src.force_progress;
  o.threads = src.threads;
  o.chunk_bytes = src.chunk_bytes;
  o.decode_all = src.decode_all;
  return MakeFilesBackend(src.files, o);
}

ScanProgressLine::ScanProgressLine(const QuerySourceOptions& src)
    : label_(src.data_dir),
      enabled_(src.force_progress || (src.progress && isatty(STDERR_FILENO))),
      forced_(src.force_progress) {}

ScanProgressLine::~ScanProgressLine() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

QueryObserver ScanProgressLine::observer() {
  QueryObserver obs;
  if (enabled_) obs.on_progress = [this](const QueryProgress& p) { Update(p); };
  return obs;
}

void ScanProgressLine::Update(const QueryProgress& p) {
  auto now = std::chrono::steady_clock::now();
  // On a terminal only scans that take a while get a line; --progress shows every scan.
  if (!forced_ && now - start_ < std::chrono::milliseconds(500)) return;
  if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stderr, "\r%s: %llu / %llu blocks, %llu rows, %.1f s", label_.c_str(),
               static_cast<unsigned long long>(p.blocks_done),
               static_cast<unsigned long long>(p.blocks_total),
               static_cast<unsigned long long>(p.rows_scanned),
               std::chrono::duration<double>(now - start_).count());
}

}  // namespace vigia::cli
