#include "dbauth/ldap_listener.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
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

LdapListener::LdapListener(Authenticate authenticate, LdapLimits limits)
    : authenticate_(std::move(authenticate)), limits_(limits) {}

LdapListener::~LdapListener() { stop(); }

long loopbackPeerUid(uint32_t peerAddress, unsigned short peerPort, unsigned short port) {
  // One exact lookup of the peer's socket by its four-tuple (sock_diag): a
  // read of /proc/net/tcp may miss a socket while others come and go.
  int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } query{};
  query.header.nlmsg_len = sizeof(query);
  query.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  query.header.nlmsg_flags = NLM_F_REQUEST;
  query.request.sdiag_family = AF_INET;
  query.request.sdiag_protocol = IPPROTO_TCP;
  query.request.idiag_states = ~0u;
  query.request.id.idiag_sport = htons(peerPort);
  query.request.id.idiag_dport = htons(port);
  query.request.id.idiag_src[0] = htonl(peerAddress);
  query.request.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
  query.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  query.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  long uid = -1;
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (::sendto(fd, &query, sizeof(query), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) ==
      static_cast<ssize_t>(sizeof(query))) {
    alignas(nlmsghdr) char answer[8192];
    ssize_t n = ::recv(fd, answer, sizeof(answer), 0);
    auto* header = reinterpret_cast<nlmsghdr*>(answer);
    if (n > 0 && NLMSG_OK(header, static_cast<unsigned>(n)) && header->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
        header->nlmsg_len >= NLMSG_LENGTH(sizeof(inet_diag_msg))) {
      uid = static_cast<long>(static_cast<const inet_diag_msg*>(NLMSG_DATA(header))->idiag_uid);
    }
  }
  ::close(fd);
  return uid;
}

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
  // waiting out their deadlines; a check in flight is waited for, however
  // long: its thread reads this listener and what the check reads, which
  // must outlive it.
  for (auto& [fd, connection] : open_) ::shutdown(fd, SHUT_RDWR);
  while (!idle_.wait_for(lock, std::chrono::seconds(10), [this] { return open_.empty(); })) {
    spdlog::warn("msg=\"IAM database authentication: waiting for checks in flight to end\" connections={}",
                 open_.size());
  }
}

bool LdapListener::makeRoom(const std::string& source) {
  int total = 0, ofSource = 0;
  for (const auto& [fd, connection] : open_) {
    if (connection.ended) continue;
    ++total;
    if (connection.source == source) ++ofSource;
  }
  bool sourceFull = ofSource >= limits_.maxPerSource;
  if (!sourceFull && total < limits_.maxConnections) return true;
  // The oldest waiting connection of the source when it is the one full,
  // else of any source.
  std::map<int, Connection>::iterator oldest = open_.end();
  for (auto it = open_.begin(); it != open_.end(); ++it) {
    const Connection& connection = it->second;
    if (connection.ended || connection.checking || (sourceFull && connection.source != source)) continue;
    if (oldest == open_.end() || connection.since < oldest->second.since) oldest = it;
  }
  if (oldest == open_.end()) return false;
  oldest->second.ended = true;
  ::shutdown(oldest->first, SHUT_RDWR);  // its thread ends and closes it
  return true;
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
    // Its source: the local user owning the peer's socket (an engine's, or
    // another's), else its address.
    long uid = loopbackPeerUid(ntohl(peer.sin_addr.s_addr), ntohs(peer.sin_port), port_);
    char address[INET_ADDRSTRLEN] = "";
    ::inet_ntop(AF_INET, &peer.sin_addr, address, sizeof(address));
    std::string source = uid >= 0 ? "uid:" + std::to_string(uid) : std::string("address:") + address;
    {
      std::lock_guard lock(mutex_);
      // Beside the connections ended to make room (still closing), never
      // more than twice the cap.
      if (static_cast<int>(open_.size()) >= 2 * limits_.maxConnections || !makeRoom(source)) {
        ::close(fd);
        continue;
      }
      open_[fd] = {source, Clock::now()};
    }
    auto finish = [this, fd] {
      std::lock_guard lock(mutex_);
      open_.erase(fd);
      ::close(fd);
      idle_.notify_all();
    };
    try {
      std::thread([this, fd, finish, peerPort = ntohs(peer.sin_port)] {
        serve(fd, peerPort);
        finish();
      }).detach();
    } catch (const std::system_error&) {
      finish();  // no thread to be had: the connection is refused, not Kura ended
    }
  }
}

void LdapListener::serve(int fd, unsigned short peerPort) {
  auto accepted = Clock::now();
  auto deadline = accepted + limits_.connection;
  // The next whole message is due by then: the first within the handshake
  // time, each next one within the idle time.
  auto due = std::min(deadline, accepted + limits_.handshake);
  std::string buffer;
  char chunk[4096];
  auto setChecking = [this, fd](bool checking) {
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(fd); it != open_.end()) it->second.checking = checking;
  };
  for (int answered = 0; answered < kMaxMessages;) {
    LdapMessage message;
    size_t consumed = 0;
    LdapRead read = readLdapMessage(buffer, kMaxMessage, message, consumed);
    if (read == LdapRead::Invalid) return;
    if (read == LdapRead::NeedMore) {
      if (buffer.size() >= kMaxMessage) return;
      pollfd waiting{fd, POLLIN, 0};
      if (::poll(&waiting, 1, millisLeft(due)) <= 0) return;
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
    } else if (!message.password.empty()) {
      setChecking(true);
      bool allowed = authenticate_(message.name, message.password, peerPort);
      setChecking(false);
      if (allowed) result = kLdapSuccess;
    }
    // The password (the token) goes no further than this frame.
    std::fill(message.password.begin(), message.password.end(), '\0');
    if (!sendAll(fd, ldapBindResponse(message.messageId, result), deadline)) return;
    due = std::min(deadline, Clock::now() + limits_.idle);
  }
}

}  // namespace kura::dbauth
