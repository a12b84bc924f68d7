#include "dbauth/ldap_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "dbauth/ldap_bind.h"

namespace kura::dbauth {
namespace {

int connectTo(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  return fd;
}

// What the peer answers (empty once it has closed).
std::string answerTo(int fd, const std::string& request) {
  EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  char buffer[256];
  ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

class LdapListenerTest : public ::testing::Test {
 protected:
  LdapListenerTest()
      : listener_([this](const std::string& name, const std::string& password) {
          ++asked_;
          return name == "uid=alice,ou=db-A" && password == "good-token";
        }) {}
  void SetUp() override {
    auto started = listener_.start({});
    ASSERT_TRUE(started.ok());
    port_ = *started;
  }

  std::atomic<int> asked_{0};
  LdapListener listener_;
  unsigned short port_ = 0;
};

TEST_F(LdapListenerTest, ABindIsAnsweredYesOrNo) {
  int fd = connectTo(port_);
  EXPECT_EQ(answerTo(fd, ldapBindRequest(1, "uid=alice,ou=db-A", "good-token")), ldapBindResponse(1, kLdapSuccess));
  EXPECT_EQ(answerTo(fd, ldapBindRequest(2, "uid=alice,ou=db-A", "bad-token")),
            ldapBindResponse(2, kLdapInvalidCredentials));
  ::close(fd);
  EXPECT_EQ(asked_.load(), 2);
}

TEST_F(LdapListenerTest, AnEmptyPasswordIsRefusedUnasked) {
  int fd = connectTo(port_);
  EXPECT_EQ(answerTo(fd, ldapBindRequest(1, "uid=alice,ou=db-A", "")), ldapBindResponse(1, kLdapInvalidCredentials));
  ::close(fd);
  EXPECT_EQ(asked_.load(), 0);
}

TEST_F(LdapListenerTest, GarbageOversizeAndOtherOperationsCloseTheConnection) {
  for (const std::string& request :
       {std::string("GET / HTTP/1.1\r\n\r\n"), std::string("\x30\x84\x00\x10\x00\x00", 6),
        std::string("\x30\x05\x02\x01\x02\x63\x00", 7)}) {
    int fd = connectTo(port_);
    EXPECT_EQ(answerTo(fd, request), "");
    ::close(fd);
  }
  // A message larger than 16 KiB, sent whole, is not read to its end.
  int fd = connectTo(port_);
  EXPECT_EQ(answerTo(fd, ldapBindRequest(1, "uid=alice,ou=db-A", std::string(20000, 'x'))), "");
  ::close(fd);
  EXPECT_EQ(asked_.load(), 0);
}

TEST_F(LdapListenerTest, ConnectionsBeyondTheCapAreClosedAtOnce) {
  std::vector<int> held;
  for (int i = 0; i < 32; ++i) held.push_back(connectTo(port_));
  // The 33rd is closed unanswered, without waiting for the others' deadlines.
  auto started = std::chrono::steady_clock::now();
  int extra = connectTo(port_);
  EXPECT_EQ(answerTo(extra, ldapBindRequest(1, "uid=alice,ou=db-A", "good-token")), "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ::close(extra);
  for (int fd : held) ::close(fd);
  EXPECT_EQ(asked_.load(), 0);
}

TEST_F(LdapListenerTest, StopEndsTheConnectionsBeingServed) {
  int idle = connectTo(port_);
  // Served once it has answered a bind; then idle, inside its deadline.
  EXPECT_EQ(answerTo(idle, ldapBindRequest(1, "uid=alice,ou=db-A", "good-token")), ldapBindResponse(1, kLdapSuccess));
  auto started = std::chrono::steady_clock::now();
  listener_.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  char byte;
  EXPECT_LE(::recv(idle, &byte, 1, 0), 0);
  ::close(idle);
}

}  // namespace
}  // namespace kura::dbauth
