#pragma once
// Memcached Auto Discovery, as ElastiCache has it: every node of a Memcached
// cluster (the configuration endpoint among them) answers
// `config get cluster` with the cluster's node list and a version that grows
// at every change of it:
//
//   CONFIG cluster 0 <length>\r\n<version>\n<host>|<ip>|<port> ...\n\r\nEND\r\n
//
// memcached has no such command: each node's connections pass through a
// filter on their way from Kura's endpoint proxy to the node's memcached.
// The filter follows the text protocol (a storage command's data block is
// passed on unread), sends `mn` (meta no-op) in place of each
// `config get cluster`, and puts the answer where memcached's `MN` comes
// back, so that a pipelining client's answers stay in order. Every other
// command reaches memcached as the client sent it; a binary-protocol client
// is passed through untouched (no discovery). Nodes with in-transit
// encryption are not filtered (their bytes are TLS).
//
// The version is the cluster's state.ConfigVersion (1 at creation), which
// the controller raises when nodes are added or removed.
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/records.h"

namespace kura::cache {

// The answer to `config get cluster` for a Memcached cluster's record.
std::string memcachedClusterConfig(const Resource& cluster);
// Raises the cluster's ConfigVersion (its node list changed).
void raiseMemcachedConfigVersion(Resource& cluster);

// One connection's two byte streams, filtered (used on one thread).
class DiscoveryStream {
 public:
  explicit DiscoveryStream(std::function<std::string()> answer) : answer_(std::move(answer)) {}
  // The client's bytes: what goes on to memcached.
  std::string fromClient(std::string_view bytes);
  // memcached's bytes: what goes on to the client.
  std::string fromServer(std::string_view bytes);

 private:
  struct Direction {
    std::string line;     // a line not yet complete
    size_t dataLeft = 0;  // bytes of a data block still to pass on
    bool raw = false;     // no longer followed: everything passes
  };
  // Feeds bytes through `direction`; `onLine` handles each whole line.
  std::string feed(Direction& direction, std::string_view bytes,
                   const std::function<void(const std::string& line, std::string& out, size_t& dataLeft)>& onLine);
  void clientLine(const std::string& line, std::string& out, size_t& dataLeft);
  void serverLine(const std::string& line, std::string& out, size_t& dataLeft);

  std::function<std::string()> answer_;
  Direction up_, down_;
  bool started_ = false;
  std::deque<bool> noOps_;  // for each `mn` sent, in order: whether it stands for `config get cluster`
};

// The filters of every Memcached node, one listener each on 127.0.0.1, on
// one thread of their own. Process-wide: the supervisor and the controller
// route the same endpoints, and a node's filter port must stay the same.
class MemcachedDiscovery {
 public:
  static MemcachedDiscovery& instance();
  // The port where node `name`'s filter listens (started the first time),
  // forwarding to `enginePort`; `config` is its answer from now on.
  // Throws when it cannot listen.
  unsigned short serve(const std::string& name, unsigned short enginePort, const std::string& config);
  // Stops the node's filter and closes its connections.
  void forget(const std::string& name);

 private:
  MemcachedDiscovery();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kura::cache
