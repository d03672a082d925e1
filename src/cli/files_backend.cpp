#include "cli/files_backend.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "ingest/ndjson/ndjson_decoder.h"
#include "query/ndjson_file_source.h"
#include "query/row_evaluator_backend.h"

namespace vigia::cli {
namespace {

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Decodes every file in turn and hands each chunk's batch to `add`.
Status ReadFiles(const std::vector<std::string>& files, bool progress, bool force_progress,
                 const std::function<Status(const EventBatch&)>& add) {
  NdjsonDecoder decoder;
  uint64_t rejected = 0;
  std::string first_error;
  // Files are usually far bigger than one chunk; 4 MiB keeps the decoder's batches large
  // enough to amortize per-batch work and small enough to stay cache- and memory-friendly.
  constexpr size_t kChunk = 4u << 20;
  bool show = force_progress || (progress && isatty(STDERR_FILENO));
  for (const std::string& f : files) {
    int64_t now = WallNowNs();
    Status st = ReadNdjsonChunks(
        f, kChunk,
        [&](std::string_view chunk) {
          EventBatch batch;
          DecodeResult r = decoder.Decode(chunk, now, &batch);
          rejected += r.rejected;
          if (first_error.empty() && !r.errors.empty()) first_error = r.errors[0].error;
          return add(batch);
        },
        [&](const NdjsonReadProgress& p) {
          if (show && (force_progress || p.file_bytes > (64u << 20))) {
            std::fprintf(stderr, "\r%s: %llu / %llu MiB", f.c_str(),
                         static_cast<unsigned long long>(p.compressed_bytes_read >> 20),
                         static_cast<unsigned long long>(p.file_bytes >> 20));
          }
        });
    if (show) std::fprintf(stderr, "\r\033[K");
    VIGIA_RETURN_IF_ERROR(st);
  }
  if (rejected) {
    std::fprintf(stderr, "vigia: skipped %llu unparseable line(s); first: %s\n",
                 static_cast<unsigned long long>(rejected), first_error.c_str());
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<QueryBackend> MakeFilesBackend(std::vector<std::string> files, bool progress,
                                               bool force_progress) {
  if (files.empty()) files.push_back("-");
  return std::make_unique<RowEvaluatorBackend>(
      [files = std::move(files), progress, force_progress](const auto& add) {
        return ReadFiles(files, progress, force_progress, add);
      });
}

}  // namespace vigia::cli
