#include "proxy/endpoint_proxy.h"

#include <utility>
#include <optional>

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include <fmt/ranges.h>
#include <set>

#include "common/descriptor_shortage.h"
#include "common/log_throttle.h"

namespace kura {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

}  // namespace

// Whether each client asked for TLS in its first packet, by the local port
// of the proxy's connection to the engine (which the engine sees as its
// peer's port): MariaDB's IAM authentication plugin asks so. A MySQL
// client's first packet is an SSLRequest or its handshake response; both
// carry its capability flags after the 4-byte header, CLIENT_SSL (0x800)
// among them, and one that asked for TLS cannot go on without it.
// Each entry names the session that noted it, which alone forgets it (a
// port freed by one connection may already be another's).
struct ClientTls {
  struct Note {
    const void* session;
    bool askedTls;
    std::string client;  // the client's address
  };
  std::mutex mutex;
  std::map<unsigned short, Note> byBackendPort;  // guarded by mutex
};

namespace {

// One client connection and its connection to the backend: bytes copied both
// ways until either side closes. Both sockets live on one worker's context
// and are touched only by its thread: other threads post to executor().
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket client, unsigned short backend, std::shared_ptr<ClientTls> tls)
      : client_(std::move(client)), server_(client_.get_executor()), backend_(backend), tls_(std::move(tls)) {}
  ~Session() { forgetTls(); }
  tcp::socket::executor_type executor() { return client_.get_executor(); }

  void start() {
    auto self = shared_from_this();
    server_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), backend_),
                          [self](const boost::system::error_code& error) {
                            if (error) return self->close();
                            // Small requests and answers go at once both ways
                            // (Nagle's wait would hold each behind the last one's ACK).
                            boost::system::error_code ignored;
                            self->server_.set_option(tcp::no_delay(true), ignored);
                            auto local = self->server_.local_endpoint(ignored);
                            if (!ignored) self->localPort_ = local.port();
                            self->pump(self->client_, self->server_, self->up_);
                            self->pump(self->server_, self->client_, self->down_);
                          });
  }
  void close() {
    boost::system::error_code ignored;
    client_.close(ignored);
    server_.close(ignored);
    forgetTls();
  }
  unsigned short backend() const { return backend_; }

 private:
  void pump(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer) {
    auto self = shared_from_this();
    from.async_read_some(asio::buffer(buffer), [self, &from, &to, &buffer](const boost::system::error_code& error,
                                                                           size_t bytes) {
      if (error) return self->close();
      if (&from == &self->client_ && !self->tlsNoted_) self->noteTls(buffer.data(), bytes);
      asio::async_write(to, asio::buffer(buffer.data(), bytes),
                        [self, &from, &to, &buffer](const boost::system::error_code& writeError, size_t) {
                          if (writeError) return self->close();
                          self->pump(from, to, buffer);
                        });
    });
  }

  void noteTls(const char* bytes, size_t size) {
    tlsNoted_ = true;
    if (localPort_ == 0) return;
    bool asked = size >= 8 && (static_cast<unsigned char>(bytes[5]) & 0x08) != 0;
    boost::system::error_code ignored;
    auto remote = client_.remote_endpoint(ignored);
    std::string address;
    if (!ignored) {
      auto ip = remote.address();
      address = ip.is_v6() && ip.to_v6().is_v4_mapped()
                    ? asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6()).to_string()
                    : ip.to_string();
    }
    std::lock_guard lock(tls_->mutex);
    tls_->byBackendPort[localPort_] = {this, asked, std::move(address)};
  }
  void forgetTls() {
    if (!tlsNoted_ || localPort_ == 0) return;
    std::lock_guard lock(tls_->mutex);
    auto found = tls_->byBackendPort.find(localPort_);
    if (found != tls_->byBackendPort.end() && found->second.session == this) tls_->byBackendPort.erase(found);
    localPort_ = 0;
  }

  tcp::socket client_, server_;
  unsigned short backend_;
  std::shared_ptr<ClientTls> tls_;
  unsigned short localPort_ = 0;  // of server_, once connected
  bool tlsNoted_ = false;
  std::array<char, 16384> up_{}, down_{};
};

struct Endpoint {
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<unsigned short> backends;  // never empty
  size_t next = 0;                       // the backend of the next connection
  std::vector<std::weak_ptr<Session>> sessions;

  unsigned short pick() { return backends[next++ % backends.size()]; }
};

}  // namespace

