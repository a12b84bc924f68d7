#pragma once
// The Redis engine behind ElastiCache cache clusters, with the installed
// redis-server (Debian's), run as the unprivileged `redis` user when Kura
// runs as root:
//  - files: <node>/data (dump.rdb, appendonlydir), the settings Kura writes
//    in <node>/redis.conf, <node>/redis.log and <node>/redis.pid; the server
//    daemonizes and the next Kura adopts it through its pid file;
//  - persistence: the append-only file, fsynced every second, so that a
//    restart of the node keeps what was written;
//  - backups: an RDB streamed from the running server (`redis-cli --rdb`:
//    the server forks a consistent image and keeps serving) and a manifest
//    of checksums that every restore checks first;
//  - restores: the RDB becomes the new node's dump.rdb; its first start loads
//    it with the append-only file off, then turns it on (Redis rewrites the
//    append-only file from memory);
//  - access: clients have ElastiCache's commands, Kura and the replicas
//    their own ACL users (redis_acl.h); Kura's password reaches redis-cli
//    through its environment, never its command line. The clients' users
//    (an AUTH token on `default`, or a user group's users) come with the
//    layout, their passwords as hashes only, written into redis.conf at
//    every start and set on the running server by applyClientUsers;
//  - in-transit encryption: a node with a CA serves TLS only (`port 0`,
//    `tls-port`), its certificate issued by Kura's CA, replicas following
//    their primary over TLS, clients not asked for certificates, as
//    ElastiCache. Kura's own redis-cli speaks TLS to it too, verifying the
//    node's certificate with the CA's bundle: one way in for everyone, no
//    second (Unix socket) listener whose path length and permissions would
//    depend on the data directory.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/api_error.h"
#include "common/certificate_authority.h"
#include "common/clock.h"
#include "common/confined_file.h"
#include "engines/engine_process.h"
#include "engines/own_connections.h"
#include "engines/redis_acl.h"

namespace kura::engines {

struct RedisLayout {
  std::filesystem::path dir;  // the node's own directory
  // The endpoint's address (its certificate names it). The node listens on
  // 127.0.0.1 only, where Kura's proxy reaches it: the proxy's port is the
  // endpoint, where the security groups admit clients.
  std::string address = "127.0.0.1";
  // A node recorded before Kura proxied every node (no EnginePort): its
  // endpoint is the engine's own port, and it listens on `address` too.
  bool exposed = false;
  int port = 0;
  // A replica: the port of its primary on 127.0.0.1 (0: it is a primary).
  int replicaOf = 0;
  // In-transit encryption: the CA that issues the node's certificate (null:
  // plaintext).
  const CertificateAuthority* tls = nullptr;
  // The clients' ACL users (redisClientUserRule lines); empty: the default
  // user, without password.
  std::vector<std::string> clientUsers;
  // The cache parameters' directives (name, value), validated by the
  // caller: in redis.conf at every start, after Kura's own.
  std::vector<std::pair<std::string, std::string>> settings;
  // Cluster mode enabled (redis_cluster_node.h): the node's cluster
  // directives; empty for a node without cluster mode. Its role is then the
  // cluster's (replicaOf stays 0).
  std::string clusterSettings;
  // The most address space the node's process may map (0: no bound), from
  // its node type: Redis's maxmemory leaves out what a Lua script allocates.
  uint64_t memoryBound = 0;
  // Cluster mode: the port of the node's cluster bus (0: none).
  int busPort = 0;
};

struct RedisBackup {
  SystemTime time{};  // the image is consistent as of this time
  uint64_t bytes = 0;
};

// The addresses a node's redis.conf binds: 127.0.0.1, and its endpoint's
// address only when it is exposed.
std::string redisBindAddresses(const RedisLayout& layout);

class RedisEngine {
 public:
  // `dataDir`: Kura's data directory (see prepareEngineDir); the ACL users'
  // key is kept in its keys/.
  RedisEngine(EngineUser user, std::filesystem::path dataDir);

  // The installed server's version ("7.0.15"); empty when there is none.
  static std::string installedVersion();

  // Starts the node's server on its files (made empty if there are none), or
  // adopts the one running; returns once it answers. True: a server was
  // started; false: one running was adopted (no restart to report).
  Result<bool> start(const RedisLayout& layout);
  Result<bool> stop(const RedisLayout& layout);
  bool running(const RedisLayout& layout) const;
  // Answers PING (as Kura's own user, with no process spawned: a probe of
  // every pass).
  bool healthy(const RedisLayout& layout) const;
  Result<RedisBackup> backup(const RedisLayout& layout, const std::filesystem::path& target);
  // The node's files from a backup (checksums verified first); the server
  // must not run.
  Result<bool> restore(const std::filesystem::path& backup, const RedisLayout& layout);
  // Sets the layout's client users on the running server and removes any
  // other client user it has (Kura's own stay); clients of a removed user
  // are disconnected by Redis.
  Result<bool> applyClientUsers(const RedisLayout& layout);
  // Sets directives on the running server at once (CONFIG SET, as Kura's
  // own user: clients may not run CONFIG).
  // Moves a running node's address-space bound to layout.memoryBound.
  Result<bool> applyMemoryBound(const RedisLayout& layout);
  Result<bool> applySettings(const RedisLayout& layout, const std::vector<std::pair<std::string, std::string>>& settings);
  // Removes the node's files (the server must be stopped).
  Result<bool> destroy(const RedisLayout& layout);

