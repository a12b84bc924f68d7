#include "services/elasticache/memcached_zones.h"

#include <algorithm>
#include <map>
#include <set>

#include "cache/memcached_nodes.h"

namespace kura::elasticache {

Result<std::vector<std::string>> zonesOfNewNodes(const NewNodes& nodes, const std::vector<std::string>& existing,
                                                 const std::string& clusterZone,
                                                 const std::vector<std::string>& subnetZones,
                                                 const std::string& subnetGroup) {
  if (!nodes.azMode.empty() && nodes.azMode != "single-az" && nodes.azMode != "cross-az") {
    return ApiError::sender("InvalidParameterValue",
                            "AZMode must be single-az or cross-az, not " + nodes.azMode.substr(0, 64) + ".");
  }
  if (nodes.azMode == "cross-az" && existing.size() + static_cast<size_t>(std::max(nodes.count, 0)) < 2) {
    return ApiError::sender("InvalidParameterValue",
                            "Must specify at least two cache nodes in order to specify AZ Mode of 'cross-az'.");
  }
  std::set<std::string> zonesNow(existing.begin(), existing.end());
  if (nodes.azMode == "single-az" && zonesNow.size() > 1) {
    return ApiError::sender("InvalidParameterCombination",
                            "AZMode single-az cannot be specified for a cluster whose nodes are in several "
                            "Availability Zones.");
  }
  if (!nodes.named.empty()) {
    if (nodes.named.size() != static_cast<size_t>(std::max(nodes.count, 0))) {
      return ApiError::sender("InvalidParameterValue",
                              "The number of Availability Zones named (" + std::to_string(nodes.named.size()) +
                                  ") must equal the number of cache nodes created (" + std::to_string(nodes.count) +
                                  ").");
    }
    for (const std::string& zone : nodes.named) {
      if (std::find(subnetZones.begin(), subnetZones.end(), zone) == subnetZones.end()) {
        return ApiError::sender("InvalidVPCNetworkStateFault", "The availability zone " + zone.substr(0, 64) +
                                                                   " is not one of cache subnet group " + subnetGroup +
                                                                   "'s zones.");
      }
    }
    std::set<std::string> all(nodes.named.begin(), nodes.named.end());
    all.insert(zonesNow.begin(), zonesNow.end());
    if (nodes.azMode == "single-az" && (all.size() > 1 || *all.begin() != clusterZone)) {
      return ApiError::sender("InvalidParameterCombination",
                              "AZMode single-az places every node in the cluster's zone " + clusterZone +
                                  ": the zones named differ.");
    }
    return nodes.named;
  }
  if (nodes.azMode != "cross-az") return std::vector<std::string>(static_cast<size_t>(std::max(nodes.count, 0)), clusterZone);
  // Spread: each new node to the zone with the fewest nodes, in the subnet
  // group's order from the cluster's zone on (the first node of a new
  // cluster goes to the cluster's zone).
  std::vector<std::string> order = subnetZones;
  if (auto at = std::find(order.begin(), order.end(), clusterZone); at != order.end()) {
    std::rotate(order.begin(), at, order.end());
  }
  if (order.empty()) order.push_back(clusterZone);
  std::map<std::string, size_t> held;
  for (const std::string& zone : existing) ++held[zone];
  std::vector<std::string> placed;
  for (int n = 0; n < nodes.count; ++n) {
    const std::string* fewest = &order.front();
    for (const std::string& zone : order) {
      if (held[zone] < held[*fewest]) fewest = &zone;
    }
    ++held[*fewest];
    placed.push_back(*fewest);
  }
  return placed;
}

std::string memcachedNodeZone(const Resource& cluster, const std::string& node) {
  std::string zone;
  if (auto nodes = cluster.state.find("Nodes"); nodes != cluster.state.end() && nodes->contains(node)) {
    zone = (*nodes)[node].value("AvailabilityZone", "");
  }
  return zone.empty() ? cluster.spec.value("PreferredAvailabilityZone", "") : zone;
}

std::vector<std::string> memcachedNodeZones(const Resource& cluster, const std::vector<std::string>& leaving) {
  std::vector<std::string> zones;
  for (const std::string& node : cache::memcachedNodeIds(cluster)) {
    if (std::find(leaving.begin(), leaving.end(), node) == leaving.end()) zones.push_back(memcachedNodeZone(cluster, node));
  }
  return zones;
}

std::string memcachedClusterZone(const Resource& cluster) {
  std::vector<std::string> zones = memcachedNodeZones(cluster);
  if (std::set<std::string>(zones.begin(), zones.end()).size() > 1) return "Multiple";
  return cluster.spec.value("PreferredAvailabilityZone", "");
}

}  // namespace kura::elasticache
