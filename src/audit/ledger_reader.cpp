#include "audit/ledger_reader.h"

#include <algorithm>

#include "common/limits.h"

namespace vigia::audit {
namespace {
// Window of file bytes held at once: big reads, a few MB of memory whatever the file size.
constexpr size_t kWindowBytes = 4u << 20;
}  // namespace

Result<std::unique_ptr<LedgerReader>> LedgerReader::Open(Env* env, const std::string& path) {
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, env->NewRandomAccessFile(path));
  std::unique_ptr<LedgerReader> r(new LedgerReader());
  r->size_ = f->Size();
  r->file_ = std::move(f);
  return r;
}

LedgerReader::LedgerReader(std::string bytes) : size_(bytes.size()), buf_(std::move(bytes)) {}

Status LedgerReader::Fill(size_t need) {
  uint64_t have_end = buf_start_ + buf_.size();
  if (pos_ >= buf_start_ && pos_ <= have_end && (pos_ + need <= have_end || have_end == size_)) {
    return Status::Ok();  // resident, or the window already reaches the end of the file
  }
  if (file_ == nullptr) return Status::Ok();  // in-memory: everything is resident
  size_t want = std::max(need, kWindowBytes);
  uint64_t avail = size_ > pos_ ? size_ - pos_ : 0;
  size_t n = static_cast<size_t>(std::min<uint64_t>(want, avail));
  buf_.resize(n);
  buf_start_ = pos_;
  if (n == 0) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(size_t got, file_->Read(pos_, n, buf_.data()));
  buf_.resize(got);
  return Status::Ok();
}

Result<LedgerReader::Step> LedgerReader::Next(LedgerRecord* rec, uint64_t* offset) {
  *offset = pos_;
  if (pos_ >= size_) return Step::kEnd;
  VIGIA_RETURN_IF_ERROR(Fill(kBatchRecordHeaderBytes));
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string_view view(buf_);
    view.remove_prefix(static_cast<size_t>(pos_ - buf_start_));
    size_t size = 0;
    switch (DecodeRecord(view, rec, &size)) {
      case DecodeOutcome::kOk:
        pos_ += size;
        return Step::kRecord;
      case DecodeOutcome::kMalformed:
        return Step::kMalformed;
      case DecodeOutcome::kIncomplete: {
        if (pos_ + view.size() >= size_) return Step::kIncomplete;  // the file ends here
        // The record spans the window's end: refill from pos_ with room for the largest.
        VIGIA_RETURN_IF_ERROR(Fill(limits::kMaxAuditRecordBytes + kBatchRecordOverheadBytes));
        break;
      }
    }
  }
  return Step::kIncomplete;
}

Status LedgerReader::Resync() {
  // Try every following offset; a match needs the magic, a plausible length and the
  // trailer, so a false match inside a payload is very unlikely (and would itself be
  // reported as a break by the chain check).
  for (++pos_; pos_ < size_; ++pos_) {
    VIGIA_RETURN_IF_ERROR(Fill(kBatchRecordHeaderBytes));
    std::string_view view(buf_);
    view.remove_prefix(static_cast<size_t>(pos_ - buf_start_));
    LedgerRecord rec;
    size_t size = 0;
    DecodeOutcome o = DecodeRecord(view, &rec, &size);
    if (o == DecodeOutcome::kOk) return Status::Ok();
    if (o == DecodeOutcome::kIncomplete && view.size() >= 8 &&
        static_cast<unsigned char>(view[0]) == (kRecordMagic & 0xff) &&
        pos_ + view.size() < size_) {
      VIGIA_RETURN_IF_ERROR(Fill(limits::kMaxAuditRecordBytes + kBatchRecordOverheadBytes));
      view = std::string_view(buf_);
      view.remove_prefix(static_cast<size_t>(pos_ - buf_start_));
      if (DecodeRecord(view, &rec, &size) == DecodeOutcome::kOk) return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace vigia::audit
