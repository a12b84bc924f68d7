#include "main/log_line_buffer.h"

#include <unistd.h>

#include <cerrno>

namespace kura {

LogLineBuffer::LogLineBuffer(int fd) : fd_(fd) { pending_.reserve(kCapacity); }

LogLineBuffer::~LogLineBuffer() { flush(); }

void LogLineBuffer::add(std::string_view line, bool now) {
  std::lock_guard lock(mutex_);
  if (pending_.size() + line.size() > kCapacity) writeLocked();
  pending_.append(line);
  if (now || pending_.size() >= kCapacity) writeLocked();
}

void LogLineBuffer::flush() {
  std::lock_guard lock(mutex_);
  writeLocked();
}

// A log that cannot be written (a closed pipe, a full disk) drops its
// lines: there is nowhere to say so, and the server must go on serving.
void LogLineBuffer::writeLocked() {
  size_t done = 0;
  while (done < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  pending_.clear();
}

}  // namespace kura
