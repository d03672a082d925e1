#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_util.h"
#include "vigia/logger.h"
#include "vigia/sink.h"

namespace vigia::sdk {
namespace {

using testing::contains;

EventView view(const std::string& json,
               std::vector<std::pair<std::string_view, std::string_view>>* fields) {
  EventView v;
  v.ts_ns = 1700000000123000000;
  v.level = Level::kWarn;
  v.msg = "disk almost full";
  v.fields = fields;
  v.json = json;
  return v;
}

std::string read_fd(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(StdoutSink, JsonAndColoredText) {
  std::vector<std::pair<std::string_view, std::string_view>> fields = {{"free_mb", "12"}};
  std::string json = "{\"msg\":\"disk almost full\"}";
  for (auto fmt : {StdoutFormat::kJson, StdoutFormat::kText}) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    {
      auto sink = make_stdout_sink(fmt, p[1]);
      sink->write(view(json, &fields));
      sink->flush(std::chrono::steady_clock::now());
    }
    ::close(p[1]);
    std::string out = read_fd(p[0]);
    ::close(p[0]);
    if (fmt == StdoutFormat::kJson) {
      EXPECT_EQ(out, json + "\n");
    } else {
      EXPECT_TRUE(contains(out, "WARN")) << out;
      EXPECT_TRUE(contains(out, "\x1b[33m")) << out;  // yellow for warn
      EXPECT_TRUE(contains(out, "disk almost full")) << out;
      EXPECT_TRUE(contains(out, "free_mb=\x1b[0m12")) << out;
    }
  }
}

TEST(FileSink, RotatesBySizeKeepingMaxFiles) {
  std::string dir = testing::make_temp_dir();
  std::string path = dir + "/app.ndjson";
  auto r = make_file_sink(path, 1000, 3);
  ASSERT_TRUE(r.ok());
  auto& sink = *r.value();
  std::string line(99, 'x');  // 100 bytes with the newline
  for (int i = 0; i < 45; ++i) {
    sink.write(view(line, nullptr));
    sink.flush(std::chrono::steady_clock::now());
  }
  r.value().reset();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(path + ".3"));
  for (const auto& p : {path, path + ".1", path + ".2"})
    EXPECT_LE(std::filesystem::file_size(p), 1000u);
  // 45 lines of 10 per file: the newest 5 in the live file, 10 in each rotated one.
  EXPECT_EQ(testing::read_lines(path).size(), 5u);
  EXPECT_EQ(testing::read_lines(path + ".1").size(), 10u);
}

TEST(FileSink, FailsCleanlyOnUnwritablePath) {
  EXPECT_FALSE(make_file_sink("/proc/nope/x.log", 100, 2).ok());
}

}  // namespace
}  // namespace vigia::sdk
