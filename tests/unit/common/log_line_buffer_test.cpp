#include "common/log_line_buffer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <string>

namespace kura {
namespace {

// A pipe whose read end the test drains without blocking.
struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read = fds[0];
    write = fds[1];
    EXPECT_EQ(::fcntl(read, F_SETFL, O_NONBLOCK), 0);
  }
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  std::string drain() const {
    std::string out;
    char chunk[8192];
    ssize_t n;
    while ((n = ::read(read, chunk, sizeof chunk)) > 0) out.append(chunk, static_cast<size_t>(n));
    return out;
  }
};

TEST(LogLineBuffer, GathersLinesUntilAnEventLineCarriesThemInOrder) {
  Pipe pipe;
  LogLineBuffer buffer(pipe.write);
  buffer.add("request 1\n", false);
  buffer.add("request 2\n", false);
  EXPECT_EQ(pipe.drain(), "");
  buffer.add("event\n", true);
  EXPECT_EQ(pipe.drain(), "request 1\nrequest 2\nevent\n");
  buffer.add("request 3\n", false);
  buffer.flush();
  EXPECT_EQ(pipe.drain(), "request 3\n");
  buffer.flush();  // nothing left: nothing written
  EXPECT_EQ(pipe.drain(), "");
}

TEST(LogLineBuffer, AFullBufferIsWrittenInWholeLines) {
  Pipe pipe;
  ASSERT_GE(::fcntl(pipe.write, F_SETPIPE_SZ, 1 << 20), 1 << 20);
  LogLineBuffer buffer(pipe.write);
  std::string line(99, 'x');
  line += '\n';
  size_t lines = 0;
  std::string out;
  while (out.empty()) {
    buffer.add(line, false);
    ++lines;
    out = pipe.drain();
    ASSERT_LE(lines, LogLineBuffer::kCapacity / line.size() + 1);
  }
  // Written when the next line would not fit: every line whole.
  EXPECT_EQ(out.size() % line.size(), 0u);
  EXPECT_EQ(out.size(), (lines - 1) * line.size());
  EXPECT_LE(out.size(), LogLineBuffer::kCapacity);
  // A line longer than the whole buffer goes out by itself, whole.
  std::string longLine(LogLineBuffer::kCapacity + 10, 'y');
  longLine += '\n';
  buffer.add(longLine, false);
  EXPECT_EQ(pipe.drain(), line + longLine);
}

TEST(LogLineBuffer, WhatIsLeftIsWrittenWhenTheBufferEnds) {
  Pipe pipe;
  {
    auto buffer = std::make_unique<LogLineBuffer>(pipe.write);
    buffer->add("last request\n", false);
  }
  EXPECT_EQ(pipe.drain(), "last request\n");
}

TEST(LogLineBuffer, AWriteCutShortLeavesTheNextLineWhole) {
  // A reader that takes nothing: the pipe holds all but 100 bytes, the
  // descriptor does not block. A write of more than a pipe's atomic 4 KiB
  // goes out in part, the rest is dropped after kWaitForRoom.
  Pipe pipe;
  ASSERT_EQ(::fcntl(pipe.write, F_SETFL, O_NONBLOCK), 0);
  int size = ::fcntl(pipe.write, F_GETPIPE_SZ);
  ASSERT_GT(size, 8192);
  std::string filler(static_cast<size_t>(size) - 4096 - 100, 'f');
  ASSERT_EQ(::write(pipe.write, filler.data(), filler.size()), static_cast<ssize_t>(filler.size()));
  LogLineBuffer buffer(pipe.write);
  std::string line(199, 'z');
  line += '\n';
  for (int i = 0; i < 30; ++i) buffer.add(line, false);  // 6,000 bytes
  buffer.flush();
  std::string out = pipe.drain();
  ASSERT_GT(out.size(), filler.size());
  ASSERT_LT(out.size(), filler.size() + 30 * line.size());
  EXPECT_NE(out.back(), '\n');  // cut inside a line
  buffer.add("next\n", true);
  EXPECT_EQ(pipe.drain(), "\nnext\n");
  buffer.add("after\n", true);
  EXPECT_EQ(pipe.drain(), "after\n");
}

TEST(LogLineBuffer, AClosedReaderDropsTheLinesAndNothingElse) {
  std::signal(SIGPIPE, SIG_IGN);  // as kura serve does
  Pipe pipe;
  ::close(pipe.read);
  pipe.read = -1;
  LogLineBuffer buffer(pipe.write);
  buffer.add("request\n", false);
  buffer.add("event\n", true);  // EPIPE: dropped
  buffer.add("event\n", true);
}

}  // namespace
}  // namespace kura
