// StackFrame and ParseStack: the frames of an error's stack text (error.stack), whatever
// language printed it, reduced to what identifies the code path and nothing that varies
// between two occurrences of the same bug: function names without addresses, offsets, line
// or column numbers, generated-class suffixes or lambda counters; file names without their
// directories (deploy paths, version folders and venvs differ between hosts).
//
// Formats recognised, one frame per line (other lines — headers, source excerpts, "Caused
// by", "... 12 more", "<asynchronous suspension>" — are skipped):
//   Python       File "/app/orders/service.py", line 42, in place_order
//   Java/Kotlin  at com.acme.OrderService.place(OrderService.java:42)
//   JS (V8)      at OrderService.place (/app/src/orders.js:42:13)  |  at /app/src/x.js:1:2
//   Dart/Flutter #0      OrderRepo.fetch (package:shop/data/order_repo.dart:42:7)
//   C++ (vigia SDK crash reports, error.stack of the SDK's error events)
//                ns::Db::query(std::string const&)+0x1a (/opt/app/bin/server)
//                0x7f3a12 (/usr/lib/x86_64-linux-gnu/libc.so.6)
//   glibc backtrace_symbols   ./server(_ZN2ns2Db5queryEv+0x1a) [0x55d1c2a0]
//
// `in_app` separates the application's frames from the runtime's and libraries' (site-
// packages, java.*, node_modules, dart:, package:flutter, /lib, std::, ...), so a grouping
// survives library upgrades and framework depth changes.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigia::errors {

enum class FrameLanguage : unsigned char { kPython, kJava, kJavaScript, kDart, kNative };

struct StackFrame {
  FrameLanguage language = FrameLanguage::kNative;
  std::string function;  // normalized; empty when the frame names none (a bare address)
  std::string file;      // base name, normalized; the module for native frames; empty
                         // for Java (the class in `function` names it)
  bool in_app = false;
};

// Parses at most `max_frames` frames of `stack`, in the order they appear.
std::vector<StackFrame> ParseStack(std::string_view stack, size_t max_frames);

// Exposed for tests: the normalizations ParseStack applies.
std::string NormalizeFunctionName(std::string_view function, FrameLanguage language);
std::string NormalizeFileName(std::string_view path);

}  // namespace vigia::errors
