// ProtoReader: a reader of the protocol buffers wire format (varint, 64-bit, length-delimited
// and 32-bit fields), for the ingest protocols that send protobuf (OTLP/HTTP logs, Loki
// push). The decoders read their messages field by field against the .proto files
// (third_party/opentelemetry-proto, src/ingest/loki/loki_push.proto) instead of generated
// classes: strings stay views into the request body (zero copy into the Canonicalizer), a
// malformed log record costs only itself, and there is no generated code in the build.
//
//   ProtoReader r(message_bytes);
//   while (r.Next()) {
//     switch (r.field()) {
//       case 1: if (!r.ReadBytes(&name)) return r.error(); break;   // string / bytes / message
//       case 2: if (!r.ReadVarint(&n)) return r.error(); break;
//       default: break;                                               // unknown: skipped
//     }
//   }
//   if (!r.ok()) return r.error();
//
// Malformed input (truncated varint or field, a length past the end, field number 0, the
// deprecated group wire types, a field read with the wrong wire type) stops Next() and sets
// error(); nothing is read out of bounds.
//
// Thread-safety: a plain value; externally synchronized.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigia::protowire {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  // Moves to the next field; false at the end of the message or on malformed input.
  bool Next();
  uint32_t field() const { return field_; }
  WireType wire_type() const { return type_; }

  // The current field's value; false (and error()) when it has another wire type.
  bool ReadVarint(uint64_t* v);
  bool ReadFixed64(uint64_t* v);
  bool ReadFixed32(uint32_t* v);
  bool ReadBytes(std::string_view* v);  // string, bytes or an embedded message

  bool ok() const { return error_ == nullptr; }
  // Why reading stopped ("truncated varint", ...); empty when ok().
  std::string_view error() const { return error_ ? error_ : ""; }

 private:
  bool Fail(const char* why);
  bool WrongType();

  const char* p_;
  const char* end_;
  uint32_t field_ = 0;
  WireType type_ = WireType::kVarint;
  // The current field's value, decoded by Next().
  uint64_t scalar_ = 0;
  std::string_view bytes_;
  const char* error_ = nullptr;
};

// Decodes a varint at [*p, end); advances *p. False when truncated or longer than 10 bytes.
bool ReadVarint(const char** p, const char* end, uint64_t* v);

}  // namespace vigia::protowire
