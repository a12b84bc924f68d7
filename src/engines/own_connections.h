#pragma once
// The connections Kura itself makes to each engine port (its probes,
// redis-cli runs, metric reads), so that a node's NewConnections and
// CurrConnections count the clients' connections, not Kura's: how many the
// server accepted since it was launched (as its own counters), and how many
// are open now. Two counters a port: bounded by the engine port range.
#include <cstdint>
#include <map>
#include <mutex>

namespace kura::engines {

class OwnConnections {
 public:
  // Around one connection: `accepted` when the server took it (one refused
  // at a server's start never reached it).
  void begin(int port) {
    std::lock_guard lock(mutex_);
    ++ports_[port].open;
  }
  void end(int port, bool accepted) {
    std::lock_guard lock(mutex_);
    Port& counts = ports_[port];
    if (counts.open > 0) --counts.open;
    if (accepted) ++counts.opened;
  }
  // A server Kura launches on the port counts from 0 (as its own counters do).
  void reset(int port) {
    std::lock_guard lock(mutex_);
    ports_[port].opened = 0;
  }
  uint64_t opened(int port) const {
    std::lock_guard lock(mutex_);
    auto found = ports_.find(port);
    return found == ports_.end() ? 0 : found->second.opened;
  }
  uint64_t open(int port) const {
    std::lock_guard lock(mutex_);
    auto found = ports_.find(port);
    return found == ports_.end() ? 0 : found->second.open;
  }

 private:
  struct Port {
    uint64_t opened = 0;
    uint64_t open = 0;
  };
  mutable std::mutex mutex_;
  std::map<int, Port> ports_;
};

}  // namespace kura::engines
