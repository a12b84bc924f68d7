#include "cache/memcached_discovery.h"

#include <boost/asio.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace kura::cache {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A line longer than this is no command of the text protocol (memcached's
// own limit is 2048 bytes for a key line): the stream is then passed on
// without being followed.
constexpr size_t kLongestLine = 8192;

std::vector<std::string_view> wordsOf(std::string_view line) {
  std::vector<std::string_view> words;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  size_t at = 0;
  while (at < line.size()) {
    size_t end = line.find(' ', at);
    if (end == std::string_view::npos) end = line.size();
    if (end > at) words.push_back(line.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

// A data block's length (with its \r\n), or 0 when `word` is no length.
size_t blockOf(std::string_view word) {
  size_t length = 0;
  auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), length);
  if (error != std::errc() || end != word.data() + word.size() || length > (size_t{1} << 31)) return 0;
  return length + 2;
}

}  // namespace

std::string memcachedClusterConfig(const Resource& cluster) {
  std::string address = cluster.state.value("Address", "127.0.0.1");
  std::string nodes;
  if (cluster.state.contains("Nodes")) {
    for (const auto& [id, node] : cluster.state["Nodes"].items()) {
      nodes += fmt::format("{}{}|{}|{}", nodes.empty() ? "" : " ", address, address, node.value("Port", 0));
    }
  }
  std::string body = fmt::format("{}\n{}\n", cluster.state.value("ConfigVersion", 1), nodes);
  return fmt::format("CONFIG cluster 0 {}\r\n{}\r\nEND\r\n", body.size(), body);
}

void raiseMemcachedConfigVersion(Resource& cluster) {
  cluster.state["ConfigVersion"] = cluster.state.value("ConfigVersion", 1) + 1;
}

std::string DiscoveryStream::feed(
    Direction& direction, std::string_view bytes,
    const std::function<void(const std::string& line, std::string& out, size_t& dataLeft)>& onLine) {
  std::string out;
  while (!bytes.empty()) {
    if (direction.raw) {
      out.append(bytes);
      break;
    }
    if (direction.dataLeft > 0) {
      size_t passed = std::min(direction.dataLeft, bytes.size());
      out.append(bytes.substr(0, passed));
      direction.dataLeft -= passed;
      bytes.remove_prefix(passed);
      continue;
    }
    size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      direction.line.append(bytes);
      if (direction.line.size() > kLongestLine) {
        direction.raw = true;
        out += direction.line;
        direction.line.clear();
      }
      break;
    }
    direction.line.append(bytes.substr(0, newline + 1));
    bytes.remove_prefix(newline + 1);
    std::string line = std::move(direction.line);
    direction.line.clear();
    onLine(line, out, direction.dataLeft);
  }
  return out;
}

std::string DiscoveryStream::fromClient(std::string_view bytes) {
  if (!started_ && !bytes.empty()) {
    started_ = true;
    // The binary protocol's requests begin with 0x80: not followed.
    if (static_cast<unsigned char>(bytes[0]) == 0x80) up_.raw = down_.raw = true;
  }
  return feed(up_, bytes, [this](const std::string& line, std::string& out, size_t& dataLeft) {
    clientLine(line, out, dataLeft);
  });
}

std::string DiscoveryStream::fromServer(std::string_view bytes) {
  return feed(down_, bytes, [this](const std::string& line, std::string& out, size_t& dataLeft) {
    serverLine(line, out, dataLeft);
  });
}

void DiscoveryStream::clientLine(const std::string& line, std::string& out, size_t& dataLeft) {
  std::vector<std::string_view> words = wordsOf(line);
  std::string_view command = words.empty() ? std::string_view() : words[0];
  if (command == "config" && words.size() == 3 && words[1] == "get" && words[2] == "cluster") {
    out += "mn\r\n";
    noOps_.push_back(true);
    return;
  }
  out += line;
  if (command == "mn") {
    noOps_.push_back(false);
  } else if ((command == "set" || command == "add" || command == "replace" || command == "append" ||
              command == "prepend" || command == "cas") && words.size() >= 5) {
    dataLeft = blockOf(words[4]);
  } else if (command == "ms" && words.size() >= 3) {
    dataLeft = blockOf(words[2]);
  }
}

void DiscoveryStream::serverLine(const std::string& line, std::string& out, size_t& dataLeft) {
  std::vector<std::string_view> words = wordsOf(line);
  std::string_view reply = words.empty() ? std::string_view() : words[0];
  if (reply == "MN" && words.size() == 1 && !noOps_.empty()) {
    bool ours = noOps_.front();
    noOps_.pop_front();
    out += ours ? answer_() : line;
    return;
  }
  out += line;
  if (reply == "VALUE" && words.size() >= 4) {
    dataLeft = blockOf(words[3]);
  } else if (reply == "VA" && words.size() >= 2) {
    dataLeft = blockOf(words[1]);
  }
}

namespace {

// One client connection and its connection to the node's memcached.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket client, unsigned short enginePort, std::function<std::string()> answer)
      : client_(std::move(client)), server_(client_.get_executor()), enginePort_(enginePort),
        stream_(std::move(answer)) {}

