#include "services/rds/port_allocator.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kura {
namespace {

std::string key(int port) { return "port:" + std::to_string(port); }

}  // namespace

bool portIsFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // As the engines and Kura's proxies bind (all with SO_REUSEADDR): a port
  // whose last connections linger in TIME_WAIT (an engine stopped a minute
  // ago) is free for them, and a listener, or a socket bound without the
  // option, still makes it taken.
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return free;
}

std::optional<int> PortAllocator::allocate(const std::string& owner, std::optional<int> wanted) {
  auto taken = [&](int port) {
    auto holder = catalog_.getSetting(key(port));
    return (holder && !holder->empty()) || !portIsFree(port);
  };
  if (wanted) {
    if (taken(*wanted)) return std::nullopt;
    catalog_.putSetting(key(*wanted), owner);
    return wanted;
  }
  for (int port = first_; port <= last_; ++port) {
    if (taken(port)) continue;
    catalog_.putSetting(key(port), owner);
    return port;
  }
  return std::nullopt;
}

void PortAllocator::release(int port) { catalog_.putSetting(key(port), ""); }

void PortAllocator::releaseAllOf(const std::string& owner) {
  for (int port = first_; port <= last_; ++port) {
    auto holder = catalog_.getSetting(key(port));
    if (holder && *holder == owner) release(port);
  }
}

}  // namespace kura
