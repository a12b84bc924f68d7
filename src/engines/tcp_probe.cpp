#include "engines/tcp_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "common/confined_file.h"
#include "common/descriptor_shortage.h"

namespace kura::engines {

std::optional<LoopbackProbe> LoopbackProbe::connect(int port, std::chrono::milliseconds timeout) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    noteDescriptorError(errno);
    return std::nullopt;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
    return std::nullopt;
  }
  return LoopbackProbe(std::move(fd), std::chrono::steady_clock::now() + timeout);
}

bool LoopbackProbe::waitFor(short events) const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd entry{fd_.get(), events, 0};
  return ::poll(&entry, 1, static_cast<int>(left.count())) == 1 && (entry.revents & (events | POLLHUP)) != 0;
}

std::string probeTcp(int port, std::string_view request, size_t answerBytes, std::chrono::milliseconds timeout) {
  auto probe = LoopbackProbe::connect(port, timeout);
  if (!probe) return "";
  if (!request.empty() &&
      !(probe->waitFor(POLLOUT) && ::send(probe->fd(), request.data(), request.size(), MSG_NOSIGNAL) ==
                                static_cast<ssize_t>(request.size()))) {
    return "";
  }
  std::string answer(answerBytes, '\0');
  size_t got = 0;
  while (got < answerBytes && probe->waitFor(POLLIN)) {
    ssize_t n = ::recv(probe->fd(), answer.data() + got, answerBytes - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  answer.resize(got);
  return answer;
}

}  // namespace kura::engines
