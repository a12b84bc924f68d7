#include "services/rds/cluster_endpoints.h"

#include <algorithm>
#include <set>

#include "services/rds/rds_kinds.h"

namespace kura::rds {

using Json = nlohmann::json;

std::string customEndpointRoutePrefix(const std::string& clusterArn) { return clusterArn + "#custom:"; }

std::string customEndpointRoute(const Resource& endpoint) {
  return customEndpointRoutePrefix(endpoint.spec.value("ClusterArn", "")) + endpoint.name;
}

bool customEndpointHas(const Resource& endpoint, const std::string& instanceName) {
  auto listed = [&](const char* member) {
    const Json& list = endpoint.spec.value(member, Json::array());
    return std::any_of(list.begin(), list.end(), [&](const Json& name) { return name == instanceName; });
  };
  // Static (a list was given, even if all its instances have gone since):
  // those alone; otherwise all but the excluded ones.
  bool fixed = endpoint.spec.value("Static", !endpoint.spec.value("StaticMembers", Json::array()).empty());
  return fixed ? listed("StaticMembers") : !listed("ExcludedMembers");
}

std::optional<std::string> freeCustomEndpointAddress(const std::vector<Resource>& endpoints) {
  std::set<std::string> taken;
  for (const Resource& endpoint : endpoints) taken.insert(endpoint.state.value("Address", ""));
  // Out of the way of 127.0.0.1 and .2 (the clusters' own endpoints) and
  // of 127.0.1.1 (the host's own name on Debian: /etc/hosts).
  for (int third = 0; third <= 255; ++third) {
    for (int fourth = 1; fourth <= 254; ++fourth) {
      std::string address = "127.77." + std::to_string(third) + "." + std::to_string(fourth);
      if (!taken.contains(address)) return address;
    }
  }
  return std::nullopt;
}

std::vector<Resource> customEndpointsOf(Catalog& catalog, const std::string& clusterArn) {
  std::vector<Resource> out;
  for (Resource& endpoint : catalog.listAllOfKind(kClusterEndpoint)) {
    if (endpoint.spec.value("ClusterArn", "") == clusterArn && endpoint.status != kDeleted) {
      out.push_back(std::move(endpoint));
    }
  }
  return out;
}

Json customEndpointView(const Resource& endpoint) {
  const Json& spec = endpoint.spec;
  return {{"DBClusterEndpointIdentifier", endpoint.name},
          {"DBClusterIdentifier", spec.value("DBClusterIdentifier", "")},
          {"DBClusterEndpointResourceIdentifier", spec.value("DBClusterEndpointResourceIdentifier", "")},
          {"Endpoint", endpoint.state.value("Address", "")},
          {"Status", endpoint.status},
          {"EndpointType", "CUSTOM"},
          {"CustomEndpointType", spec.value("EndpointType", "ANY")},
          {"StaticMembers", spec.value("StaticMembers", Json::array())},
          {"ExcludedMembers", spec.value("ExcludedMembers", Json::array())},
          {"DBClusterEndpointArn", endpoint.arn}};
}

Json builtInEndpointView(const Resource& cluster, const std::string& type, const std::string& address) {
  return {{"DBClusterIdentifier", cluster.name},
          {"Endpoint", address},
          // The values an endpoint's Status takes: the cluster's while it
          // is made, changed or deleted, available otherwise.
          {"Status", cluster.status == kCreating || cluster.status == kModifying || cluster.status == kDeleting
                         ? cluster.status
                         : std::string(kAvailable)},
          {"EndpointType", type}};
}

}  // namespace kura::rds
