#include "query/ndjson_file_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

namespace vigia {
namespace {

using testing::Gzip;  // one gzip member, written by zlib

std::string Lines(size_t n, size_t from = 0) {
  std::string s;
  for (size_t i = from; i < from + n; ++i) {
    s += "{\"n\":" + std::to_string(i) + ",\"msg\":\"line " + std::to_string(i * 31 % 1009) +
         "\"}\n";
  }
  return s;
}

class NdjsonFileSource : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // Every chunk of `path`, as text.
  Status Read(const std::string& path, size_t chunk_bytes, std::vector<std::string>* chunks) {
    return ReadNdjsonChunks(path, chunk_bytes, [&](std::string_view c) {
      chunks->emplace_back(c);
      return Status::Ok();
    });
  }
  // Reads `path` in chunks of 8 KiB, calling `meanwhile` once, while the first chunk is
  // lent (the file changes under the reader).
  Status ReadChanging(const std::string& path, const std::function<void()>& meanwhile,
                      std::vector<std::string>* chunks) {
    return ReadNdjsonChunks(path, 8192, [&](std::string_view c) {
      if (chunks->empty()) meanwhile();
      chunks->emplace_back(c);
      return Status::Ok();
    });
  }
  static std::string Join(const std::vector<std::string>& chunks) {
    std::string all;
    for (const std::string& c : chunks) all += c;
    return all;
  }

  testing::TempDir dir_;
};

TEST_F(NdjsonFileSource, ChunksAreWholeLinesOfAboutTheChunkSize) {
  const std::string text = Lines(20000);  // ~600 KB
  std::vector<std::string> chunks;
  ASSERT_TRUE(Read(Write("a.log", text), 16384, &chunks).ok());
  EXPECT_EQ(Join(chunks), text);
  ASSERT_GT(chunks.size(), 30u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].back(), '\n');
    if (i + 1 < chunks.size()) {  // all but the last
      EXPECT_GT(chunks[i].size(), 16384u - 100);
    }
    EXPECT_LT(chunks[i].size(), 16384u + 100);
  }
}

TEST_F(NdjsonFileSource, GzipIsDetectedFromTheContentAndGivesTheSameText) {
  const std::string text = Lines(30000) + "{\"last\":\"no newline\"}";
  for (std::string name : {"a.log.gz", "no-suffix"}) {
    std::vector<std::string> chunks;
    ASSERT_TRUE(Read(Write(name, Gzip(text)), 65536, &chunks).ok());
    EXPECT_EQ(Join(chunks), text) << name;
    EXPECT_EQ(chunks.back(), "{\"last\":\"no newline\"}") << name;  // its own chunk at the end
  }
  // Plain text named .gz is read as it is.
  std::vector<std::string> chunks;
  ASSERT_TRUE(Read(Write("plain.gz", text), 65536, &chunks).ok());
  EXPECT_EQ(Join(chunks), text);
}

TEST_F(NdjsonFileSource, ConcatenatedGzipFilesAreOneFile) {
  const std::string a = Lines(5000), b = Lines(7000, 5000);
  std::vector<std::string> chunks;
  ASSERT_TRUE(Read(Write("ab.log.gz", Gzip(a) + Gzip(b)), 8192, &chunks).ok());
  EXPECT_EQ(Join(chunks), a + b);
}

TEST_F(NdjsonFileSource, TruncatedOrCorruptGzipIsAnErrorNamingTheFile) {
  const std::string gz = Gzip(Lines(20000));
  const std::string cut = Write("cut.log.gz", gz.substr(0, gz.size() * 2 / 3));
  std::vector<std::string> chunks;
  Status st = Read(cut, 65536, &chunks);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "reading " + cut + ": unexpected end of file (truncated gzip)");
  for (const std::string& c : chunks) EXPECT_EQ(c.back(), '\n');  // only whole lines came out

  std::string bad = gz;
  bad[bad.size() - 7] ^= 0x01;  // the CRC-32
  const std::string crc = Write("crc.log.gz", bad);
  chunks.clear();
  st = Read(crc, 65536, &chunks);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "reading " + crc + ": CRC mismatch (corrupt data)");

  const std::string missing = dir_.path() + "/missing.log";
  st = Read(missing, 65536, &chunks);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(missing), std::string::npos) << st.message();
}

TEST_F(NdjsonFileSource, ALineLongerThanAChunkIsOneChunk) {
  const std::string big = "{\"msg\":\"" + std::string(50000, 'x') + "\"}\n";
  const std::string text = Lines(100) + big + Lines(100);
  for (const std::string& file : {Write("long.log", text), Write("long.log.gz", Gzip(text))}) {
    std::vector<std::string> chunks;
    ASSERT_TRUE(Read(file, 4096, &chunks).ok());
    EXPECT_EQ(Join(chunks), text);
    bool whole = false;
    for (const std::string& c : chunks) whole = whole || c.find(big) != std::string::npos;
    EXPECT_TRUE(whole);
  }
}

TEST_F(NdjsonFileSource, EmptyAndBlankFiles) {
  std::vector<std::string> chunks;
  ASSERT_TRUE(Read(Write("empty.log", ""), 4096, &chunks).ok());
  EXPECT_TRUE(chunks.empty());
  ASSERT_TRUE(Read(Write("one.log", "{"), 4096, &chunks).ok());
  EXPECT_EQ(Join(chunks), "{");
}

