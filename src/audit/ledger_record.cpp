#include "audit/ledger_record.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "common/hex.h"
#include "common/limits.h"

namespace vigia::audit {
namespace {

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

Hash GenesisHash(std::string_view tenant) {
  static constexpr std::string_view kDomain = "vigia-audit-genesis-v1";
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kDomain.data()),
                            kDomain.size() + 0);
  const unsigned char zero = 0;
  crypto_generichash_update(&st, &zero, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(tenant.data()),
                            tenant.size());
  Hash h;
  crypto_generichash_final(&st, h.data(), h.size());
  return h;
}

Hash RecordHash(const Hash& prev, uint64_t seq, int64_t ts_ns, std::string_view payload) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  unsigned char head[48];
  std::memcpy(head, prev.data(), 32);
  PutU64(reinterpret_cast<char*>(head + 32), seq);
  PutU64(reinterpret_cast<char*>(head + 40), static_cast<uint64_t>(ts_ns));
  crypto_generichash_update(&st, head, sizeof head);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(payload.data()),
                            payload.size());
  Hash h;
  crypto_generichash_final(&st, h.data(), h.size());
  return h;
}

Hash BatchRecordHash(const Hash& prev, uint64_t seq, int64_t ts_ns, uint32_t count,
                     std::string_view payload) {
  // One context per thread, reused: SHA-256 through OpenSSL (SHA-NI where the CPU has it).
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  static const EVP_MD* const kSha256 = EVP_sha256();
  unsigned char head[4 + 32 + 8 + 8 + 4];
  PutU32(reinterpret_cast<char*>(head), kBatchRecordMagic);
  std::memcpy(head + 4, prev.data(), 32);
  PutU64(reinterpret_cast<char*>(head + 36), seq);
  PutU64(reinterpret_cast<char*>(head + 44), static_cast<uint64_t>(ts_ns));
  PutU32(reinterpret_cast<char*>(head + 52), count);
  Hash h{};
  unsigned int len = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), kSha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), head, sizeof head) != 1 ||
      EVP_DigestUpdate(ctx.get(), payload.data(), payload.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), h.data(), &len) != 1 || len != h.size()) {
    // Out of memory inside OpenSSL: an all-zero hash, which no record verifies against.
    return Hash{};
  }
  return h;
}

Hash ComputeHash(const LedgerRecord& rec) {
  return rec.version == 2 ? BatchRecordHash(rec.prev, rec.seq, rec.ts_ns, rec.count, rec.payload)
                          : RecordHash(rec.prev, rec.seq, rec.ts_ns, rec.payload);
}

Hash AppendRecord(const Hash& prev, uint64_t seq, int64_t ts_ns, std::string_view payload,
                  std::string* out) {
  LedgerRecord rec;
  rec.seq = seq;
  rec.ts_ns = ts_ns;
  rec.prev = prev;
  rec.hash = RecordHash(prev, seq, ts_ns, payload);
  rec.payload = payload;
  AppendEncodedRecord(rec, out);
  return rec.hash;
}

size_t BeginRecord(std::string* out) {
  size_t at = out->size();
  out->resize(at + kRecordHeaderBytes);
  return at;
}

Hash FinishRecord(std::string* out, size_t at, const Hash& prev, uint64_t seq, int64_t ts_ns) {
  size_t len = out->size() - at - kRecordHeaderBytes;
  std::string_view payload(out->data() + at + kRecordHeaderBytes, len);
  Hash h = RecordHash(prev, seq, ts_ns, payload);
  char* p = out->data() + at;
  PutU32(p, kRecordMagic);
  PutU32(p + 4, static_cast<uint32_t>(len));
  PutU64(p + 8, seq);
  PutU64(p + 16, static_cast<uint64_t>(ts_ns));
  std::memcpy(p + 24, prev.data(), 32);
  std::memcpy(p + 56, h.data(), 32);
  char trailer[4];
  PutU32(trailer, static_cast<uint32_t>(kRecordOverheadBytes + len));
  out->append(trailer, 4);
  return h;
}

size_t BeginBatchRecord(std::string* out) {
  size_t at = out->size();
  out->resize(at + kBatchRecordHeaderBytes);
  return at;
}

