#include "drill/redis_workload.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kura::drill {
namespace {

using Clock = std::chrono::steady_clock;

// One RESP reply: a simple string, error, integer, bulk string or array of them.
struct Reply {
  char type = 0;  // '+', '-', ':', '$', '*'
  std::string text;
  std::vector<std::string> items;  // an array's bulk strings
};

class RedisWorkload final : public Workload {
 public:
  RedisWorkload(DatabaseTarget target, std::string key) : target_(std::move(target)), key_(std::move(key)) {}
  ~RedisWorkload() override { disconnect(); }

  std::string describe() const override {
    return fmt::format("Redis set {} at {}:{}, one SADD per write (RESP)", key_, target_.host, target_.port);
  }

  std::optional<std::string> prepare() override { return command({"DEL", key_}, std::chrono::seconds(10), nullptr); }

  std::optional<std::string> write(int64_t id, std::chrono::milliseconds timeout) override {
    return command({"SADD", key_, std::to_string(id)}, timeout, nullptr);
  }

  std::optional<std::set<int64_t>> readBack(std::string& error) override {
    disconnect();  // a new connection: the workload's may be to the old primary
    Reply reply;
    if (auto failed = command({"SMEMBERS", key_}, std::chrono::seconds(10), &reply)) {
      error = *failed;
      return std::nullopt;
    }
    std::set<int64_t> ids;
    for (const auto& item : reply.items) {
      try {
        ids.insert(std::stoll(item));
      } catch (const std::exception&) {
        error = "the set holds a member that is not a number: " + item.substr(0, 40);
        return std::nullopt;
      }
    }
    return ids;
  }

  std::optional<std::string> eraseAll() override { return command({"DEL", key_}, std::chrono::seconds(10), nullptr); }

  void cleanup() override { command({"DEL", key_}, std::chrono::seconds(10), nullptr); }

 private:
  void disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

  // Runs one command within `timeout` (connecting and signing in first when
  // needed); empty when the reply is not an error, else what went wrong.
  std::optional<std::string> command(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                                     Reply* out) {
    auto deadline = Clock::now() + timeout;
    if (fd_ < 0) {
      if (auto failed = connectTo(deadline)) return failed;
      if (!target_.password.empty()) {
        std::vector<std::string> auth = {"AUTH"};
        if (!target_.user.empty()) auth.push_back(target_.user);
        auth.push_back(target_.password);
        if (auto failed = roundTrip(auth, deadline, nullptr)) {
          disconnect();
          return "AUTH: " + *failed;
        }
      }
    }
    auto failed = roundTrip(args, deadline, out);
    if (failed) disconnect();
    return failed;
  }

  std::optional<std::string> roundTrip(const std::vector<std::string>& args, Clock::time_point deadline, Reply* out) {
    std::string request = fmt::format("*{}\r\n", args.size());
    for (const auto& arg : args) request += fmt::format("${}\r\n{}\r\n", arg.size(), arg);
    size_t sent = 0;
    while (sent < request.size()) {
      if (auto failed = waitFor(POLLOUT, deadline)) return failed;
      ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return std::string("send: ") + std::strerror(errno);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    Reply reply;
    if (auto failed = readReply(reply, deadline)) return failed;
    if (reply.type == '-') return "the server answered: " + reply.text;
    if (out != nullptr) *out = std::move(reply);
    return std::nullopt;
  }

  std::optional<std::string> readLine(std::string& line, Clock::time_point deadline) {
    while (true) {
      auto end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return std::nullopt;
      }
      if (auto failed = fill(deadline)) return failed;
    }
  }

  std::optional<std::string> readBulk(long long length, std::string& text, Clock::time_point deadline) {
    while (buffer_.size() < static_cast<size_t>(length) + 2) {
      if (auto failed = fill(deadline)) return failed;
    }
    text = buffer_.substr(0, static_cast<size_t>(length));
    buffer_.erase(0, static_cast<size_t>(length) + 2);
    return std::nullopt;
  }

  std::optional<std::string> readReply(Reply& reply, Clock::time_point deadline) {
    std::string line;
    if (auto failed = readLine(line, deadline)) return failed;
    if (line.empty()) return "an empty reply line";
    reply.type = line[0];
    reply.text = line.substr(1);
    if (reply.type == '+' || reply.type == '-' || reply.type == ':') return std::nullopt;
    long long count = 0;
    try {
      count = std::stoll(reply.text);
    } catch (const std::exception&) {
      return "a reply of an unknown shape: " + line.substr(0, 40);
    }
    if (reply.type == '$') return count < 0 ? std::nullopt : readBulk(count, reply.text, deadline);
    if (reply.type != '*') return "a reply of an unknown type: " + line.substr(0, 40);
    for (long long at = 0; at < count; ++at) {
      Reply item;
      if (auto failed = readReply(item, deadline)) return failed;
      reply.items.push_back(std::move(item.text));
    }
    return std::nullopt;
  }

  std::optional<std::string> fill(Clock::time_point deadline) {
    if (buffer_.size() > (64u << 20)) return "a reply larger than 64 MiB";
    if (auto failed = waitFor(POLLIN, deadline)) return failed;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0) return "the server closed the connection";
    if (n < 0) return errno == EAGAIN || errno == EINTR ? std::nullopt
                                                        : std::optional<std::string>(std::string("recv: ") +
                                                                                     std::strerror(errno));
    buffer_.append(chunk, static_cast<size_t>(n));
    return std::nullopt;
  }

  std::optional<std::string> waitFor(short events, Clock::time_point deadline) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return "timed out";
      pollfd watched{fd_, events, 0};
      int ready = ::poll(&watched, 1, static_cast<int>(left));
      if (ready > 0) return std::nullopt;
      if (ready < 0 && errno != EINTR) return std::string("poll: ") + std::strerror(errno);
    }
  }

  std::optional<std::string> connectTo(Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int code = ::getaddrinfo(target_.host.c_str(), std::to_string(target_.port).c_str(), &hints, &found)) {
      return std::string("cannot resolve ") + target_.host + ": " + gai_strerror(code);
    }
    std::string problem = "no address";
    for (addrinfo* at = found; at != nullptr && fd_ < 0; at = at->ai_next) {
      fd_ = ::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, at->ai_protocol);
      if (fd_ < 0) continue;
      if (::connect(fd_, at->ai_addr, at->ai_addrlen) == 0) break;
      if (errno == EINPROGRESS && !waitFor(POLLOUT, deadline)) {
        int error = 0;
        socklen_t size = sizeof error;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error == 0) break;
        problem = std::string("connect: ") + std::strerror(error);
      } else {
        problem = errno == EINPROGRESS ? "connect: timed out" : std::string("connect: ") + std::strerror(errno);
      }
      ::close(fd_);
      fd_ = -1;
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) return problem;
    return std::nullopt;
  }

  DatabaseTarget target_;
  std::string key_;
  int fd_ = -1;
  std::string buffer_;  // received, not yet parsed
};

}  // namespace

WorkloadPtr makeRedisWorkload(const DatabaseTarget& target, const std::string& key) {
  return std::make_unique<RedisWorkload>(target, key);
}

}  // namespace kura::drill
