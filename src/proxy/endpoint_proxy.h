#pragma once
// The client-facing ports of Multi-AZ instances: Kura owns each endpoint
// port and forwards every TCP connection to the instance's current primary
// (a port on 127.0.0.1). A failover re-points the endpoint and closes the
// connections to the old primary, so no client keeps talking to it.
// One Asio thread accepts on every endpoint; the connections' bytes are
// copied by one worker thread per core. A guard, when set, decides for
// each connection whether it may pass (security groups): one it refuses is
// reset at once and never reaches the engine.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kura {

// Where a connection comes from, as the proxy saw it.
struct PeerAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first four
};
// Whether a connection from `source` to the endpoint `name` (listening on
// `port`) may pass. Asked for every new connection, on the proxy's thread,
// without the proxy's lock held.
using EndpointGuard = std::function<bool(const std::string& name, const PeerAddress& source, unsigned short port)>;

class EndpointProxies {
 public:
  explicit EndpointProxies(std::string listenAddress = "127.0.0.1");
  ~EndpointProxies();
  // Set before start(): from then on every connection is asked about.
  void setGuard(EndpointGuard guard);
  // Whether the client of the connection the proxy made to an engine from
  // `backendLocalPort` asked for TLS in its first packet (MySQL protocol:
  // an SSLRequest). False for a port no open connection has.
  bool clientAskedForTls(unsigned short backendLocalPort) const;
  // The client's address ("203.0.113.7") of that connection; empty for a
  // port no open connection has (IAM database authentication's aws:SourceIp).
  std::string clientAddress(unsigned short backendLocalPort) const;
  void start();
  void stop();
  // Listens on `port` (if not yet) and sends new connections to `backend`;
  // connections to another backend are closed. Throws if the port is taken.
  void route(const std::string& name, unsigned short port, unsigned short backend);
  // Several backends (a reader endpoint): new connections go to each in
  // turn; connections to a backend no longer listed are closed.
  void route(const std::string& name, unsigned short port, std::vector<unsigned short> backends);
  // The same on another listen address than the default one.
  void route(const std::string& name, const std::string& address, unsigned short port,
             std::vector<unsigned short> backends);
  const std::string& listenAddress() const;
  // Stops listening on the endpoint and closes its connections.
  void remove(const std::string& name);
  // The same for every endpoint whose name starts with `prefix`.
  void removeStartingWith(const std::string& prefix);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kura
