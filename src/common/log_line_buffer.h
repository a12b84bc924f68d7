#pragma once
// `kura serve`'s log lines on their way to a descriptor (stderr): event
// lines are written as they come, request lines (one per API call,
// main/request_log.h) gather here and leave with the next event line, a
// full buffer or the loggers' flush every second (main/serve_command.cpp).
// Lines are written whole and in order, under one lock: a reader of the
// log never sees half of one unless a write failed half done, and then
// the next write starts on a line of its own. (A file opened for
// appending takes each write(2) whole; a pipe only up to 4 KiB, so other
// writers to the same pipe may cut into a longer one.) spdlog's stderr
// sink wrote and flushed each line on its own: a write(2) per API call,
// about a tenth of a GetItem's CPU at the default level. stdio's buffer
// would cut lines at its edge, hence a buffer of Kura's own.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace kura {

class LogLineBuffer {
 public:
  static constexpr size_t kCapacity = 64 * 1024;
  // How long a write waits in all for a descriptor that takes no more now
  // (a non-blocking pipe whose reader lags) before its lines are dropped.
  static constexpr std::chrono::milliseconds kWaitForRoom{100};

  explicit LogLineBuffer(int fd);
  LogLineBuffer(const LogLineBuffer&) = delete;
  LogLineBuffer& operator=(const LogLineBuffer&) = delete;
  ~LogLineBuffer();  // writes what is left

  // One line, its line feed included; written at once when `now`, with
  // the lines gathered before it.
  void add(std::string_view line, bool now);
  void flush();

 private:
  void writeLocked();

  int fd_;
  std::mutex mutex_;
  std::string pending_;
  bool cut_ = false;  // the last write stopped inside a line
};

}  // namespace kura
