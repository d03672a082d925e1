#include "backup/blob_codec.h"

#include <sodium.h>
#include <zstd.h>

#include <memory>
#include <string>
#include <vector>

#include "common/limits.h"

namespace vigia {
namespace {

constexpr std::string_view kMagic = "VGBLOB01";
using State = crypto_secretstream_xchacha20poly1305_state;
constexpr size_t kTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

Status CorruptBlob(std::string_view name, std::string_view why) {
  return Status::Corruption("backup object " + std::string(name) + ": " + std::string(why));
}

// Reads exactly n bytes; false at a clean end of the object before the first byte.
Result<size_t> ReadFull(ObjectReader* in, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    VIGIA_ASSIGN_OR_RETURN(size_t k, in->Read(buf + got, n - got));
    if (k == 0) break;
    got += k;
  }
  return got;
}

class StringReader final : public ObjectReader {
 public:
  explicit StringReader(std::string_view s) : s_(s) {}
  Result<size_t> Read(char* buf, size_t n) override {
    n = std::min(n, s_.size() - off_);
    std::copy_n(s_.data() + off_, n, buf);
    off_ += n;
    return n;
  }

 private:
  std::string_view s_;
  size_t off_ = 0;
};

class StringWriter final : public ObjectWriter {
 public:
  explicit StringWriter(std::string* out) : out_(out) {}
  Status Append(std::string_view d) override {
    out_->append(d);
    return Status::Ok();
  }
  Status Commit() override { return Status::Ok(); }

 private:
  std::string* out_;
};

}  // namespace

Status EncodeBlob(const BackupKey& key, std::string_view name,
                  const std::function<Result<size_t>(char*, size_t)>& read, ObjectWriter* out,
                  uint64_t* stored_bytes) {
  State st;
  unsigned char header[kHeaderBytes];
  crypto_secretstream_xchacha20poly1305_init_push(&st, header, key.encryption_key().data());
  VIGIA_RETURN_IF_ERROR(out->Append(kMagic));
  VIGIA_RETURN_IF_ERROR(
      out->Append(std::string_view(reinterpret_cast<char*>(header), kHeaderBytes)));
  uint64_t written = kMagic.size() + kHeaderBytes;

  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return Status::ResourceExhausted("zstd: out of memory");
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, limits::kBackupZstdLevel);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 0);  // the AEAD tag covers it

  const size_t msg_cap = limits::kBackupMessageBytes;
  std::vector<char> in_buf(ZSTD_CStreamInSize() * 8);
  std::string pending;  // zstd output not yet sealed
  pending.reserve(msg_cap + ZSTD_CStreamOutSize());
  std::vector<char> zout(ZSTD_CStreamOutSize());
  std::vector<unsigned char> cipher(msg_cap + kTagBytes + 4);

  auto seal = [&](std::string_view plain, unsigned char tag) -> Status {
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &st, cipher.data() + 4, &clen, reinterpret_cast<const unsigned char*>(plain.data()),
        plain.size(), reinterpret_cast<const unsigned char*>(name.data()), name.size(), tag);
    const auto len = static_cast<uint32_t>(clen);
    for (int i = 0; i < 4; ++i) cipher[i] = static_cast<unsigned char>(len >> (8 * i));
    written += 4 + clen;
    return out->Append(std::string_view(reinterpret_cast<char*>(cipher.data()), 4 + clen));
  };
  auto drain = [&](bool final) -> Status {
    while (pending.size() >= msg_cap) {
      VIGIA_RETURN_IF_ERROR(seal(std::string_view(pending).substr(0, msg_cap), 0));
      pending.erase(0, msg_cap);
    }
    if (final) {
      VIGIA_RETURN_IF_ERROR(seal(pending, crypto_secretstream_xchacha20poly1305_TAG_FINAL));
      pending.clear();
    }
    return Status::Ok();
  };

  bool eof = false;
  while (!eof) {
    VIGIA_ASSIGN_OR_RETURN(size_t n, read(in_buf.data(), in_buf.size()));
    eof = n == 0;
    ZSTD_inBuffer zin{in_buf.data(), n, 0};
    const ZSTD_EndDirective mode = eof ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
      ZSTD_outBuffer zo{zout.data(), zout.size(), 0};
      size_t rem = ZSTD_compressStream2(cctx.get(), &zo, &zin, mode);
      if (ZSTD_isError(rem)) return Status::IOError(std::string("zstd: ") + ZSTD_getErrorName(rem));
      pending.append(zout.data(), zo.pos);
      VIGIA_RETURN_IF_ERROR(drain(false));
      if (eof ? rem == 0 : zin.pos == zin.size) break;
    }
  }
  VIGIA_RETURN_IF_ERROR(drain(true));
  if (stored_bytes) *stored_bytes = written;
  return Status::Ok();
}

