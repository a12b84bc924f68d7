#pragma once
// The zones of a Memcached cluster's nodes, as ElastiCache places them:
// AZMode single-az (the default) puts every node in the cluster's zone;
// cross-az spreads the new nodes over the subnet group's zones, each to
// the zone with the fewest of the cluster's nodes; PreferredAvailabilityZones
// (CreateCacheCluster) and NewAvailabilityZones (nodes a ModifyCacheCluster
// adds) name each new node's zone. A cluster whose nodes are in several
// zones shows PreferredAvailabilityZone "Multiple".
//
// Kura runs every node on this host: a zone is what the API reports (as
// for an RDS Multi-AZ pair), recorded per node in state.Nodes.<id>.AvailabilityZone.
#include <optional>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "common/api_error.h"

namespace kura::elasticache {

struct NewNodes {
  std::string azMode;              // single-az, cross-az, or "" (the cluster's, single-az when none)
  std::vector<std::string> named;  // a zone for each new node, or none
  int count = 0;                   // how many nodes are added
};

// The zones of the new nodes of a cluster whose zone is `clusterZone`,
// beside nodes kept in `existing`, in a subnet group whose zones are
// `subnetZones` (named `subnetGroup`); or ElastiCache's error.
Result<std::vector<std::string>> zonesOfNewNodes(const NewNodes& nodes, const std::vector<std::string>& existing,
                                                 const std::string& clusterZone,
                                                 const std::vector<std::string>& subnetZones,
                                                 const std::string& subnetGroup);

// A node's zone (the cluster's for a node recorded before zones were kept per node).
std::string memcachedNodeZone(const Resource& cluster, const std::string& node);
// The zones of the cluster's nodes, but for those in `leaving`.
std::vector<std::string> memcachedNodeZones(const Resource& cluster, const std::vector<std::string>& leaving = {});
// PreferredAvailabilityZone as DescribeCacheClusters shows it: "Multiple"
// when the nodes are in several zones.
std::string memcachedClusterZone(const Resource& cluster);

}  // namespace kura::elasticache
