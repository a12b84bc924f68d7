// Custom endpoints of Aurora clusters: CreateDBClusterEndpoint,
// DescribeDBClusterEndpoints (the clusters' own writer and reader endpoints
// too), ModifyDBClusterEndpoint, DeleteDBClusterEndpoint. What they are and
// how they are kept: cluster_endpoints.h; how they are routed:
// src/rds/custom_endpoints.cpp.
#include <algorithm>
#include <map>

#include "catalog/arn.h"
#include "common/ids.h"
#include "services/rds/cluster_endpoints.h"
#include "services/rds/cluster_records.h"
#include "services/rds/describe_paging.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::rds {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError endpointNotFound(const std::string& name) {
  return ApiError::sender("DBClusterEndpointNotFoundFault", "DBClusterEndpoint " + name + " not found.", 400);
}
ApiError endpointState(std::string message) {
  return ApiError::sender("InvalidDBClusterEndpointStateFault", std::move(message));
}

std::string endpointResourceId() {
  std::string out = "cluster-endpoint-";
  for (char ch : newUuid()) {
    if (ch != '-' && out.size() < 43) out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

// EndpointType, StaticMembers and ExcludedMembers of a create or a modify,
// checked against the cluster's instances, into `spec`.
std::optional<ApiError> takeMembers(Catalog& catalog, const Resource& cluster, const Json& in, Json& spec) {
  if (in.contains("EndpointType")) {
    std::string type = in["EndpointType"];
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return std::toupper(ch); });
    if (type != "READER" && type != "ANY") {
      return invalid("Invalid endpoint type " + in["EndpointType"].get<std::string>() +
                     ". A custom endpoint's type is READER or ANY.");
    }
    spec["EndpointType"] = type;
  }
  Json fixed = in.value("StaticMembers", Json::array()), excluded = in.value("ExcludedMembers", Json::array());
  if (!fixed.empty() && !excluded.empty()) {
    return ApiError::sender("InvalidParameterCombination",
                            "A custom endpoint has StaticMembers or ExcludedMembers, not both.");
  }
  std::vector<Resource> members = clusterMembers(catalog, cluster);
  for (Json* list : {&fixed, &excluded}) {
    for (Json& name : *list) {
      name = lowerCase(name.get<std::string>());
      bool found = std::any_of(members.begin(), members.end(), [&](const Resource& m) { return m.name == name; });
      if (found) continue;
      auto elsewhere = catalog.getResource(cluster.accountId, cluster.region, kInstance, name.get<std::string>());
      if (!elsewhere || elsewhere->status == kDeleted) {
        return ApiError::sender("DBInstanceNotFound", "DBInstance " + name.get<std::string>() + " not found.", 404);
      }
      return invalid("DB instance " + name.get<std::string>() + " is not a member of DB cluster " + cluster.name + ".");
    }
  }
  if (in.contains("StaticMembers") || in.contains("ExcludedMembers")) {
    spec["Static"] = !fixed.empty();
    spec["StaticMembers"] = fixed;
    spec["ExcludedMembers"] = excluded;
  }
  return std::nullopt;
}

}  // namespace

Result<Json> RdsApi::createClusterEndpoint(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBClusterEndpointIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBClusterEndpointIdentifier")) return *error;
  auto cluster = findCluster(c, in["DBClusterIdentifier"]);
  if (!cluster) return cluster.error();
  if (config_.endpointAddress != "127.0.0.1") {
    // Aurora's endpoints share the cluster's port and differ by host: Kura
    // gives each custom endpoint a loopback address of its own.
    return ApiError::sender("InvalidParameterCombination",
                            "Kura serves custom endpoints on loopback addresses only; this server's endpoints are "
                            "on " + config_.endpointAddress + ".");
  }
  Json spec = {{"DBClusterEndpointIdentifier", identifier},
               {"DBClusterIdentifier", cluster->name},
               {"ClusterArn", cluster->arn},
               {"EndpointType", "ANY"},
               {"StaticMembers", Json::array()},
               {"ExcludedMembers", Json::array()},
               {"DBClusterEndpointResourceIdentifier", endpointResourceId()}};
  if (auto error = takeMembers(catalog_, *cluster, in, spec)) return *error;
  auto created = catalog_.transact([&]() -> Result<Resource> {
    auto fresh = catalog_.getResourceByArn(cluster->arn);
    if (!fresh || fresh->status != kAvailable || fresh->goal != kAvailable) {
      return ApiError::sender("InvalidDBClusterStateFault", "DB cluster " + cluster->name + " is not available.");
    }
    if (catalog_.getResource(c.accountId, c.region, kClusterEndpoint, identifier).ok()) {
      return ApiError::sender("DBClusterEndpointAlreadyExistsFault",
                              "DBClusterEndpoint " + identifier + " already exists.");
    }
    if (customEndpointsOf(catalog_, cluster->arn).size() >= kCustomEndpointsPerCluster) {
      return ApiError::sender("DBClusterEndpointQuotaExceededFault",
                              "DB cluster " + cluster->name + " has " + std::to_string(kCustomEndpointsPerCluster) +
                                  " custom endpoints, the most it may have.",
                              403);
    }
    auto address = freeCustomEndpointAddress(catalog_.listAllOfKind(kClusterEndpoint));
    if (!address) return ApiError::sender("DBClusterEndpointQuotaExceededFault", "No loopback address is left.", 403);
    Resource draft;
    draft.accountId = c.accountId;
    draft.region = c.region;
    draft.service = kService;
    draft.kind = kClusterEndpoint;
    draft.name = identifier;
    draft.arn = makeArn("rds", c.region, c.accountId, "cluster-endpoint:" + identifier);
    draft.status = draft.goal = kCreating;  // the supervisor makes both available (no controller)
    draft.spec = spec;
    draft.state = {{"Address", *address}};
    auto stored = catalog_.createResource(draft);
    if (!stored) return stored;
    catalog_.addTags(stored->arn, tagsFromInput(in));
    return stored;
  });
  if (!created) return created.error();
  return customEndpointView(*created);
}

