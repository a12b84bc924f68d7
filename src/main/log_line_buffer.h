#pragma once
// `kura serve`'s log lines on their way to a descriptor (stderr): event
// lines are written as they come, request lines (one per API call,
// request_log.h) gather here and leave with the next event line, a full
// buffer or the loggers' flush every second (serve_command.cpp). Every
// write(2) holds whole lines, so a reader never sees half of one and
// another writer to the same file cannot cut into it. spdlog's stderr
// sink wrote and flushed each line on its own: a write(2) per API call,
// about a tenth of a GetItem's CPU at the default level. stdio's buffer
// would cut lines at its edge, hence a buffer of Kura's own.
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace kura {

class LogLineBuffer {
 public:
  static constexpr size_t kCapacity = 64 * 1024;

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
};

}  // namespace kura
