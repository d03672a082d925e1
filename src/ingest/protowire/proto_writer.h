// ProtoWriter: an encoder of the protocol buffers wire format, the counterpart of
// ProtoReader: the OTLP route's ExportLogsServiceResponse, and the requests the tests,
// benchmarks and fuzz seeds build. An embedded message is written into its own string
// first and added with Bytes().
//
// Thread-safety: a plain value; externally synchronized.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigia::protowire {

class ProtoWriter {
 public:
  // Appends to *out. REQUIRES: out outlives the writer.
  explicit ProtoWriter(std::string* out) : out_(out) {}

  ProtoWriter& Varint(uint32_t field, uint64_t v);
  ProtoWriter& Fixed64(uint32_t field, uint64_t v);
  ProtoWriter& Fixed32(uint32_t field, uint32_t v);
  ProtoWriter& Double(uint32_t field, double v);
  ProtoWriter& Bytes(uint32_t field, std::string_view v);  // string, bytes or a message

 private:
  void Tag(uint32_t field, uint32_t wire_type);
  void Raw(uint64_t v);

  std::string* out_;
};

// The bytes of the message `fill(writer)` writes: a nested message is built inside out,
// w.Bytes(2, Encode([](ProtoWriter& m) { m.Varint(1, 7); })).
std::string Encode(auto&& fill) {
  std::string s;
  ProtoWriter w(&s);
  fill(w);
  return s;
}

}  // namespace vigia::protowire
