#include "errors/stack_frame.h"

#include <span>

#include "common/ascii.h"

namespace vigia::errors {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool StartsWithAny(std::string_view s, std::span<const std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (s.starts_with(p)) return true;
  }
  return false;
}

bool ContainsAny(std::string_view s, std::span<const std::string_view> parts) {
  for (std::string_view p : parts) {
    if (s.find(p) != std::string_view::npos) return true;
  }
  return false;
}

// Drops a trailing ":<line>" or ":<line>:<col>" from a location.
std::string_view StripLineCol(std::string_view loc) {
  for (int k = 0; k < 2; ++k) {
    size_t colon = loc.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == loc.size()) break;
    bool digits = true;
    for (size_t p = colon + 1; p < loc.size(); ++p) digits = digits && ascii::IsDigit(loc[p]);
    if (!digits) break;
    loc = loc.substr(0, colon);
  }
  return loc;
}

// Python: File "<path>", line N, in <function>
bool ParsePython(std::string_view line, StackFrame* f) {
  if (!line.starts_with("File \"")) return false;
  size_t end = line.find('"', 6);
  if (end == std::string_view::npos) return false;
  std::string_view path = line.substr(6, end - 6);
  size_t in = line.find(", in ", end);
  std::string_view fn = in == std::string_view::npos ? "" : Trim(line.substr(in + 5));
  static constexpr std::string_view kLib[] = {"site-packages", "dist-packages", "/lib/python",
                                              "<frozen ",      "/usr/lib/",     "\\Lib\\"};
  f->language = FrameLanguage::kPython;
  f->function = NormalizeFunctionName(fn, f->language);
  f->file = NormalizeFileName(path);
  f->in_app = !ContainsAny(path, kLib);
  return true;
}

// Java: at pkg.Class.method(File.java:42) — also "at module/pkg.Class.method(...)".
bool ParseJava(std::string_view line, StackFrame* f) {
  if (!line.starts_with("at ")) return false;
  std::string_view rest = line.substr(3);
  size_t open = rest.find('(');
  if (open == std::string_view::npos || rest.back() != ')') return false;
  std::string_view fn = rest.substr(0, open);
  std::string_view loc = rest.substr(open + 1, rest.size() - open - 2);
  // V8 "at fn (path:1:2)" has a space before '('; Java has none.
  if (fn.empty() || fn.back() == ' ' || fn.find(' ') != std::string_view::npos) return false;
  if (size_t slash = fn.find('/'); slash != std::string_view::npos) fn = fn.substr(slash + 1);
  static constexpr std::string_view kLib[] = {
      "java.",          "javax.",
      "jdk.",           "sun.",
      "com.sun.",       "jakarta.",
      "kotlin.",        "kotlinx.",
      "scala.",         "io.quarkus.",
      "io.vertx.",      "io.netty.",
      "io.smallrye.",   "org.jboss.",
      "org.hibernate.", "org.springframework.",
      "org.apache.",    "org.eclipse.",
      "com.fasterxml.", "org.junit.",
      "io.micrometer.", "io.opentelemetry.",
      "reactor.",       "io.grpc.",
      "com.google.",    "org.postgresql.",
      "com.zaxxer.",    "org.glassfish.",
  };
  f->language = FrameLanguage::kJava;
  f->in_app = !StartsWithAny(fn, kLib) && loc != "Native Method";
  f->function = NormalizeFunctionName(fn, f->language);
  // The class in the function names the file; generated classes' "files" (Foo_Subclass.zig)
  // would split one frame into two.
  f->file.clear();
  return true;
}

// V8: at [async ]fn (location) | at location
bool ParseJavaScript(std::string_view line, StackFrame* f) {
  if (!line.starts_with("at ")) return false;
  std::string_view rest = line.substr(3);
  if (rest.starts_with("async ")) rest.remove_prefix(6);
  std::string_view fn, loc;
  if (!rest.empty() && rest.back() == ')') {
    size_t open = rest.rfind(" (");
    if (open == std::string_view::npos) return false;
    fn = rest.substr(0, open);
    loc = rest.substr(open + 2, rest.size() - open - 3);
    if (fn.starts_with("new ")) fn.remove_prefix(4);
  } else {
    loc = rest;
  }
  loc = StripLineCol(loc);
  static constexpr std::string_view kLib[] = {"node_modules", "node:", "internal/", "<anonymous>",
                                              "(native)"};
  f->language = FrameLanguage::kJavaScript;
  f->in_app = !loc.empty() && !ContainsAny(loc, kLib) && !loc.starts_with("index ");
  f->function = NormalizeFunctionName(fn, f->language);
  f->file = NormalizeFileName(loc);
  return true;
}