  // Replication groups. Makes the running server a replica of
  // layout.replicaOf, or a primary when it is 0 (promotion keeps its data).
  Result<bool> setRole(const RedisLayout& layout);
  // Kills the server at once (a hung one too), so it can never answer again.
  Result<bool> fence(const RedisLayout& layout);
  // How far the server's replication stream has come (master_repl_offset for
  // a primary, the offset it has processed for a replica); empty if it does
  // not answer.
  std::optional<long long> replicationOffset(const RedisLayout& layout) const;
  // A replica whose link to its primary is up.
  bool replicaLinked(const RedisLayout& layout) const;
  // Holds (or releases) client writes on a primary, for a planned failover.
  Result<bool> pauseWrites(const RedisLayout& layout, std::chrono::milliseconds limit);
  Result<bool> unpauseWrites(const RedisLayout& layout);
  // Any command as Kura's own user (cluster mode's CLUSTER commands, and
  // redis-cli's --cluster tools); its output trimmed. `passwordOnStdin`:
  // Kura's password is redis-cli's input too (--cluster-from-askpass: an
  // import from another of Kura's nodes), never its command line.
  ProcessResult admin(const RedisLayout& layout, const std::vector<std::string>& args,
                      std::chrono::seconds timeout = std::chrono::seconds(10), bool passwordOnStdin = false) const;
  // The server's INFO (its default sections), read as Kura's own user over
  // one connection with no process spawned (AUTH, INFO, QUIT); empty when
  // it does not answer within two seconds. `ownOpen`: how many of Kura's
  // connections to it were open meanwhile, this one included.
  std::optional<std::string> info(const RedisLayout& layout, uint64_t* ownOpen = nullptr) const;
  // How many connections Kura has opened to this port (own_connections.h).
  uint64_t ownConnections(int port) const { return own_.opened(port); }

 private:
  Result<bool> prepareDir(const std::filesystem::path& dir) const;
  // Who the files Kura writes for the node belong to (none: Kura's own user).
  std::optional<FileOwner> owner() const;
  // redis-cli against the node, as Kura's own user (Unix and ACL); its
  // output trimmed.
  ProcessResult command(const RedisLayout& layout, const std::vector<std::string>& args,
                        std::chrono::seconds timeout = std::chrono::seconds(10)) const;
  ProcessResult signedIn(const RedisLayout& layout, const std::vector<std::string>& args,
                         std::chrono::seconds timeout, const std::string& input = "") const;
  // AUTH as Kura's own user, `args`, QUIT, over one connection (TLS when the
  // node serves it) with no process spawned: the reply to `args`, or
  // nullopt when none came within `timeout` (at most `maxAnswer` bytes are
  // read). `refused`: set when the server would not take Kura's AUTH (a
  // server started by an earlier Kura has no users yet: command() gives it
  // them). `ownOpen`: as info()'s.
  struct Exchanged {
    char type = 0;     // the reply's (resp_reply.h)
    std::string text;  // its line, or its bulk string
  };
  std::optional<Exchanged> exchange(const RedisLayout& layout, const std::vector<std::string>& args, size_t maxAnswer,
                                    std::chrono::milliseconds timeout, bool* refused = nullptr,
                                    uint64_t* ownOpen = nullptr) const;
  // INFO replication through exchange(), or command() when AUTH was refused.
  std::optional<std::string> replicationInfo(const RedisLayout& layout) const;
  // How redis-cli reaches the node: address, port, and TLS when it serves it.
  std::vector<std::string> reach(const RedisLayout& layout) const;
  // The node's TLS settings for redis.conf (its certificate written first);
  // empty without TLS.
  Result<std::string> tlsSettings(const RedisLayout& layout) const;
  // Gives a server started by an earlier Kura (no ACL users yet) the users
  // it now starts with.
  bool addUsers(const RedisLayout& layout) const;
  int pidOf(const RedisLayout& layout) const;

  EngineUser user_;
  std::filesystem::path dataDir_;
  std::optional<RedisCredentials> credentials_;  // none: Kura cannot keep its key
  std::string credentialsError_;
  mutable OwnConnections own_;
};

}  // namespace kura::engines