  void start() {
    auto self = shared_from_this();
    server_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), enginePort_),
                          [self](const boost::system::error_code& error) {
                            if (error) return self->close();
                            boost::system::error_code ignored;
                            self->server_.set_option(tcp::no_delay(true), ignored);
                            self->pump(true);
                            self->pump(false);
                          });
  }
  void close() {
    boost::system::error_code ignored;
    client_.close(ignored);
    server_.close(ignored);
  }

 private:
  void pump(bool up) {
    auto self = shared_from_this();
    tcp::socket& from = up ? client_ : server_;
    auto& buffer = up ? upBuffer_ : downBuffer_;
    from.async_read_some(asio::buffer(buffer), [self, up, &buffer](const boost::system::error_code& error,
                                                                   size_t bytes) {
      if (error == asio::error::eof && up) {
        // The client is done sending: memcached is told so, and its
        // answers still reach the client until it closes.
        boost::system::error_code ignored;
        self->server_.shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      if (error) return self->close();
      std::string_view read(buffer.data(), bytes);
      auto out = std::make_shared<std::string>(up ? self->stream_.fromClient(read) : self->stream_.fromServer(read));
      if (out->empty()) return self->pump(up);
      tcp::socket& to = up ? self->server_ : self->client_;
      asio::async_write(to, asio::buffer(*out), [self, up, out](const boost::system::error_code& writeError, size_t) {
        if (writeError) return self->close();
        self->pump(up);
      });
    });
  }

  tcp::socket client_, server_;
  unsigned short enginePort_;
  DiscoveryStream stream_;
  std::array<char, 16384> upBuffer_{}, downBuffer_{};
};

struct NodeFilter {
  std::unique_ptr<tcp::acceptor> acceptor;
  unsigned short port = 0;
  unsigned short enginePort = 0;
  std::shared_ptr<std::string> config;  // replaced whole, read under the registry's lock
  std::vector<std::weak_ptr<Connection>> connections;
};

}  // namespace

struct MemcachedDiscovery::Impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread;
  std::mutex mutex;                          // guards filters
  std::map<std::string, NodeFilter> filters;

  std::string answerOf(const std::string& name) {
    std::lock_guard lock(mutex);
    auto found = filters.find(name);
    return found == filters.end() || !found->second.config ? std::string("END\r\n") : *found->second.config;
  }

  void accept(const std::string& name) {
    auto found = filters.find(name);
    if (found == filters.end() || !found->second.acceptor->is_open()) return;
    found->second.acceptor->async_accept([this, name](const boost::system::error_code& error, tcp::socket socket) {
      std::lock_guard lock(mutex);
      auto filter = filters.find(name);
      if (filter == filters.end() || error == asio::error::operation_aborted) return;
      if (!error) {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto connection = std::make_shared<Connection>(std::move(socket), filter->second.enginePort,
                                                       [this, name] { return answerOf(name); });
        std::erase_if(filter->second.connections, [](const auto& weak) { return weak.expired(); });
        filter->second.connections.push_back(connection);
        connection->start();
        accept(name);
        return;
      }
      // Out of descriptors, say: try again a little later, not at once.
      spdlog::warn("msg=\"memcached discovery filter: accept failed\" node={} error=\"{}\"", name, error.message());
      auto pause = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(100));
      pause->async_wait([this, name, pause](const boost::system::error_code&) {
        std::lock_guard relock(mutex);
        accept(name);
      });
    });
  }
};

MemcachedDiscovery::MemcachedDiscovery() : impl_(std::make_unique<Impl>()) {
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

MemcachedDiscovery& MemcachedDiscovery::instance() {
  // Never destroyed: its thread runs until the process ends.
  static MemcachedDiscovery* discovery = new MemcachedDiscovery();
  return *discovery;
}

unsigned short MemcachedDiscovery::serve(const std::string& name, unsigned short enginePort,
                                         const std::string& config) {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->filters.find(name);
  if (found != impl_->filters.end()) {
    if (*found->second.config != config) found->second.config = std::make_shared<std::string>(config);
    found->second.enginePort = enginePort;  // new connections go there
    return found->second.port;
  }
  NodeFilter filter;
  filter.acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  tcp::endpoint at(asio::ip::address_v4::loopback(), 0);
  filter.acceptor->open(at.protocol());
  filter.acceptor->bind(at);  // throws when it cannot
  filter.acceptor->listen();
  filter.port = filter.acceptor->local_endpoint().port();
  filter.enginePort = enginePort;
  filter.config = std::make_shared<std::string>(config);
  unsigned short port = filter.port;
  impl_->filters.emplace(name, std::move(filter));
  asio::post(impl_->io, [this, name] {
    std::lock_guard inner(impl_->mutex);
    impl_->accept(name);
  });
  return port;
}

void MemcachedDiscovery::forget(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->filters.find(name);
  if (found == impl_->filters.end()) return;
  auto acceptor = std::shared_ptr<tcp::acceptor>(std::move(found->second.acceptor));
  auto connections = std::move(found->second.connections);
  impl_->filters.erase(found);
  // Closed on the filters' thread, the only one that touches their sockets.
  asio::post(impl_->io, [acceptor, connections] {
    boost::system::error_code ignored;
    acceptor->close(ignored);
    for (const auto& weak : connections) {
      if (auto connection = weak.lock()) connection->close();
    }
  });
}

}  // namespace kura::cache
