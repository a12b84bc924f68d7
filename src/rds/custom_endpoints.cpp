// The part of RdsSupervisor that keeps Aurora clusters' custom endpoints'
// records (services/rds/cluster_endpoints.h); they are routed with the
// cluster's own endpoints by ClusterEndpoints::route, on every pass of an
// available cluster and by the controllers whenever a member joins or
// leaves or the writer changes. Here: a created or modified endpoint is
// available once routed (one that cannot listen says so in an event, and
// stays as it is), a deleted instance leaves the lists, as in Aurora; a
// deleted endpoint, or one of a cluster gone or going, stops listening and
// its record goes.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "rds/rds_supervisor.h"
#include "services/rds/cluster_endpoints.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

void RdsSupervisor::settleCustomEndpointStatus(const Resource& cluster, const std::vector<Resource>& members,
                                               const std::map<std::string, std::string>& customErrors) {
  auto listed = customEndpoints_.find(cluster.arn);
  if (listed == customEndpoints_.end()) return;
  for (Resource endpoint : listed->second) {
    if (endpoint.status == kDeleting || endpoint.status == kDeleted) continue;  // settleCustomEndpoints
    Resource updated = endpoint;
    for (const char* list : {"StaticMembers", "ExcludedMembers"}) {
      nlohmann::json kept = nlohmann::json::array();
      for (const auto& name : endpoint.spec.value(list, nlohmann::json::array())) {
        if (std::any_of(members.begin(), members.end(), [&](const Resource& m) { return name == m.name; })) {
          kept.push_back(name);
        }
      }
      updated.spec[list] = std::move(kept);
    }
    auto failed = customErrors.find(endpoint.name);
    if (failed != customErrors.end()) {
      if (endpoint.state.value("ListenError", "") != failed->second) {
        updated.state["ListenError"] = failed->second;
        addEvent(cluster, "Custom endpoint " + endpoint.name + " cannot listen on " +
                              endpoint.state.value("Address", "") + ": " + failed->second, "notification");
      }
    } else {
      updated.state.erase("ListenError");
      if (updated.status == kCreating || updated.status == kModifying) updated.status = updated.goal = kAvailable;
    }
    if (updated.spec != endpoint.spec || updated.state != endpoint.state || updated.status != endpoint.status) {
      catalog_.updateResource(updated);  // changed meanwhile (modified again): the next pass
    }
  }
}

void RdsSupervisor::settleCustomEndpoints() {
  for (const auto& [clusterArn, endpoints] : customEndpoints_) {
    auto cluster = catalog_.getResourceByArn(clusterArn);
    bool going = !cluster || cluster->status == kDeleted || cluster->goal == kDeleted;
    for (const Resource& endpoint : endpoints) {
      if (endpoint.status != kDeleting && endpoint.status != kDeleted && !going) continue;
      if (proxies_ != nullptr) proxies_->remove(customEndpointRoute(endpoint));
      if (auto removed = catalog_.removeResource(endpoint.id); !removed) {
        spdlog::warn("msg=\"cannot remove a custom endpoint\" endpoint={} error=\"{}\"", endpoint.name,
                     removed.error().message);
      }
    }
  }
}

}  // namespace kura::rds
