#pragma once
// An engine's liveness, asked over TCP with no process spawned (a loaded
// host does not fake a failure): connect to 127.0.0.1:port, send a request,
// read the first bytes of the answer, all within a deadline.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/confined_file.h"

namespace kura::engines {

// A non-blocking socket connecting to 127.0.0.1:port, and the deadline its
// exchange must keep (probeTcp's and probeTls's).
class LoopbackProbe {
 public:
  // Empty when no socket could be made (a descriptor shortage is noted) or
  // the connection was refused at once.
  static std::optional<LoopbackProbe> connect(int port, std::chrono::milliseconds timeout);
  int fd() const { return fd_.get(); }
  // Waits, until the deadline at most, for `events` (POLLIN, POLLOUT) on the
  // socket; false once the deadline passed or the wait failed.
  bool waitFor(short events) const;

 private:
  LoopbackProbe(UniqueFd fd, std::chrono::steady_clock::time_point deadline)
      : fd_(std::move(fd)), deadline_(deadline) {}
  UniqueFd fd_;
  std::chrono::steady_clock::time_point deadline_;
};

// The answer's first `answerBytes` bytes (fewer when the server closed,
// stalled past `timeout` or refused the connection). A socket Kura could
// not open for lack of descriptors is noted (common/descriptor_shortage.h):
// Kura's shortage, not the engine's, which the supervisors judge unknown.
std::string probeTcp(int port, std::string_view request, size_t answerBytes, std::chrono::milliseconds timeout);

}  // namespace kura::engines