// Buffers handed to the sink are the sink's: the reader fills the ones it gets back.
class RecyclingSink final : public LineChunkSink {
 public:
  LineChunk Buffer() override {
    if (spare_.empty()) return LineChunk();
    ++reused;
    LineChunk b = std::move(spare_.back());
    spare_.pop_back();
    return b;
  }
  Status Emit(LineChunk chunk) override {
    text += chunk.text();
    ++chunks;
    if (chunk.capacity() > 0) {
      ++owned;
      spare_.push_back(std::move(chunk));
    }
    return Status::Ok();
  }
  std::string text;
  int chunks = 0;
  int reused = 0;
  int owned = 0;  // chunks in buffers of their own (not views)

 private:
  std::vector<LineChunk> spare_;
};

TEST_F(NdjsonFileSource, InflatesIntoTheSinksBuffers) {
  const std::string text = Lines(20000);
  RecyclingSink sink;
  ASSERT_TRUE(ReadNdjsonChunks(Write("a.log.gz", Gzip(text)), 16384, sink).ok());
  EXPECT_EQ(sink.text, text);
  EXPECT_GT(sink.chunks, 30);
  EXPECT_GE(sink.reused, sink.chunks - 2);
}

// Plain files too are read into recycled buffers (not mapped: its pages' faults cost more
// than the copy).
TEST_F(NdjsonFileSource, PlainFilesAreReadIntoTheSinksBuffers) {
  const std::string text = Lines(20000);
  RecyclingSink sink;
  ASSERT_TRUE(ReadNdjsonChunks(Write("a.log", text), 16384, sink).ok());
  EXPECT_EQ(sink.text, text);
  EXPECT_GT(sink.chunks, 30);
  EXPECT_GE(sink.reused, sink.chunks - 2);
  EXPECT_EQ(sink.owned, sink.chunks);
}

// Lines that span reads, CRLF line ends (kept: the decoder strips the '\r'), a last line
// without '\n', and a file whose size is a multiple of the chunk size, at chunk sizes around
// the 4096 bytes the first (format-detecting) read takes.
TEST_F(NdjsonFileSource, PlainFileBoundariesAtEveryChunkSize) {
  std::string crlf;
  for (size_t i = 0; i < 3000; ++i) crlf += "{\"n\":" + std::to_string(i) + "}\r\n";
  const std::string exact = std::string(8191, 'x') + "\n";  // two 4096-byte chunks
  for (const std::string& text : {crlf, crlf + "{\"last\":1}", exact, std::string("\n\n\n")}) {
    const std::string path = Write("b.log", text);
    for (size_t chunk : {4096, 4097, 4100, 5000, 8192, 65536}) {
      std::vector<std::string> chunks;
      ASSERT_TRUE(Read(path, chunk, &chunks).ok());
      EXPECT_EQ(Join(chunks), text) << chunk;
      for (size_t i = 0; i + 1 < chunks.size(); ++i) EXPECT_EQ(chunks[i].back(), '\n') << chunk;
    }
  }
}

// Truncated while read: an error naming the file, not a short answer.
TEST_F(NdjsonFileSource, APlainFileThatShrinksWhileReadIsAnError) {
  const std::string text = Lines(40000);  // ~1.2 MB
  const std::string path = Write("rotating.log", text);
  std::vector<std::string> chunks;
  Status st = ReadChanging(
      path, [&] { EXPECT_EQ(truncate(path.c_str(), 100000), 0); }, &chunks);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path + ": file shrank while being read (ended after "),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find(" of " + std::to_string(text.size()) + " bytes)"),
            std::string::npos)
      << st.message();
  // A file read after that one reads normally.
  chunks.clear();
  ASSERT_TRUE(Read(Write("next.log", text), 65536, &chunks).ok());
  EXPECT_EQ(Join(chunks), text);
}

TEST_F(NdjsonFileSource, AGzipFileThatShrinksWhileReadIsAnError) {
  const std::string gz = Gzip(Lines(200000));
  const std::string path = Write("rotating.log.gz", gz);
  std::vector<std::string> chunks;
  Status st = ReadChanging(
      path, [&] { EXPECT_EQ(truncate(path.c_str(), 1000), 0); }, &chunks);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path + ": file shrank while being read (ended after "),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find(" of " + std::to_string(gz.size()) + " bytes)"), std::string::npos)
      << st.message();
}

TEST_F(NdjsonFileSource, APlainFileIsReadAsItWasWhenOpened) {
  const std::string text = Lines(10000), more = Lines(10, 10000);
  const std::string path = Write("growing.log", text);
  std::vector<std::string> chunks;
  Status st = ReadChanging(
      path, [&] { std::ofstream(path, std::ios::app) << more; }, &chunks);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Join(chunks), text);
}

// stdin ("-") is a pipe here, written in small pieces (the first piece one byte, so gzip
// detection must wait for the second).
TEST_F(NdjsonFileSource, StdinPipeIsReadPlainOrGzip) {
  const std::string text = Lines(20000);
  for (const std::string& bytes : {text, Gzip(text)}) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const int saved = dup(STDIN_FILENO);
    ASSERT_EQ(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    std::thread writer([&, w = fds[1]] {
      size_t pos = 0, piece = 1;
      while (pos < bytes.size()) {
        const size_t n = std::min(piece, bytes.size() - pos);
        ASSERT_EQ(write(w, bytes.data() + pos, n), static_cast<ssize_t>(n));
        pos += n;
        piece = 1000;
      }
      close(w);
    });
    std::vector<std::string> chunks;
    Status st = Read("-", 16384, &chunks);
    writer.join();
    dup2(saved, STDIN_FILENO);
    close(saved);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(Join(chunks), text);
  }
}

}  // namespace
}  // namespace vigia
