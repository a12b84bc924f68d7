#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "services/rds/port_allocator.h"

namespace kura {
namespace {

// A loopback socket; bound to `port` (0: any), with SO_REUSEADDR if asked.
int boundSocket(int port, bool reuse) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  if (reuse) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

int portOf(int fd) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

// Whether a TCP socket on 127.0.0.1:`port` is in TIME_WAIT (/proc/net/tcp:
// local address in hex, state 06).
bool inTimeWait(int port) {
  char local[32];
  std::snprintf(local, sizeof local, "0100007F:%04X", port);
  std::ifstream table("/proc/net/tcp");
  for (std::string line; std::getline(table, line);) {
    if (line.find(std::string(local) + " ") != std::string::npos && line.find(" 06 ") != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(PortIsFreeTest, AListenerTakesAPort) {
  int listener = boundSocket(0, true);
  ASSERT_EQ(::listen(listener, 1), 0);
  EXPECT_FALSE(portIsFree(portOf(listener)));
  ::close(listener);
}

TEST(PortIsFreeTest, ASocketBoundWithoutReuseTakesAPort) {
  int held = boundSocket(0, false);
  EXPECT_FALSE(portIsFree(portOf(held)));
  ::close(held);
}

TEST(PortIsFreeTest, ConnectionsLeftInTimeWaitDoNotTakeAPort) {
  // A server that closed its side first leaves the connection in TIME_WAIT
  // on its port for a minute; an engine binding the port with SO_REUSEADDR
  // (as PostgreSQL, Redis and memcached do) gets it all the same.
  int listener = boundSocket(0, true);
  int port = portOf(listener);
  ASSERT_EQ(::listen(listener, 1), 0);
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  int accepted = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  ::close(listener);
  ::close(accepted);  // the server closes first: its side goes to TIME_WAIT
  ::close(client);
  for (int i = 0; i < 200 && !inTimeWait(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(inTimeWait(port));
  EXPECT_TRUE(portIsFree(port));
}

}  // namespace
}  // namespace kura
