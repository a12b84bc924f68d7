#pragma once
// Custom endpoints of Aurora clusters (CreateDBClusterEndpoint), as Aurora
// has them: a name for a chosen set of a cluster's instances, READER (its
// readers only) or ANY (the writer too), by a static list of members or by
// every instance but an excluded list (instances added later included).
// Each is a record of kind db-cluster-endpoint, named by its identifier
// (unique in the account and region, as its ARN is), holding the cluster's
// ARN and the members (spec) and the loopback address it listens on at the
// cluster's port (state.Address): Aurora's endpoints share the cluster's
// port and differ by host name, and a client of a custom endpoint connects
// to the port DescribeDBClusters gives. The supervisor routes it
// (src/rds/custom_endpoints.cpp): creating -> available, modifying ->
// available, deleting -> gone; with the cluster when it goes.
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace kura::rds {

// Aurora's quota of custom endpoints per cluster.
inline constexpr size_t kCustomEndpointsPerCluster = 5;

// The name of the endpoint's route in the endpoint proxies: its cluster's
// ARN first, so that the cluster's security groups admit its clients.
std::string customEndpointRoute(const Resource& endpoint);
// The prefix every custom endpoint route of the cluster starts with.
std::string customEndpointRoutePrefix(const std::string& clusterArn);
// Whether the instance named is one of the endpoint's members: in its
// StaticMembers if it was given some (spec.Static), else not in its
// ExcludedMembers.
bool customEndpointHas(const Resource& endpoint, const std::string& instanceName);
// A loopback address no custom endpoint of `endpoints` has (127.77.0.1 on);
// empty when every one is taken.
std::optional<std::string> freeCustomEndpointAddress(const std::vector<Resource>& endpoints);
// The custom endpoints of the cluster (deleting ones included).
std::vector<Resource> customEndpointsOf(Catalog& catalog, const std::string& clusterArn);

// DescribeDBClusterEndpoints' views: a custom endpoint, and a cluster's own
// writer ("WRITER") or reader ("READER") endpoint at `address`.
nlohmann::json customEndpointView(const Resource& endpoint);
nlohmann::json builtInEndpointView(const Resource& cluster, const std::string& type, const std::string& address);

}  // namespace kura::rds