Result<Json> RdsApi::describeClusterEndpoints(const RequestContext& c, const Json& in) {
  auto limit = pageSizeOf(in);
  if (!limit) return limit.error();
  std::optional<Resource> only;
  if (in.contains("DBClusterIdentifier")) {
    auto cluster = findCluster(c, in["DBClusterIdentifier"]);
    if (!cluster) return cluster.error();
    only = *cluster;
  }
  std::vector<std::string> types, customTypes, statuses, ids;
  if (in.contains("DBClusterEndpointIdentifier")) {
    ids.push_back(lowerCase(in["DBClusterEndpointIdentifier"].get<std::string>()));
  }
  for (const auto& filter : in.value("Filters", Json::array())) {
    std::string name = filter.value("Name", "");
    std::vector<std::string> values;
    for (const auto& value : filter.value("Values", Json::array())) values.push_back(lowerCase(value.get<std::string>()));
    if (name == "db-cluster-endpoint-type") {
      types.insert(types.end(), values.begin(), values.end());
    } else if (name == "db-cluster-endpoint-custom-type") {
      customTypes.insert(customTypes.end(), values.begin(), values.end());
    } else if (name == "db-cluster-endpoint-status") {
      statuses.insert(statuses.end(), values.begin(), values.end());
    } else if (name == "db-cluster-endpoint-id") {
      ids.insert(ids.end(), values.begin(), values.end());
    } else {
      return invalid("Unrecognized filter name: " + name);
    }
  }
  auto after = markerOf(in);
  if (!after) return after.error();
  // In the order of their clusters, each cluster's writer, reader, then its
  // custom endpoints by name; the Marker is the last one's key.
  std::vector<std::pair<std::string, Json>> found;
  auto consider = [&](const std::string& key, Json view) {
    if (!after->empty() && key <= *after) return;
    std::string type = lowerCase(view["EndpointType"].get<std::string>());
    std::string customType = lowerCase(view.value("CustomEndpointType", ""));
    std::string id = view.value("DBClusterEndpointIdentifier", "");
    if (!listedIn(types, type) || !listedIn(statuses, lowerCase(view["Status"].get<std::string>()))) return;
    if (!customTypes.empty() && (customType.empty() || !listedIn(customTypes, customType))) return;
    if (!ids.empty() && (id.empty() || !listedIn(ids, id))) return;
    found.emplace_back(key, std::move(view));
  };
  std::map<std::string, std::vector<Resource>> customOf;  // cluster ARN ->
  for (Resource& endpoint : catalog_.listAllOfKind(kClusterEndpoint)) {
    if (endpoint.status != kDeleted) customOf[endpoint.spec.value("ClusterArn", "")].push_back(std::move(endpoint));
  }
  for (const Resource& cluster : catalog_.listAllOfKind(kCluster)) {
    if (cluster.accountId != c.accountId || cluster.region != c.region || cluster.status == kDeleted) continue;
    if (only && only->arn != cluster.arn) continue;
    consider(cluster.name + "\x01" + "1", builtInEndpointView(cluster, "WRITER", config_.endpointAddress));
    consider(cluster.name + "\x01" + "2",
             builtInEndpointView(cluster, "READER", readerEndpointAddress(config_.endpointAddress)));
    for (const Resource& endpoint : customOf[cluster.arn]) {
      consider(cluster.name + "\x01" + "3" + endpoint.name, customEndpointView(endpoint));
    }
  }
  return pageOfKeyed(std::move(found), *limit, "DBClusterEndpoints");
}

Result<Json> RdsApi::modifyClusterEndpoint(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBClusterEndpointIdentifier"].get<std::string>());
  auto changed = catalog_.transact([&]() -> Result<Resource> {
    auto endpoint = catalog_.getResource(c.accountId, c.region, kClusterEndpoint, identifier);
    if (!endpoint || endpoint->status == kDeleted) return endpointNotFound(identifier);
    if (endpoint->status != kAvailable) {
      return endpointState("DBClusterEndpoint " + identifier + " is " + endpoint->status + ", not available.");
    }
    auto cluster = catalog_.getResourceByArn(endpoint->spec.value("ClusterArn", ""));
    if (!cluster || cluster->status != kAvailable || cluster->goal != kAvailable) {
      return ApiError::sender("InvalidDBClusterStateFault",
                              "DB cluster " + endpoint->spec.value("DBClusterIdentifier", "") + " is not available.");
    }
    Resource record = *endpoint;
    if (auto error = takeMembers(catalog_, *cluster, in, record.spec)) return *error;
    record.status = record.goal = kModifying;
    return catalog_.updateResource(record);
  });
  if (!changed) return changed.error();
  return customEndpointView(*changed);
}

Result<Json> RdsApi::deleteClusterEndpoint(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBClusterEndpointIdentifier"].get<std::string>());
  auto marked = catalog_.transact([&]() -> Result<Resource> {
    auto endpoint = catalog_.getResource(c.accountId, c.region, kClusterEndpoint, identifier);
    if (!endpoint || endpoint->status == kDeleted) return endpointNotFound(identifier);
    if (endpoint->status == kDeleting) return endpointState("DBClusterEndpoint " + identifier + " is being deleted.");
    Resource record = *endpoint;
    record.status = record.goal = kDeleting;
    return catalog_.updateResource(record);
  });
  if (!marked) return marked.error();
  return customEndpointView(*marked);
}

}  // namespace kura::rds
