#pragma once
// How many connections Kura itself has opened to each engine port and the
// server accepted (its probes, redis-cli runs, metric reads), so that a
// node's NewConnections counts the clients' connections, not Kura's: since
// the server on the port was launched, as its own counters. One counter a
// port: bounded by the engine port range.
#include <cstdint>
#include <map>
#include <mutex>

namespace kura::engines {

class OwnConnections {
 public:
  void note(int port) {
    std::lock_guard lock(mutex_);
    ++opened_[port];
  }
  // A server Kura launches on the port counts from 0 (as its own counters do).
  void reset(int port) {
    std::lock_guard lock(mutex_);
    opened_[port] = 0;
  }
  uint64_t opened(int port) const {
    std::lock_guard lock(mutex_);
    auto found = opened_.find(port);
    return found == opened_.end() ? 0 : found->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<int, uint64_t> opened_;
};

}  // namespace kura::engines
