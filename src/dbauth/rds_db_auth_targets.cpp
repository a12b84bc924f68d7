#include "dbauth/rds_db_auth_targets.h"

#include "services/rds/cluster_records.h"
#include "services/rds/rds_kinds.h"

namespace kura::dbauth {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string endpoint(const std::string& address, int port) { return lower(address) + ":" + std::to_string(port); }

}  // namespace

std::optional<DbAuthTarget> rdsDbAuthTarget(Catalog& catalog, const std::string& dbiResourceId) {
  for (const Resource& instance : catalog.listAllOfKind(rds::kInstance)) {
    if (instance.spec.value("DbiResourceId", "") != dbiResourceId || instance.status == rds::kDeleted) continue;
    DbAuthTarget target;
    target.accountId = instance.accountId;
    target.region = instance.region;
    target.resourceId = dbiResourceId;
    target.sourceType = rds::kInstance;
    target.sourceId = instance.name;
    target.sourceArn = instance.arn;
    target.enabled = instance.spec.value("IAMDatabaseAuthenticationEnabled", false);
    std::string address = instance.state.value("Address", "127.0.0.1");
    if (instance.state.contains("Port")) target.endpoints.push_back(endpoint(address, instance.state.value("Port", 0)));
    if (rds::isClusterMember(instance)) {
      // Aurora: the cluster decides, and its tokens name its resource id;
      // its writer and reader endpoints reach the member too.
      auto cluster = catalog.getResourceByArn(instance.spec.value("ClusterArn", ""));
      if (!cluster) return std::nullopt;
      target.resourceId = cluster->spec.value("DbClusterResourceId", "");
      target.sourceType = rds::kCluster;
      target.sourceId = cluster->name;
      target.sourceArn = cluster->arn;
      target.enabled = cluster->spec.value("IAMDatabaseAuthenticationEnabled", false);
      int port = cluster->state.value("Port", 0);
      target.endpoints.push_back(endpoint(address, port));
      std::string reader = rds::readerEndpointAddress(address);
      target.endpoints.push_back(endpoint(reader, reader == address ? cluster->state.value("ReaderPort", 0) : port));
    }
    if (target.resourceId.empty()) return std::nullopt;
    return target;
  }
  return std::nullopt;
}

}  // namespace kura::dbauth
