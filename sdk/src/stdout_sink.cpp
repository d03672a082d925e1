// Stdout sink: NDJSON in production, colored human-readable text on a terminal (seed 000's
// dev/prod modes). Buffers and writes with write(2) on flush/tick or when the buffer is large.
#include <time.h>
#include <unistd.h>

#include <string>

#include "vigia/sink.h"

namespace vigia::sdk {
namespace {

class StdoutSink final : public Sink {
 public:
  StdoutSink(bool text, int fd) : text_(text), fd_(fd) {}
  ~StdoutSink() override { write_out(); }

  void write(const EventView& ev) override {
    if (!text_) {
      buf_.append(ev.json);
      buf_.push_back('\n');
    } else {
      format_text(ev);
    }
    if (buf_.size() > (64u << 10)) write_out();
  }
  void flush(std::chrono::steady_clock::time_point) override { write_out(); }
  void tick() override { write_out(); }

 private:
  void format_text(const EventView& ev) {
    static const char* kColors[] = {"\x1b[90m", "\x1b[36m", "\x1b[32m",
                                    "\x1b[33m", "\x1b[31m", "\x1b[35;1m"};
    static const char* kNames[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR", "FATAL"};
    time_t secs = static_cast<time_t>(ev.ts_ns / 1000000000);
    tm t{};
    localtime_r(&secs, &t);
    char ts[32];
    snprintf(ts, sizeof ts, "%02d:%02d:%02d.%03d ", t.tm_hour, t.tm_min, t.tm_sec,
             static_cast<int>((ev.ts_ns / 1000000) % 1000));
    int l = static_cast<int>(ev.level);
    buf_.append(ts);
    buf_.append(kColors[l]);
    buf_.append(kNames[l]);
    buf_.append("\x1b[0m ");
    if (ev.kind != Kind::kLog) {
      buf_.append("[");
      buf_.append(kind_name(ev.kind));
      buf_.append("] ");
    }
    buf_.append(ev.msg);
    if (ev.fields) {
      for (const auto& [k, v] : *ev.fields) {
        buf_.append(" \x1b[90m");
        buf_.append(k);
        buf_.append("=\x1b[0m");
        buf_.append(v);
      }
    }
    buf_.push_back('\n');
  }
  void write_out() {
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (n <= 0) break;  // stdout closed or full: logging must not fail the app
      off += static_cast<size_t>(n);
    }
    buf_.clear();
  }
  bool text_;
  int fd_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Sink> make_stdout_sink(StdoutFormat format, int fd) {
  bool text = format == StdoutFormat::kText || (format == StdoutFormat::kAuto && isatty(fd));
  return std::make_unique<StdoutSink>(text, fd);
}

}  // namespace vigia::sdk
