// The part of RdsSupervisor that serves Aurora clusters' custom endpoints
// (services/rds/cluster_endpoints.h). Each listens on its own loopback
// address at the cluster's port and sends new connections to its members
// that serve, in turn: the writer if it is ANY and the writer is one of
// them, and every member reader that follows the writer and answers (a
// reader that stops answering leaves the endpoint at the next pass, as it
// leaves the reader endpoint). With no member to serve it, it does not
// listen. Routed on every pass of an available cluster (watchCluster); a
// cluster stopped or without a writer takes its custom endpoints down with
// its own (aurora_cluster.cpp).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "rds/rds_supervisor.h"
#include "services/rds/cluster_endpoints.h"
#include "services/rds/cluster_records.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

void RdsSupervisor::routeCustomEndpoints(const Resource& cluster, const std::vector<Resource>& members,
                                         const std::vector<const Resource*>& readers) {
  auto listed = customEndpoints_.find(cluster.arn);
  if (proxies_ == nullptr || listed == customEndpoints_.end()) return;
  for (Resource endpoint : listed->second) {
    if (endpoint.status == kDeleting) continue;  // settleCustomEndpoints takes it down
    // An instance deleted from the cluster leaves the endpoint's lists, as in Aurora.
    bool dropped = false;
    for (const char* list : {"StaticMembers", "ExcludedMembers"}) {
      nlohmann::json kept = nlohmann::json::array();
      for (const auto& name : endpoint.spec.value(list, nlohmann::json::array())) {
        if (std::any_of(members.begin(), members.end(), [&](const Resource& m) { return name == m.name; })) {
          kept.push_back(name);
        }
      }
      dropped = dropped || kept.size() != endpoint.spec.value(list, nlohmann::json::array()).size();
      endpoint.spec[list] = std::move(kept);
    }
    bool any = endpoint.spec.value("EndpointType", "ANY") == "ANY";
    std::vector<unsigned short> targets;
    for (const Resource& member : members) {
      if (!customEndpointHas(endpoint, member.name)) continue;
      bool serves = isClusterWriter(cluster, member)
                        ? any
                        : std::any_of(readers.begin(), readers.end(),
                                      [&](const Resource* reader) { return reader->arn == member.arn; });
      if (!serves) continue;
      if (auto layout = layoutOf(member, paths_, secrets_)) targets.push_back(static_cast<unsigned short>(layout->port));
    }
    std::string route = customEndpointRoute(endpoint);
    if (targets.empty()) {
      proxies_->remove(route);
    } else {
      try {
        proxies_->route(route, endpoint.state.value("Address", ""),
                        static_cast<unsigned short>(cluster.state.value("Port", 0)), targets);
      } catch (const std::exception& error) {
        spdlog::warn("msg=\"cannot listen on a custom endpoint\" endpoint={} address={} error=\"{}\"", endpoint.name,
                     endpoint.state.value("Address", ""), error.what());
        continue;
      }
    }
    if (endpoint.status == kCreating || endpoint.status == kModifying || dropped) {
      endpoint.status = kAvailable;
      catalog_.updateResource(endpoint);  // changed meanwhile (modified again): the next pass
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
