#include "rds/aurora_cluster.h"

#include "services/rds/cluster_endpoints.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

Result<bool> ClusterEndpoints::route(const Resource& cluster, const std::vector<Resource>& members,
                                     const std::vector<Resource>& custom,
                                     std::map<std::string, std::string>* customErrors) {
  if (proxies_ == nullptr) return ApiError::internal("no endpoint proxy");
  std::optional<unsigned short> writer;
  std::vector<std::pair<const Resource*, unsigned short>> readers;  // that answer
  const Resource* writerRecord = nullptr;
  for (const Resource& member : members) {
    if (member.status == kDeleting || member.status == kCreating) continue;
    auto layout = layoutOf(member, paths_, secrets_);
    if (!layout) continue;
    if (isClusterWriter(cluster, member)) {
      writer = static_cast<unsigned short>(layout->port);
      writerRecord = &member;
    } else if (followsWriter(cluster, member) && member.status == kAvailable && engine_.running(*layout) &&
               engine_.healthy(*layout, std::chrono::milliseconds(300))) {
      readers.emplace_back(&member, static_cast<unsigned short>(layout->port));
    }
  }
  if (!writer) {
    remove(cluster);
    return true;
  }
  std::vector<unsigned short> readerPorts;
  for (const auto& [record, port] : readers) readerPorts.push_back(port);
  if (readerPorts.empty()) readerPorts.push_back(*writer);
  auto port = static_cast<unsigned short>(cluster.state.value("Port", 0));
  try {
    proxies_->route(cluster.arn, port, *writer);
    std::string readerAddress = readerEndpointAddress(proxies_->listenAddress());
    if (readerAddress == proxies_->listenAddress()) {
      proxies_->route(cluster.arn + "#reader", static_cast<unsigned short>(cluster.state.value("ReaderPort", 0)),
                      readerPorts);
    } else {
      proxies_->route(cluster.arn + "#reader", readerAddress, port, readerPorts);
    }
  } catch (const std::exception& error) {
    return ApiError::internal(std::string("cannot listen on the cluster's endpoint ports: ") + error.what());
  }
  for (const Resource& endpoint : custom) {
    std::string name = customEndpointRoute(endpoint);
    std::vector<unsigned short> targets;
    if (endpoint.status != kDeleting && endpoint.status != kDeleted) {
      if (endpoint.spec.value("EndpointType", "ANY") == "ANY" && customEndpointHas(endpoint, writerRecord->name)) {
        targets.push_back(*writer);
      }
      for (const auto& [record, readerPort] : readers) {
        if (customEndpointHas(endpoint, record->name)) targets.push_back(readerPort);
      }
    }
    if (targets.empty()) {
      proxies_->remove(name);
      continue;
    }
    try {
      proxies_->route(name, endpoint.state.value("Address", ""), port, targets);
    } catch (const std::exception& error) {
      if (customErrors != nullptr) (*customErrors)[endpoint.name] = error.what();
    }
  }
  return true;
}

void ClusterEndpoints::remove(const Resource& cluster) {
  if (proxies_ == nullptr) return;
  proxies_->remove(cluster.arn);
  proxies_->remove(cluster.arn + "#reader");
  proxies_->removeStartingWith(customEndpointRoutePrefix(cluster.arn));  // its custom endpoints' too
}

}  // namespace kura::rds
