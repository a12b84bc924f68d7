#pragma once
// The client-facing ports of Multi-AZ instances: Kura owns each endpoint
// port and forwards every TCP connection to the instance's current primary
// (a port on 127.0.0.1). A failover re-points the endpoint and closes the
// connections to the old primary, so no client keeps talking to it.
// One Asio thread serves every endpoint.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace kura {

class EndpointProxies {
 public:
  explicit EndpointProxies(std::string listenAddress = "127.0.0.1");
  ~EndpointProxies();
  void start();
  void stop();
  // Listens on `port` (if not yet) and sends new connections to `backend`;
  // connections to another backend are closed. Throws if the port is taken.
  void route(const std::string& name, unsigned short port, unsigned short backend);
  // Stops listening on the endpoint and closes its connections.
  void remove(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kura