Hash FinishBatchRecord(std::string* out, size_t at, const Hash& prev, uint64_t seq, int64_t ts_ns,
                       uint32_t count) {
  size_t len = out->size() - at - kBatchRecordHeaderBytes;
  std::string_view payload(out->data() + at + kBatchRecordHeaderBytes, len);
  Hash h = BatchRecordHash(prev, seq, ts_ns, count, payload);
  char* p = out->data() + at;
  PutU32(p, kBatchRecordMagic);
  PutU32(p + 4, static_cast<uint32_t>(len));
  PutU64(p + 8, seq);
  PutU64(p + 16, static_cast<uint64_t>(ts_ns));
  PutU32(p + 24, count);
  std::memcpy(p + 28, prev.data(), 32);
  std::memcpy(p + 60, h.data(), 32);
  char trailer[4];
  PutU32(trailer, static_cast<uint32_t>(kBatchRecordOverheadBytes + len));
  out->append(trailer, 4);
  return h;
}

void AppendEncodedRecord(const LedgerRecord& rec, std::string* out) {
  if (rec.version == 2) {
    size_t at = out->size();
    out->resize(at + kBatchRecordHeaderBytes);
    char* p = out->data() + at;
    PutU32(p, kBatchRecordMagic);
    PutU32(p + 4, static_cast<uint32_t>(rec.payload.size()));
    PutU64(p + 8, rec.seq);
    PutU64(p + 16, static_cast<uint64_t>(rec.ts_ns));
    PutU32(p + 24, rec.count);
    std::memcpy(p + 28, rec.prev.data(), 32);
    std::memcpy(p + 60, rec.hash.data(), 32);
    out->append(rec.payload);
    char trailer[4];
    PutU32(trailer, static_cast<uint32_t>(kBatchRecordOverheadBytes + rec.payload.size()));
    out->append(trailer, 4);
    return;
  }
  const Hash& prev = rec.prev;
  const Hash& h = rec.hash;
  std::string_view payload = rec.payload;
  uint64_t seq = rec.seq;
  int64_t ts_ns = rec.ts_ns;
  size_t at = out->size();
  out->resize(at + kRecordHeaderBytes);
  char* p = out->data() + at;
  PutU32(p, kRecordMagic);
  PutU32(p + 4, static_cast<uint32_t>(payload.size()));
  PutU64(p + 8, seq);
  PutU64(p + 16, static_cast<uint64_t>(ts_ns));
  std::memcpy(p + 24, prev.data(), 32);
  std::memcpy(p + 56, h.data(), 32);
  out->append(payload);
  char trailer[4];
  PutU32(trailer, static_cast<uint32_t>(kRecordOverheadBytes + payload.size()));
  out->append(trailer, 4);
}

DecodeOutcome DecodeRecord(std::string_view bytes, LedgerRecord* rec, size_t* size) {
  if (bytes.size() < 8) return DecodeOutcome::kIncomplete;
  const uint32_t magic = GetU32(bytes.data());
  if (magic != kRecordMagic && magic != kBatchRecordMagic) return DecodeOutcome::kMalformed;
  const bool batch = magic == kBatchRecordMagic;
  const size_t header = batch ? kBatchRecordHeaderBytes : kRecordHeaderBytes;
  uint32_t len = GetU32(bytes.data() + 4);
  if (len > limits::kMaxAuditRecordBytes) return DecodeOutcome::kMalformed;
  size_t total = header + kRecordTrailerBytes + len;
  if (bytes.size() < total) return DecodeOutcome::kIncomplete;
  const char* p = bytes.data();
  if (GetU32(p + header + len) != total) return DecodeOutcome::kMalformed;
  rec->version = batch ? 2 : 1;
  rec->seq = GetU64(p + 8);
  rec->ts_ns = static_cast<int64_t>(GetU64(p + 16));
  const char* hashes = p + 24;
  rec->count = 1;
  if (batch) {
    rec->count = GetU32(p + 24);
    hashes += 4;
    // Every event takes at least two bytes of the codec; positions must not wrap.
    if (rec->count == 0 || rec->count > kMaxBatchRecordEvents || rec->count > len ||
        rec->seq > UINT64_MAX - rec->count) {
      return DecodeOutcome::kMalformed;
    }
  }
  std::memcpy(rec->prev.data(), hashes, 32);
  std::memcpy(rec->hash.data(), hashes + 32, 32);
  rec->payload = bytes.substr(header, len);
  *size = total;
  return DecodeOutcome::kOk;
}

std::string HashHex(const Hash& h) { return hex::Encode(h); }

bool ParseHashHex(std::string_view text, Hash* out) {
  return hex::DecodeInto(text, hex::Case::kLowerOnly, *out);
}

}  // namespace vigia::audit
