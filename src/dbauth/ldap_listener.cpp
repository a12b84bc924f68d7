#include "dbauth/ldap_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "dbauth/ldap_bind.h"

namespace kura::dbauth {
namespace {

constexpr size_t kMaxMessage = 16 * 1024;
constexpr int kMaxMessages = 4;
constexpr int kMaxConnections = 32;
constexpr auto kConnectionDeadline = std::chrono::seconds(10);

using Clock = std::chrono::steady_clock;

int millisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

bool sendAll(int fd, const std::string& bytes, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd waiting{fd, POLLOUT, 0};
    if (::poll(&waiting, 1, millisLeft(deadline)) <= 0) return false;
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

LdapListener::LdapListener(Authenticate authenticate) : authenticate_(std::move(authenticate)) {}

LdapListener::~LdapListener() { stop(); }

Result<unsigned short> LdapListener::start(const std::vector<unsigned short>& ports) {
  std::vector<unsigned short> candidates = ports;
  candidates.push_back(0);
  for (unsigned short candidate : candidates) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return ApiError::internal(std::string("cannot open a socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(candidate);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || ::listen(fd, 64) != 0) {
      ::close(fd);
      continue;
    }
    socklen_t length = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    listenFd_ = fd;
    port_ = ntohs(address.sin_port);
    stopping_ = false;
    acceptor_ = std::thread([this] { acceptLoop(); });
    return port_;
  }
  return ApiError::internal("cannot listen on 127.0.0.1 for IAM database authentication");
}

void LdapListener::stop() {
  if (listenFd_ < 0) return;
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listenFd_);
  listenFd_ = -1;
  std::unique_lock lock(mutex_);
  // Wakes the connections being served (their reads end), rather than
  // waiting out their deadlines.
  for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
  idle_.wait_for(lock, kConnectionDeadline + std::chrono::seconds(1), [this] { return active_ == 0; });
}

void LdapListener::acceptLoop() {
  while (!stopping_) {
    pollfd waiting{listenFd_, POLLIN, 0};
    if (::poll(&waiting, 1, 200) <= 0) continue;
    sockaddr_in peer{};
    socklen_t length = sizeof(peer);
    int fd = ::accept4(listenFd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors or memory above all: the pending connection
      // stays, so accepting again at once would fail again at once,
      // spinning. Wait a little first.
      if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    // Loopback only (the socket listens on 127.0.0.1: this is belt and braces).
    if (peer.sin_family != AF_INET || (ntohl(peer.sin_addr.s_addr) >> 24) != 127) {
      ::close(fd);
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      if (active_ >= kMaxConnections) {
        ::close(fd);
        continue;
      }
      ++active_;
      open_.insert(fd);
    }
    auto finish = [this, fd] {
      std::lock_guard lock(mutex_);
      open_.erase(fd);
      ::close(fd);
      --active_;
      idle_.notify_all();
    };
    try {
      std::thread([this, fd, finish] {
        serve(fd);
        finish();
      }).detach();
    } catch (const std::system_error&) {
      finish();  // no thread to be had: the connection is refused, not Kura ended
    }
  }
}

void LdapListener::serve(int fd) {
  auto deadline = Clock::now() + kConnectionDeadline;
  std::string buffer;
  char chunk[4096];
  for (int answered = 0; answered < kMaxMessages;) {
    LdapMessage message;
    size_t consumed = 0;
    LdapRead read = readLdapMessage(buffer, kMaxMessage, message, consumed);
    if (read == LdapRead::Invalid) return;
    if (read == LdapRead::NeedMore) {
      if (buffer.size() >= kMaxMessage) return;
      pollfd waiting{fd, POLLIN, 0};
      if (::poll(&waiting, 1, millisLeft(deadline)) <= 0) return;
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
      continue;
    }
    buffer.erase(0, consumed);
    ++answered;
    if (message.kind == LdapMessage::Kind::Unbind) return;
    if (message.kind != LdapMessage::Kind::Bind) return;  // nothing but binds is served
    int result = kLdapInvalidCredentials;
    if (message.version != 3 || !message.simple) {
      result = kLdapProtocolError;
    } else if (!message.password.empty() && authenticate_(message.name, message.password)) {
      result = kLdapSuccess;
    }
    // The password (the token) goes no further than this frame.
    std::fill(message.password.begin(), message.password.end(), '\0');
    if (!sendAll(fd, ldapBindResponse(message.messageId, result), deadline)) return;
  }
}

}  // namespace kura::dbauth
