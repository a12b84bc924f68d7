#pragma once
// What the cache supervisor does for a replication group with cluster mode
// enabled, once a second:
//  - a node group's primary that died, or did not answer twice in a row
//    (then it is killed), is replaced by its replica furthest along
//    (ClusterModeGroups::takeOver), with an event. Kura leaves the dead
//    node down until its node group has a primary again (or, without
//    replica, starts it at once), then starts it: it rejoins as a replica
//    of the new primary;
//  - the record follows the cluster: each node group's primary and slots
//    (sync), with an event per failover;
//  - every node's endpoint and internal link, and the configuration
//    endpoint on the running nodes, are routed (after a restart of Kura
//    too).
#include <chrono>
#include <map>

#include "cache/cluster_mode.h"
#include "catalog/catalog.h"

namespace kura::cache {

class ClusterModeWatch {
 public:
  ClusterModeWatch(Catalog& catalog, engines::RedisEngine& engine, const CachePaths& paths, EndpointProxies* proxies)
      : catalog_(catalog), engine_(engine), groups_(engine, paths, proxies) {}
  std::vector<engines::RedisLayout> layouts(const Resource& group) const;
  void watch(Resource& group);
  Result<bool> route(const Resource& group) { return groups_.route(group); }

 private:
  void addEvent(const Resource& group, const std::string& message, const std::string& category);

  Catalog& catalog_;
  engines::RedisEngine& engine_;
  ClusterModeGroups groups_;
  void failOverLostPrimaries(Resource& group);

  std::map<std::string, std::chrono::steady_clock::time_point> downSince_;  // "<arn>#<member>"
  std::map<std::string, int> unanswered_;  // "<arn>#<member>" -> health checks failed in a row
};

}  // namespace kura::cache