struct EndpointProxies::Impl {
  std::string address;
  // Accepting, routing and the guard on one thread (io); the bytes of the
  // sessions on workers, one context and thread each, a session on one of
  // them for its whole life (so that copying scales with the cores).
  // Declared before io, so destroyed after it: an accept still pending on io
  // holds the socket it was to fill, which belongs to a worker.
  std::vector<std::unique_ptr<asio::io_context>> workers;
  asio::io_context io;
  size_t nextWorker = 0;  // used on the io thread
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex mutex;  // guards endpoints (changed from other threads, used on the io thread)
  std::map<std::string, Endpoint> endpoints;
  LogThrottle acceptFailures{std::chrono::seconds(10)};  // used on the io thread
  LogThrottle refusals{std::chrono::seconds(10)};        // used on the io thread
  EndpointGuard guard;                                    // set before the io thread starts
  std::shared_ptr<ClientTls> clientTls = std::make_shared<ClientTls>();

  // Whether the guard lets the accepted connection pass; one it refuses (or
  // whose source cannot be told) is reset at once. A guard that throws
  // refuses: the groups could not be read.
  bool admitted(const std::string& name, tcp::socket& socket) {
    boost::system::error_code error;
    auto remote = socket.remote_endpoint(error);
    unsigned short port = error ? 0 : socket.local_endpoint(error).port();
    bool pass = false;
    std::string why = "refused by the endpoint's security groups";
    if (error) {
      why = "source unknown: " + error.message();
    } else {
      try {
        pass = guard(name, peerOf(remote.address()), port);
      } catch (const std::exception& failure) {
        why = std::string("security groups unreadable: ") + failure.what();
      }
    }
    if (pass) return true;
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    uint64_t unlogged = 0;
    if (refusals.allow(unlogged)) {
      spdlog::info("msg=\"endpoint connection refused\" endpoint={} port={} source={} reason=\"{}\" refusals_not_logged={}",
                   name, port, error ? std::string("?") : remote.address().to_string(), why, unlogged);
    }
    return false;
  }

  static PeerAddress peerOf(const asio::ip::address& address) {
    PeerAddress peer;
    if (address.is_v6() && !address.to_v6().is_v4_mapped()) {
      peer.v6 = true;
      peer.bytes = address.to_v6().to_bytes();
      return peer;
    }
    auto v4 = address.is_v4() ? address.to_v4() : asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    auto bytes = v4.to_bytes();
    std::copy(bytes.begin(), bytes.end(), peer.bytes.begin());
    return peer;
  }

  void accept(const std::string& name) {
    auto it = endpoints.find(name);
    if (it == endpoints.end() || !it->second.acceptor->is_open()) return;
    // The connection lands on the next worker's context.
    asio::io_context& worker = *workers[nextWorker++ % workers.size()];
    it->second.acceptor->async_accept(worker, [this, name](const boost::system::error_code& error,
                                                           tcp::socket socket) {
      if (!error && guard && !admitted(name, socket)) {
        std::lock_guard lock(mutex);
        if (endpoints.contains(name)) accept(name);
        return;
      }
      std::unique_lock lock(mutex);
      auto found = endpoints.find(name);
      if (found == endpoints.end() || error == asio::error::operation_aborted) return;
      if (!error) {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(std::move(socket), found->second.pick(), clientTls);
        std::erase_if(found->second.sessions, [](const auto& s) { return s.expired(); });
        found->second.sessions.push_back(session);
        // Started on its worker, the only thread that touches its sockets
        // (the worker wakes once for it either way: to start, or for the
        // connection's completion).
        asio::post(session->executor(), [session] { session->start(); });
      } else {
        // Out of descriptors above all: accepting again at once would fail
        // again at once, spinning. Wait, and say so once per 10 s.
        if (isDescriptorShortage(error.value())) noteDescriptorError(error.value());
        uint64_t unlogged = 0;
        if (acceptFailures.allow(unlogged)) {
          spdlog::warn("msg=\"endpoint proxy: accept failed\" endpoint={} error=\"{}\" failures_not_logged={}", name,
                       error.message(), unlogged);
        }
        auto pause = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(100));
        pause->async_wait([this, name, pause](const boost::system::error_code&) {
          std::lock_guard relock(mutex);
          accept(name);
        });
        return;
      }
      accept(name);
    });
  }

  // Closes the connections to every backend but those in `keep` (each on
  // its worker's thread).
  static void closeSessions(Endpoint& endpoint, const std::vector<unsigned short>& keep) {
    for (auto& weak : endpoint.sessions) {
      auto session = weak.lock();
      if (session && std::find(keep.begin(), keep.end(), session->backend()) == keep.end()) {
        asio::post(session->executor(), [session] { session->close(); });
      }
    }
  }
};