// Dart: #N  fn (uri:line:col)
bool ParseDart(std::string_view line, StackFrame* f) {
  if (line.size() < 3 || line[0] != '#' || !ascii::IsDigit(line[1])) return false;
  size_t p = 1;
  while (p < line.size() && ascii::IsDigit(line[p])) ++p;
  std::string_view rest = Trim(line.substr(p));
  if (rest.empty() || rest.back() != ')') return false;
  size_t open = rest.rfind(" (");
  if (open == std::string_view::npos) return false;
  std::string_view fn = Trim(rest.substr(0, open));
  std::string_view loc = StripLineCol(rest.substr(open + 2, rest.size() - open - 3));
  static constexpr std::string_view kLib[] = {"dart:",          "package:flutter/",
                                              "package:async/", "package:http/",
                                              "package:dio/",   "package:stack_trace/"};
  f->language = FrameLanguage::kDart;
  f->in_app = !StartsWithAny(loc, kLib);
  f->function = NormalizeFunctionName(fn, f->language);
  f->file = NormalizeFileName(loc);
  return true;
}

bool NativeModuleIsSystem(std::string_view module) {
  static constexpr std::string_view kSys[] = {"/lib/",       "/lib64/",    "/usr/lib/",
                                              "/usr/lib64/", "linux-vdso", "[vdso]"};
  static constexpr std::string_view kSysNames[] = {"libc.so",  "libstdc++", "libpthread",
                                                   "libgcc_s", "ld-linux",  "libm.so"};
  return StartsWithAny(module, kSys) || ContainsAny(module, kSysNames);
}

bool NativeFunctionIsRuntime(std::string_view fn) {
  static constexpr std::string_view kRt[] = {
      "std::",        "__gnu_cxx::", "__cxa",   "__libc",       "_start",       "__GI_",
      "abort",        "raise",       "gsignal", "__pthread",    "start_thread", "clone",
      "vigia::sdk::", "boost::",     "_Unwind", "__restore_rt", "operator new", "operator delete",
  };
  return fn.empty() || StartsWithAny(fn, kRt);
}

// SDK report: "fn+0x1a (module)" | "0x1a (module)"; glibc: "module(fn+0x1a) [0x...]".
bool ParseNative(std::string_view line, StackFrame* f) {
  std::string_view fn, module;
  if (!line.empty() && line.back() == ')') {
    size_t open = line.rfind(" (");
    if (open == std::string_view::npos) return false;
    fn = line.substr(0, open);
    module = line.substr(open + 2, line.size() - open - 3);
    // A module is a path or a shared object; "(bar)" in a source excerpt or an exception
    // header is not a frame.
    static constexpr std::string_view kObj[] = {".so", ".dll", ".exe", ".dylib"};
    if (!module.starts_with("/") && !module.starts_with("./") && !ContainsAny(module, kObj))
      return false;
  } else if (!line.empty() && line.back() == ']') {
    size_t lb = line.rfind(" [");
    size_t open = line.find('(');
    if (lb == std::string_view::npos || open == std::string_view::npos || open > lb) return false;
    size_t close = line.rfind(')', lb);
    if (close == std::string_view::npos || close < open) return false;
    module = line.substr(0, open);
    fn = line.substr(open + 1, close - open - 1);
  } else {
    return false;
  }
  if (size_t plus = fn.rfind("+0x"); plus != std::string_view::npos) fn = fn.substr(0, plus);
  if (fn.starts_with("0x")) fn = {};
  f->language = FrameLanguage::kNative;
  f->function = NormalizeFunctionName(fn, f->language);
  f->file = NormalizeFileName(module);
  f->in_app = !NativeModuleIsSystem(module) && !NativeFunctionIsRuntime(f->function);
  return true;
}

bool SkipLine(std::string_view line) {
  return line.empty() || line.starts_with("Traceback") || line.starts_with("Caused by") ||
         line.starts_with("...") || line.starts_with("<asynchronous suspension>") ||
         line.starts_with("frames") || line.starts_with("Suppressed:");
}

}  // namespace

