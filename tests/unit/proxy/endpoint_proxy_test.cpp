// The endpoint proxy over real loopback sockets: one backend, several in
// turn, and a re-route that closes the connections to a dropped backend.
#include "proxy/endpoint_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/descriptor_shortage.h"

#include "../descriptor_exhaustion.h"

namespace kura {
namespace {

// A backend that answers each connection with its own name, then closes.
class NamedBackend {
 public:
  explicit NamedBackend(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] {
      while (true) {
        int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0 && errno == EMFILE) {  // a test took every descriptor for a while
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        if (client < 0) return;
        (void)::send(client, name_.data(), name_.size(), MSG_NOSIGNAL);
        ::close(client);
      }
    });
  }
  ~NamedBackend() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  unsigned short port() const { return port_; }

 private:
  std::string name_;
  int fd_ = -1;
  unsigned short port_ = 0;
  std::thread thread_;
};

unsigned short freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Connects to the endpoint and reads what the backend says (bounded).
std::string ask(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    char buffer[64];
    ssize_t got;
    while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return answer;
}

TEST(EndpointProxy, SpreadsConnectionsOverBackendsInTurn) {
  NamedBackend first("first"), second("second");
  EndpointProxies proxies;
  proxies.start();
  unsigned short port = freePort();
  proxies.route("reader", port, std::vector<unsigned short>{first.port(), second.port()});
  std::string answers;
  for (int i = 0; i < 4; ++i) answers += ask(port) + ",";
  EXPECT_EQ(answers, "first,second,first,second,");
  // Re-pointed at one backend: every new connection goes there.
  proxies.route("reader", port, second.port());
  EXPECT_EQ(ask(port), "second");
  EXPECT_EQ(ask(port), "second");
  proxies.remove("reader");
  EXPECT_EQ(ask(port), "");
  proxies.stop();
}

#if defined(__SANITIZE_ADDRESS__)
#define KURA_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KURA_SANITIZED 1
#endif
#endif

TEST(EndpointProxy, OutOfDescriptorsItsListenerWaitsInsteadOfSpinning) {
#ifdef KURA_SANITIZED
  // UBSan's vptr check opens a pipe to see whether memory is readable: with
  // every descriptor taken it fails, and reports Asio's objects as invalid.
  GTEST_SKIP() << "takes every descriptor, which the sanitizers' own checks need";
#endif
  NamedBackend backend("backend");
  EndpointProxies proxies;
  proxies.start();
  unsigned short port = freePort();
  proxies.route("starved", port, backend.port());
  // Clients made first, then every descriptor taken, then the clients
  // connected (the kernel's backlog takes them): the proxy has no
  // descriptor left to accept them with.
  std::vector<int> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(::socket(AF_INET, SOCK_STREAM, 0));
  auto exhausted = std::make_unique<test_support::DescriptorsExhausted>();
  uint64_t before = descriptorShortages();
  for (int fd : clients) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  uint64_t failures = descriptorShortages() - before;
  exhausted.reset();
  // One try per 100 ms (about 10 in the second), not one per few
  // microseconds (a spinning loop makes hundreds of thousands); wide bounds,
  // so that a loaded machine that runs the proxy's thread late still passes.
  EXPECT_GE(failures, 1u);
  EXPECT_LE(failures, 100u);
  // Descriptors back: the waiting clients are served.
  EXPECT_EQ(ask(port), "backend");
  for (int fd : clients) ::close(fd);
  proxies.stop();
}

TEST(EndpointProxy, RefusesAnEndpointWithoutBackend) {
  EndpointProxies proxies;
  proxies.start();
  EXPECT_THROW(proxies.route("none", freePort(), std::vector<unsigned short>{}), std::invalid_argument);
  proxies.stop();
}

}  // namespace
}  // namespace kura
