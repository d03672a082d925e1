// EmbeddedFile: one file of the dashboard (src/dashboard/ui/), compiled into the binary as a
// byte array by cmake/embed_files.cmake, so `vigia serve` serves the UI with nothing
// installed beside it. The generated embedded_files.cpp defines EmbeddedFiles().
//
// Thread-safety: immutable static data, thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace vigia::dashboard {

struct EmbeddedFile {
  std::string_view path;  // relative to ui/, '/'-separated: "index.html", "js/app.js"
  std::span<const unsigned char> bytes;
};

// Every file under ui/, sorted by path.
std::span<const EmbeddedFile> EmbeddedFiles();

}  // namespace vigia::dashboard
