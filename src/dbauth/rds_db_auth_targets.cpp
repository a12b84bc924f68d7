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

std::optional<DbAuthTarget> targetOf(Catalog& catalog, const Resource& instance, const std::string& dbiResourceId) {
  {
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
}

}  // namespace

std::optional<DbAuthTarget> rdsDbAuthTarget(Catalog& catalog, const std::string& dbiResourceId) {
  for (const Resource& instance : catalog.listAllOfKind(rds::kInstance)) {
    if (instance.spec.value("DbiResourceId", "") != dbiResourceId || instance.status == rds::kDeleted) continue;
    return targetOf(catalog, instance, dbiResourceId);
  }
  return std::nullopt;
}

std::optional<DbAuthTarget> DbAuthTargets::find(const std::string& dbiResourceId) {
  std::string arn;
  {
    std::lock_guard lock(mutex_);
    // Read the generation first: a write after it makes the next login build again.
    uint64_t generation = catalog_.serviceGeneration("rds");
    if (!built_ || generation != generation_) {
      arnById_.clear();
      for (const Resource& instance : catalog_.listAllOfKind(rds::kInstance)) {
        if (instance.status == rds::kDeleted) continue;
        std::string id = instance.spec.value("DbiResourceId", "");
        if (!id.empty()) arnById_.emplace(std::move(id), instance.arn);
      }
      built_ = true;
      generation_ = generation;
    }
    auto found = arnById_.find(dbiResourceId);
    if (found == arnById_.end()) return std::nullopt;
    arn = found->second;
  }
  auto instance = catalog_.getResourceByArn(arn);
  if (!instance || instance->kind != rds::kInstance || instance->status == rds::kDeleted ||
      instance->spec.value("DbiResourceId", "") != dbiResourceId) {
    return std::nullopt;
  }
  return targetOf(catalog_, *instance, dbiResourceId);
}

}  // namespace kura::dbauth
