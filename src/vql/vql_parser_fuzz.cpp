// Fuzz target for the VQL lexer and parser: any input must parse or fail with a Status, never
// crash, hang or leak. Built as a libFuzzer binary with -DVIGIA_FUZZ=ON (clang), and driven by
// vql_parser_fuzz_test.cpp (random mutations of real queries) in every build. The engines'
// fuzz target (src/query/row_evaluator_fuzz.cpp) also evaluates what parses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vql/vql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)vigia::ParseVql(text);
  return 0;
}