Status DecodeBlob(const BackupKey& key, std::string_view name, ObjectReader* in,
                  const std::function<Status(std::string_view)>& sink) {
  char magic[8];
  VIGIA_ASSIGN_OR_RETURN(size_t got, ReadFull(in, magic, sizeof magic));
  if (got != sizeof magic || std::string_view(magic, 8) != kMagic) {
    return CorruptBlob(name, "not a vigia backup object (bad magic)");
  }
  unsigned char header[kHeaderBytes];
  VIGIA_ASSIGN_OR_RETURN(got, ReadFull(in, reinterpret_cast<char*>(header), kHeaderBytes));
  if (got != kHeaderBytes) return CorruptBlob(name, "truncated header");
  State st;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key.encryption_key().data()) !=
      0) {
    return CorruptBlob(name, "bad stream header");
  }
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return Status::ResourceExhausted("zstd: out of memory");
  std::vector<unsigned char> cipher(limits::kBackupMessageBytes + kTagBytes);
  std::vector<unsigned char> plain(limits::kBackupMessageBytes);
  std::vector<char> zout(ZSTD_DStreamOutSize());
  size_t zstd_left = 1;  // ZSTD_decompressStream's hint: 0 once a frame is complete
  for (;;) {
    char lenb[4];
    VIGIA_ASSIGN_OR_RETURN(got, ReadFull(in, lenb, 4));
    if (got != 4) return CorruptBlob(name, "truncated: the final message is missing");
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= uint32_t{static_cast<unsigned char>(lenb[i])} << (8 * i);
    if (len < kTagBytes || len > cipher.size()) return CorruptBlob(name, "bad message length");
    VIGIA_ASSIGN_OR_RETURN(got, ReadFull(in, reinterpret_cast<char*>(cipher.data()), len));
    if (got != len) return CorruptBlob(name, "truncated message");
    unsigned long long plen = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &st, plain.data(), &plen, &tag, cipher.data(), len,
            reinterpret_cast<const unsigned char*>(name.data()), name.size()) != 0) {
      return CorruptBlob(name, "authentication failed (wrong key, or the object was modified)");
    }
    ZSTD_inBuffer zin{plain.data(), static_cast<size_t>(plen), 0};
    while (zin.pos < zin.size) {
      ZSTD_outBuffer zo{zout.data(), zout.size(), 0};
      zstd_left = ZSTD_decompressStream(dctx.get(), &zo, &zin);
      if (ZSTD_isError(zstd_left)) {
        return CorruptBlob(name, std::string("zstd: ") + ZSTD_getErrorName(zstd_left));
      }
      if (zo.pos > 0) VIGIA_RETURN_IF_ERROR(sink(std::string_view(zout.data(), zo.pos)));
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) break;
  }
  // Flush what zstd still holds (its output buffer was full when the input ran out).
  while (zstd_left != 0) {
    ZSTD_inBuffer zin{nullptr, 0, 0};
    ZSTD_outBuffer zo{zout.data(), zout.size(), 0};
    zstd_left = ZSTD_decompressStream(dctx.get(), &zo, &zin);
    if (ZSTD_isError(zstd_left)) {
      return CorruptBlob(name, std::string("zstd: ") + ZSTD_getErrorName(zstd_left));
    }
    if (zo.pos == 0) break;
    VIGIA_RETURN_IF_ERROR(sink(std::string_view(zout.data(), zo.pos)));
  }
  if (zstd_left != 0) return CorruptBlob(name, "incomplete zstd frame");
  char extra;
  VIGIA_ASSIGN_OR_RETURN(got, ReadFull(in, &extra, 1));
  if (got != 0) return CorruptBlob(name, "bytes after the final message");
  return Status::Ok();
}

Result<std::string> EncodeBlobToString(const BackupKey& key, std::string_view name,
                                       std::string_view plaintext) {
  std::string out;
  StringWriter w(&out);
  StringReader r(plaintext);
  VIGIA_RETURN_IF_ERROR(EncodeBlob(
      key, name, [&](char* b, size_t n) { return r.Read(b, n); }, &w, nullptr));
  return out;
}

Result<std::string> DecodeBlobFromString(const BackupKey& key, std::string_view name,
                                         std::string_view encoded) {
  std::string out;
  StringReader r(encoded);
  VIGIA_RETURN_IF_ERROR(DecodeBlob(key, name, &r, [&](std::string_view d) {
    out.append(d);
    return Status::Ok();
  }));
  return out;
}

}  // namespace vigia
