#pragma once
// The Memcached engine behind ElastiCache Memcached clusters, with the
// installed memcached (Debian's), run as the unprivileged `memcache` user
// when Kura runs as root. Each node is one daemonized memcached on its own
// port, adopted through its pid file by the next Kura. Memcached keeps
// nothing on disk: a node that restarts starts empty, as in ElastiCache.
// With in-transit encryption the node serves TLS only (memcached's own,
// -Z), as ElastiCache Memcached 1.6.12 and later do.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/certificate_authority.h"
#include "engines/engine_process.h"
#include "engines/own_connections.h"

namespace kura::engines {

struct MemcachedLayout {
  std::filesystem::path dir;  // the node's own directory (pid file, nothing else)
  // The endpoint's address (its certificate names it). The node listens on
  // 127.0.0.1, where Kura's proxy (and its Auto Discovery filter) reach it.
  std::string address = "127.0.0.1";
  // A node recorded before Kura proxied every node (no EnginePort): its
  // endpoint is memcached's own port, on `address`.
  bool exposed = false;
  int port = 0;
  int memoryMegabytes = 64;
  // The most address space the node's process may map (0: no bound).
  uint64_t memoryBound = 0;
  // In-transit encryption: TLS only, with a certificate this CA issues
  // (written into the node's directory at every start); null: plaintext.
  const CertificateAuthority* tls = nullptr;
  // The cache parameters' options ("-I", "2097152", "-o", "idle_timeout=5"),
  // validated by the caller; a running node takes new ones at its restart.
  std::vector<std::string> options;
};

// The address memcached listens on: 127.0.0.1, or its endpoint's address
// when it is exposed.
std::string memcachedListenAddress(const MemcachedLayout& layout);

class MemcachedEngine {
 public:
  MemcachedEngine(EngineUser user, std::filesystem::path dataDir);

  // The installed memcached's version ("1.6.18"); empty when there is none.
  static std::string installedVersion();

  // Starts the node (or adopts the one running); returns once it answers.
  Result<bool> start(const MemcachedLayout& layout);
  Result<bool> stop(const MemcachedLayout& layout);
  bool running(const MemcachedLayout& layout) const;
  // Answers `version`.
  bool healthy(const MemcachedLayout& layout) const;
  // The node's `stats` (STAT lines up to END), over one connection with no
  // process spawned; empty when it does not answer within two seconds.
  // `ownOpen`: how many of Kura's connections to it were open meanwhile,
  // this one included.
  std::optional<std::string> stats(const MemcachedLayout& layout, uint64_t* ownOpen = nullptr) const;
  // How many connections Kura has opened to this port (own_connections.h).
  uint64_t ownConnections(int port) const { return own_.opened(port); }

 private:
  int pidOf(const MemcachedLayout& layout) const;

  EngineUser user_;
  std::filesystem::path dataDir_;
  mutable OwnConnections own_;
};

}  // namespace kura::engines
