// The proxy notes whether a MySQL client asked for TLS in its first packet,
// by the port of its own connection to the backend (what the engine sees).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "proxy/endpoint_proxy.h"

namespace kura {
namespace {

int listenOnLoopback(unsigned short& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::listen(fd, 4);
  port = ntohs(address.sin_port);
  return fd;
}

int connectTo(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// Sends `first` through the endpoint; answers the port the backend sees
// its peer on, once the bytes have arrived (so the proxy has read them).
unsigned short through(unsigned short endpoint, int backend, const std::string& first, int& client, int& accepted) {
  client = connectTo(endpoint);
  (void)::send(client, first.data(), first.size(), MSG_NOSIGNAL);
  sockaddr_in peer{};
  socklen_t length = sizeof peer;
  accepted = ::accept(backend, reinterpret_cast<sockaddr*>(&peer), &length);
  char buffer[64];
  size_t got = 0;
  while (got < first.size()) {
    ssize_t n = ::recv(accepted, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return ntohs(peer.sin_port);
}

TEST(ClientTls, AnSslRequestIsNotedUntilTheConnectionCloses) {
  unsigned short backendPort = 0, endpointPort = 0;
  int backend = listenOnLoopback(backendPort);
  int spare = listenOnLoopback(endpointPort);
  ::close(spare);  // a free port for the endpoint
  EndpointProxies proxies;
  proxies.start();
  proxies.route("db", endpointPort, backendPort);
  // An SSLRequest: a 32-byte payload, sequence 1, capabilities with CLIENT_SSL (0x800).
  std::string sslRequest("\x20\x00\x00\x01\x85\xae\xff\x01", 8);
  sslRequest.resize(36, '\0');
  // A handshake response without it.
  std::string plain("\x40\x00\x00\x01\x85\xa6\xff\x01", 8);
  plain.resize(68, '\0');
  int tlsClient = -1, tlsAccepted = -1, plainClient = -1, plainAccepted = -1;
  unsigned short tlsPort = through(endpointPort, backend, sslRequest, tlsClient, tlsAccepted);
  unsigned short plainPort = through(endpointPort, backend, plain, plainClient, plainAccepted);
  EXPECT_TRUE(proxies.clientAskedForTls(tlsPort));
  EXPECT_FALSE(proxies.clientAskedForTls(plainPort));
  EXPECT_FALSE(proxies.clientAskedForTls(backendPort));  // no connection of the proxy's
  ::close(tlsClient);  // the proxy closes its side, and forgets
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (proxies.clientAskedForTls(tlsPort) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(proxies.clientAskedForTls(tlsPort));
  for (int fd : {tlsAccepted, plainClient, plainAccepted, backend}) ::close(fd);
  proxies.stop();
}

}  // namespace
}  // namespace kura
