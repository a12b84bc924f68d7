#include "rds/aurora_cluster.h"

#include "services/rds/cluster_endpoints.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

Result<bool> ClusterEndpoints::route(const Resource& cluster, const std::vector<Resource>& members) {
  if (proxies_ == nullptr) return ApiError::internal("no endpoint proxy");
  std::optional<unsigned short> writer;
  std::vector<unsigned short> readers;
  for (const Resource& member : members) {
    if (member.status == kDeleting || member.status == kCreating) continue;
    auto layout = layoutOf(member, paths_, secrets_);
    if (!layout) continue;
    if (isClusterWriter(cluster, member)) {
      writer = static_cast<unsigned short>(layout->port);
    } else if (followsWriter(cluster, member) && member.status == kAvailable && engine_.running(*layout) &&
               engine_.healthy(*layout, std::chrono::milliseconds(300))) {
      readers.push_back(static_cast<unsigned short>(layout->port));
    }
  }
  if (!writer) {
    remove(cluster);
    return true;
  }
  if (readers.empty()) readers.push_back(*writer);
  try {
    auto port = static_cast<unsigned short>(cluster.state.value("Port", 0));
    proxies_->route(cluster.arn, port, *writer);
    std::string readerAddress = readerEndpointAddress(proxies_->listenAddress());
    if (readerAddress == proxies_->listenAddress()) {
      proxies_->route(cluster.arn + "#reader", static_cast<unsigned short>(cluster.state.value("ReaderPort", 0)),
                      readers);
    } else {
      proxies_->route(cluster.arn + "#reader", readerAddress, port, readers);
    }
  } catch (const std::exception& error) {
    return ApiError::internal(std::string("cannot listen on the cluster's endpoint ports: ") + error.what());
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
