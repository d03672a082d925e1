#include "cli/files_backend.h"

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <tuple>

#include "common/limits.h"
#include "ingest/ndjson/ndjson_decoder.h"
#include "ingest/normalize/field_projection.h"
#include "query/chunked_row_evaluator_backend.h"
#include "query/ndjson_file_source.h"
#include "query/query_plan.h"

namespace vigia::cli {
namespace {

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What one Run's reader and decoders share: per chunk, the receive time of its file (events
// without a time get it), which file it is from and how many lines it has; the rejected lines.
struct ReadReport {
  struct Chunk {
    int64_t now = 0;
    size_t file = 0;
    uint64_t lines = 0;  // set by the decoder
  };
  std::mutex mu;
  std::deque<Chunk> chunks;  // by chunk seq
  std::atomic<uint64_t> rejected{0};
  // The first rejected line in file order: (chunk seq, line in the chunk), and its reason.
  std::tuple<uint64_t, uint64_t> first_at{UINT64_MAX, UINT64_MAX};
  std::string first_error;

  // "FILE:LINE: reason" of the first rejected line. REQUIRES: every chunk decoded.
  std::string FirstError(const std::vector<std::string>& files) {
    const auto [seq, line] = first_at;
    if (seq >= chunks.size()) return first_error;
    const size_t file = chunks[seq].file;
    uint64_t before = 0;  // the lines of the file's chunks before this one
    for (uint64_t i = seq; i > 0 && chunks[i - 1].file == file; --i) before += chunks[i - 1].lines;
    const std::string& name = files[file] == "-" ? std::string("stdin") : files[file];
    return name + ":" + std::to_string(before + line) + ": " + first_error;
  }
};

// The pipeline's sink, recording each chunk of one file in the report before it is emitted.
class ReportingSink final : public LineChunkSink {
 public:
  ReportingSink(LineChunkSink& inner, ReadReport& report, int64_t now, size_t file)
      : inner_(inner), report_(report), now_(now), file_(file) {}
  LineChunk Buffer() override { return inner_.Buffer(); }
  Status Emit(LineChunk chunk) override {
    {
      std::lock_guard lock(report_.mu);
      report_.chunks.push_back({now_, file_, 0});
    }
    return inner_.Emit(std::move(chunk));
  }

 private:
  LineChunkSink& inner_;
  ReadReport& report_;
  const int64_t now_;
  const size_t file_;
};

class FilesBackend final : public QueryBackend {
 public:
  FilesBackend(std::vector<std::string> files, const FilesBackendOptions& o)
      : files_(std::move(files)),
        options_(o),
        inner_([this](LineChunkSink& sink) { return ReadAll(sink); },
               [this] { return MakeDecoder(); }, o.threads) {}

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override {
    report_ = std::make_unique<ReadReport>();
    projection_ = ProjectionFor(q, options);
    mallopt(M_MMAP_THRESHOLD, limits::kFileQueryMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, limits::kFileQueryTrimThreshold);
    Result<QueryResult> r = inner_.Run(q, options, observer);
    if (uint64_t n = report_->rejected.load()) {
      std::fprintf(stderr, "vigia: skipped %llu unparseable line(s); first: %s\n",
                   static_cast<unsigned long long>(n), report_->FirstError(files_).c_str());
    }
    return r;
  }
  using QueryBackend::Run;

  Result<std::string> Explain(const Query& q, const QueryOptions& options) override {
    VIGIA_ASSIGN_OR_RETURN(std::string out, inner_.Explain(q, options));
    std::optional<std::vector<std::string>> fields = ProjectedFields(q, options);
    if (!fields) return out + "decoded: every field of every line\n";
    std::string names = "ts";
    for (const std::string& n : *fields) names += ", " + n;
    return out + "decoded: " + names +
           " (and what can produce them: aliases, extra, error objects); the other keys of a "
           "line are only validated and counted\n";
  }

 private:
  // The event fields `q` reads, or nullopt when it needs every field (its rows are events).
  std::optional<std::vector<std::string>> ProjectedFields(const Query& q,
                                                          const QueryOptions& options) const {
    if (options_.decode_all) return std::nullopt;
    Result<QueryPlan> plan = PlanQuery(q, options);
    if (!plan.ok() || plan->all_columns) return std::nullopt;
    return std::move(plan->columns);
  }

  std::unique_ptr<FieldProjection> ProjectionFor(const Query& q, const QueryOptions& options) {
    std::optional<std::vector<std::string>> fields = ProjectedFields(q, options);
    if (!fields) return nullptr;
    return std::make_unique<FieldProjection>(*fields, DecoderOptions().derivers);
  }

  // The reader: every file in turn, in chunks of whole lines, each recorded in the report.
  Status ReadAll(LineChunkSink& sink) {
    const size_t chunk = options_.chunk_bytes ? options_.chunk_bytes : limits::kFileQueryChunkBytes;
    bool show = options_.force_progress || (options_.progress && isatty(STDERR_FILENO));
    for (size_t file = 0; file < files_.size(); ++file) {
      const std::string& f = files_[file];
      ReportingSink reporting(sink, *report_, WallNowNs(), file);
      Status st = ReadNdjsonChunks(f, chunk, reporting, [&](const NdjsonReadProgress& p) {
        if (show && (options_.force_progress || p.file_bytes > (64u << 20))) {
          std::fprintf(stderr, "\r%s: %llu / %llu MiB", f.c_str(),
                       static_cast<unsigned long long>(p.compressed_bytes_read >> 20),
                       static_cast<unsigned long long>(p.file_bytes >> 20));
        }
      });
      if (show) std::fprintf(stderr, "\r\033[K");
      VIGIA_RETURN_IF_ERROR(st);
    }
    return Status::Ok();
  }

  // One worker's decoder: its own NdjsonDecoder (it reuses a simdjson parser), with this
  // Run's projection.
  ChunkedRowEvaluatorBackend::ChunkDecoder MakeDecoder() {
    auto decoder = std::make_shared<NdjsonDecoder>(DecoderOptions(), projection_.get());
    return [this, decoder](uint64_t seq, std::string_view text, EventBatch* out) {
      ReadReport& rep = *report_;
      int64_t now;
      {
        std::lock_guard lock(rep.mu);
        now = rep.chunks[seq].now;
      }
      DecodeResult r = decoder->Decode(text, now, out);
      {
        std::lock_guard lock(rep.mu);
        rep.chunks[seq].lines = r.records;
      }
      if (r.rejected) {
        rep.rejected += r.rejected;
        if (!r.errors.empty()) {
          std::lock_guard lock(rep.mu);
          std::tuple<uint64_t, uint64_t> at{seq, r.errors[0].line};
          if (at < rep.first_at) {
            rep.first_at = at;
            rep.first_error = r.errors[0].error;
          }
        }
      }
      return Status::Ok();
    };
  }

  const std::vector<std::string> files_;
  const FilesBackendOptions options_;
  std::unique_ptr<ReadReport> report_;
  std::unique_ptr<FieldProjection> projection_;  // this Run's; null = every field
  ChunkedRowEvaluatorBackend inner_;
};

}  // namespace

std::unique_ptr<QueryBackend> MakeFilesBackend(std::vector<std::string> files,
                                               const FilesBackendOptions& options) {
  if (files.empty()) files.push_back("-");
  return std::make_unique<FilesBackend>(std::move(files), options);
}

}  // namespace vigia::cli
