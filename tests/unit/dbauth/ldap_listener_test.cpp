#include "dbauth/ldap_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
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
      : listener_([this](const std::string& name, const std::string& password, unsigned short) {
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

// Whether the peer closed the connection within `wait` (recv gives 0).
bool closedWithin(int fd, std::chrono::milliseconds wait) {
  timeval timeout{static_cast<time_t>(wait.count() / 1000), static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  char byte;
  return ::recv(fd, &byte, 1, 0) == 0;
}

TEST_F(LdapListenerTest, IdleConnectionsCannotLockTheLoginsOut) {
  // One source holding every slot it may, idle: a login still gets in, at
  // once, and the oldest idle connection makes room for it.
  std::vector<int> held;
  for (int i = 0; i < 24; ++i) held.push_back(connectTo(port_));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto started = std::chrono::steady_clock::now();
  int login = connectTo(port_);
  EXPECT_EQ(answerTo(login, ldapBindRequest(1, "uid=alice,ou=db-A", "good-token")), ldapBindResponse(1, kLdapSuccess));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  ::close(login);
  EXPECT_TRUE(closedWithin(held.front(), std::chrono::milliseconds(500)));  // the oldest went
  for (int fd : held) ::close(fd);
  EXPECT_EQ(asked_.load(), 1);
}

TEST_F(LdapListenerTest, OneSourceHoldsAtMostItsShare) {
  // 30 idle connections of one source: only the 24 newest stay.
  std::vector<int> held;
  for (int i = 0; i < 30; ++i) {
    held.push_back(connectTo(port_));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int closed = 0;
  for (int i = 0; i < 6; ++i) closed += closedWithin(held[i], std::chrono::milliseconds(500)) ? 1 : 0;
  EXPECT_EQ(closed, 6);
  EXPECT_FALSE(closedWithin(held.back(), std::chrono::milliseconds(100)));
  for (int fd : held) ::close(fd);
}

TEST_F(LdapListenerTest, ASilentConnectionIsEndedAfterTheHandshakeTime) {
  int fd = connectTo(port_);
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(closedWithin(fd, std::chrono::seconds(5)));
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, std::chrono::milliseconds(1500));
  EXPECT_LT(took, std::chrono::seconds(4));
  ::close(fd);
  // After an answer, the next message is due within the idle time too.
  fd = connectTo(port_);
  EXPECT_EQ(answerTo(fd, ldapBindRequest(1, "uid=alice,ou=db-A", "good-token")), ldapBindResponse(1, kLdapSuccess));
  EXPECT_TRUE(closedWithin(fd, std::chrono::seconds(5)));
  ::close(fd);
}

TEST(LdapListenerCheck, StopWaitsForACheckInFlight) {
  // A check that outlasts every deadline: stop() returns only once it has
  // ended, so nothing it reads is gone under it.
  std::atomic<bool> inCheck{false}, checkEnded{false};
  auto state = std::make_shared<int>(7);
  LdapListener listener([&](const std::string&, const std::string&, unsigned short) {
    inCheck = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    checkEnded = *state == 7;
    return true;
  }, LdapLimits{std::chrono::milliseconds(500), std::chrono::milliseconds(500), std::chrono::milliseconds(1000), 64, 24});
  auto started = listener.start({});
  ASSERT_TRUE(started.ok());
  int fd = connectTo(*started);
  std::string request = ldapBindRequest(1, "uid=alice,ou=db-A", "slow-token");
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  while (!inCheck) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  listener.stop();
  EXPECT_TRUE(checkEnded.load());
  ::close(fd);
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

namespace kura::dbauth {
namespace {

TEST(LoopbackPeerUid, NamesTheUserOwningThePeerSocket) {
  int server = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(server, 4), 0);
  socklen_t length = sizeof(address);
  ::getsockname(server, reinterpret_cast<sockaddr*>(&address), &length);
  unsigned short port = ntohs(address.sin_port);
  int client = connectTo(port);
  sockaddr_in local{};
  length = sizeof(local);
  ::getsockname(client, reinterpret_cast<sockaddr*>(&local), &length);
  EXPECT_EQ(loopbackPeerUid(ntohl(local.sin_addr.s_addr), ntohs(local.sin_port), port), static_cast<long>(::getuid()));
  EXPECT_EQ(loopbackPeerUid(ntohl(local.sin_addr.s_addr), static_cast<unsigned short>(ntohs(local.sin_port) + 1), port),
            -1);
  ::close(client);
  ::close(server);
}

}  // namespace
}  // namespace kura::dbauth