EndpointProxies::EndpointProxies(std::string listenAddress) : impl_(std::make_unique<Impl>()) {
  impl_->address = std::move(listenAddress);
}

EndpointProxies::~EndpointProxies() { stop(); }

void EndpointProxies::setGuard(EndpointGuard guard) { impl_->guard = std::move(guard); }

bool EndpointProxies::clientAskedForTls(unsigned short backendLocalPort) const {
  std::lock_guard lock(impl_->clientTls->mutex);
  auto found = impl_->clientTls->byBackendPort.find(backendLocalPort);
  return found != impl_->clientTls->byBackendPort.end() && found->second.askedTls;
}

std::string EndpointProxies::clientAddress(unsigned short backendLocalPort) const {
  std::lock_guard lock(impl_->clientTls->mutex);
  auto found = impl_->clientTls->byBackendPort.find(backendLocalPort);
  return found == impl_->clientTls->byBackendPort.end() ? std::string() : found->second.client;
}

void EndpointProxies::start() {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < cores; ++i) {
    impl_->workers.push_back(std::make_unique<asio::io_context>(1));
    // Its reactor (an epoll descriptor) now, while descriptors are there to
    // be had: made lazily by the first connection, it could fail for want
    // of one, inside the accept, and end Kura.
    asio::steady_timer warm(*impl_->workers.back());
  }
  impl_->work.push_back(asio::make_work_guard(impl_->io));
  for (auto& worker : impl_->workers) impl_->work.push_back(asio::make_work_guard(*worker));
  impl_->threads.emplace_back([this] { impl_->io.run(); });
  for (auto& worker : impl_->workers) impl_->threads.emplace_back([&context = *worker] { context.run(); });
}

void EndpointProxies::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [name, endpoint] : impl_->endpoints) {
      boost::system::error_code ignored;
      endpoint.acceptor->close(ignored);
      Impl::closeSessions(endpoint, {});
    }
    impl_->endpoints.clear();
  }
  impl_->work.clear();
  impl_->io.stop();
  for (auto& worker : impl_->workers) worker->stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  impl_->threads.clear();
}

void EndpointProxies::route(const std::string& name, unsigned short port, unsigned short backend) {
  route(name, port, std::vector<unsigned short>{backend});
}

void EndpointProxies::route(const std::string& name, unsigned short port, std::vector<unsigned short> backends) {
  route(name, impl_->address, port, std::move(backends));
}

const std::string& EndpointProxies::listenAddress() const { return impl_->address; }

void EndpointProxies::route(const std::string& name, const std::string& address, unsigned short port,
                            std::vector<unsigned short> backends) {
  if (backends.empty()) throw std::invalid_argument("an endpoint needs a backend");
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->endpoints.find(name);
  if (it == impl_->endpoints.end()) {
    Endpoint endpoint;
    endpoint.acceptor = std::make_unique<tcp::acceptor>(impl_->io);
    tcp::endpoint at(asio::ip::make_address(address), port);
    endpoint.acceptor->open(at.protocol());
    endpoint.acceptor->set_option(tcp::acceptor::reuse_address(true));
    endpoint.acceptor->bind(at);  // throws when the port is taken
    endpoint.acceptor->listen();
    endpoint.backends = std::move(backends);
    impl_->endpoints.emplace(name, std::move(endpoint));
    asio::post(impl_->io, [this, name] {
      std::lock_guard inner(impl_->mutex);
      impl_->accept(name);
    });
    return;
  }
  if (it->second.backends != backends) {
    spdlog::info("msg=\"endpoint re-pointed\" endpoint={} port={} from={} to={}", name, port,
                 fmt::join(it->second.backends, ","), fmt::join(backends, ","));
    it->second.backends = backends;
    // Connections to an old primary end now: clients reconnect to the new one.
    asio::post(impl_->io, [this, name, backends] {
      std::lock_guard inner(impl_->mutex);
      if (auto found = impl_->endpoints.find(name); found != impl_->endpoints.end()) {
        Impl::closeSessions(found->second, backends);
      }
    });
  }
}

void EndpointProxies::remove(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->endpoints.find(name);
  if (it == impl_->endpoints.end()) return;
  boost::system::error_code ignored;
  it->second.acceptor->close(ignored);
  Impl::closeSessions(it->second, {});
  impl_->endpoints.erase(it);
}

void EndpointProxies::removeStartingWith(const std::string& prefix) {
  std::vector<std::string> names;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto it = impl_->endpoints.lower_bound(prefix);
         it != impl_->endpoints.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      names.push_back(it->first);
    }
  }
  for (const std::string& name : names) remove(name);
}

}  // namespace kura
