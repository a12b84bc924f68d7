#include "common/log_line_buffer.h"

#include <poll.h>
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

// A log that cannot be written (a closed pipe, a full disk, a reader that
// takes nothing for kWaitForRoom) drops its lines: there is nowhere to say
// so, and the server must go on serving. A write that stopped inside a
// line leaves the next to start with a line feed, so that no line is glued
// to half of another.
void LogLineBuffer::writeLocked() {
  if (pending_.empty()) return;
  if (cut_) pending_.insert(pending_.begin(), '\n');
  // One wait for the whole write, not one per piece: a reader that takes
  // a few bytes at a time cannot hold the lock (and the calls logging
  // behind it) for long.
  auto giveUpAt = std::chrono::steady_clock::now() + kWaitForRoom;
  size_t done = 0;
  while (done < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(giveUpAt - std::chrono::steady_clock::now());
      pollfd room{fd_, POLLOUT, 0};
      if (left.count() > 0 && ::poll(&room, 1, static_cast<int>(left.count())) == 1 &&
          (room.revents & POLLOUT) != 0) {
        continue;
      }
    }
    break;
  }
  if (done == pending_.size()) {
    cut_ = false;
  } else if (done > 0) {
    cut_ = pending_[done - 1] != '\n';
  }  // else nothing went out: the log ends where it did
  pending_.clear();
}

}  // namespace kura