std::string NormalizeFunctionName(std::string_view fn, FrameLanguage language) {
  std::string out;
  out.reserve(fn.size());
  switch (language) {
    case FrameLanguage::kJava: {
      // Quarkus/CDI/Hibernate generated classes and lambda counters:
      // Foo_Subclass.bar$$superforward → Foo.bar; lambda$bar$0 → lambda$bar;
      // Foo$$Lambda$123/0x0000...run → Foo$$Lambda.run; access$000 → access$.
      std::string s(fn);
      for (std::string_view suffix :
           {"_Subclass", "_ClientProxy", "_Bean", "$$EnhancerBySpringCGLIB"}) {
        for (size_t at; (at = s.find(suffix)) != std::string::npos;) s.erase(at, suffix.size());
      }
      if (size_t at = s.find("$$superforward"); at != std::string::npos) s.erase(at, 14);
      for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '/' && i + 2 < s.size() && s[i + 1] == '0' && s[i + 2] == 'x') {
          while (i + 1 < s.size() && s[i + 1] != '.') ++i;  // /0x0000.. of hidden classes
          continue;
        }
        if (ascii::IsDigit(c) && !out.empty() && out.back() == '$') {
          while (i + 1 < s.size() && ascii::IsDigit(s[i + 1])) ++i;
          continue;
        }
        out += c;
      }
      // lambda$bar$ → lambda$bar
      while (!out.empty() && out.back() == '$') out.pop_back();
      return out;
    }
    case FrameLanguage::kNative: {
      // "[clone .cold.12]" and "[abi:cxx11]" vary by compiler build; template arguments
      // and parameter lists stay (overloads are different functions).
      std::string s(fn);
      if (size_t at = s.find(" [clone"); at != std::string::npos) s.erase(at);
      for (size_t at; (at = s.find("[abi:cxx11]")) != std::string::npos;) s.erase(at, 11);
      return std::string(Trim(s));
    }
    case FrameLanguage::kPython:
    case FrameLanguage::kJavaScript:
    case FrameLanguage::kDart: {
      // JS "Object.<anonymous>", webpack "n.fetch", Dart "<anonymous closure>": kept; only
      // digit-only tokens (minifier counters, "closure_42") are replaced.
      for (size_t i = 0; i < fn.size(); ++i) {
        if (ascii::IsDigit(fn[i]) && (i == 0 || fn[i - 1] == '_' || fn[i - 1] == '$')) {
          while (i + 1 < fn.size() && ascii::IsDigit(fn[i + 1])) ++i;
          out += '#';
          continue;
        }
        out += fn[i];
      }
      return std::string(Trim(out));
    }
  }
  return std::string(fn);
}

std::string NormalizeFileName(std::string_view path) {
  size_t q = path.find_first_of("?#");
  if (q != std::string_view::npos) path = path.substr(0, q);
  size_t slash = path.find_last_of("/\\");
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.starts_with("package:")) base.remove_prefix(8);
  // Content hashes in bundle names (main.3f2a1b9c.js, chunk-4ab1.js): a run of 6+ hex
  // characters holding a digit becomes '#'.
  std::string out;
  out.reserve(base.size());
  for (size_t i = 0; i < base.size();) {
    size_t p = i;
    bool digit = false;
    while (p < base.size() && ascii::IsHexDigit(base[p])) {
      digit = digit || ascii::IsDigit(base[p]);
      ++p;
    }
    bool bounded = (i == 0 || base[i - 1] == '.' || base[i - 1] == '-' || base[i - 1] == '_') &&
                   (p == base.size() || base[p] == '.' || base[p] == '-' || base[p] == '_');
    if (p - i >= 6 && digit && bounded) {
      out += '#';
      i = p;
      continue;
    }
    if (p == i) p = i + 1;
    out.append(base.substr(i, p - i));
    i = p;
  }
  return out;
}

std::vector<StackFrame> ParseStack(std::string_view stack, size_t max_frames) {
  std::vector<StackFrame> frames;
  while (!stack.empty() && frames.size() < max_frames) {
    size_t eol = stack.find('\n');
    std::string_view line = Trim(stack.substr(0, eol));
    stack = eol == std::string_view::npos ? std::string_view{} : stack.substr(eol + 1);
    if (SkipLine(line)) continue;
    StackFrame f;
    if (ParsePython(line, &f) || ParseJava(line, &f) || ParseJavaScript(line, &f) ||
        ParseDart(line, &f) || ParseNative(line, &f)) {
      frames.push_back(std::move(f));
    }
  }
  return frames;
}

}  // namespace vigia::errors
