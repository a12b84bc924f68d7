#pragma once
// Redis replication groups (cluster mode disabled): one primary and up to
// five replicas, each a member cache cluster with its own node (folder and
// internal port), the replicas streaming from the primary. Kura owns the
// group's two endpoint ports: the primary endpoint forwards to the current
// primary, the reader endpoint to a replica (the primary when there is
// none). Replication is asynchronous, as in ElastiCache.
//
// A failover fences the old primary (killed, unless planned), promotes the
// replica that has come furthest, re-points the endpoints and the other
// replicas; the old primary comes back as a replica. A planned failover
// (TestFailover) holds writes on the primary until the chosen replica has
// every one of them, so it loses none.
#include <string>
#include <vector>

#include "cache/cache_paths.h"
#include "catalog/records.h"
#include "common/api_error.h"
#include "engines/redis_engine.h"
#include "proxy/endpoint_proxy.h"

namespace kura::cache {

class ReplicationGroups {
 public:
  ReplicationGroups(engines::RedisEngine& engine, const CachePaths& paths, EndpointProxies* proxies)
      : engine_(engine), paths_(paths), proxies_(proxies) {}

  static std::vector<std::string> members(const Resource& group);
  static std::string primary(const Resource& group);

  // Starts every member that is not running (the primary first), each in
  // its role.
  Result<bool> startAll(const Resource& group);
  Result<bool> stopAll(const Resource& group);
  // The endpoints forward to the current primary and to a replica.
  Result<bool> route(const Resource& group);
  // Promotes a replica (`target`, or the one furthest along) and records it
  // as the group's primary; the caller persists the record. Planned: no
  // acknowledged write is lost; otherwise the old primary is killed first.
  Result<std::string> failOver(Resource& group, bool planned, const std::string& target = "");
  void forget(const Resource& group);

 private:
  engines::RedisEngine& engine_;
  const CachePaths& paths_;
  EndpointProxies* proxies_;
};

}  // namespace kura::cache
