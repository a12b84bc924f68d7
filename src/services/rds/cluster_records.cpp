#include "services/rds/cluster_records.h"

#include "catalog/arn.h"
#include "common/time_format.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

std::vector<Resource> clusterMembers(Catalog& catalog, const Resource& cluster) {
  std::vector<Resource> members;
  for (Resource& instance : catalog.listAllOfKind(kInstance)) {
    if (instance.status != kDeleted && instance.spec.value("ClusterArn", "") == cluster.arn) {
      members.push_back(std::move(instance));
    }
  }
  return members;
}

std::string readerEndpointAddress(const std::string& address) {
  return address == "127.0.0.1" ? "127.0.0.2" : address;
}

bool followsWriter(const Resource& cluster, const Resource& instance) {
  return !isClusterWriter(cluster, instance) && instance.state.value("Upstream", "") == cluster.state.value("Writer", "") &&
         instance.state.value("UpstreamEpoch", 0) == cluster.state.value("WriterEpoch", 0);
}

Resource clusterSnapshotDraft(const Resource& cluster, const std::string& name, const std::string& type) {
  Resource snapshot;
  snapshot.accountId = cluster.accountId;
  snapshot.region = cluster.region;
  snapshot.service = "rds";
  snapshot.kind = kClusterSnapshot;
  snapshot.name = name;
  snapshot.arn = makeArn("rds", cluster.region, cluster.accountId, "cluster-snapshot:" + name);
  snapshot.status = kCreating;
  snapshot.goal = kAvailable;
  snapshot.spec = {{"DBClusterSnapshotIdentifier", name},
                   {"DBClusterIdentifier", cluster.name},
                   {"SourceClusterArn", cluster.arn},
                   {"SnapshotType", type},
                   {"Port", cluster.spec.value("Port", 5432)},
                   {"ClusterCreateTime", toEpochSeconds(cluster.createdAt)}};
  for (const char* member : {"Engine", "EngineVersion", "EngineMajor", "MasterUsername", "MasterUserPasswordSealed",
                             "StorageEncrypted", "KmsKeyId", "DbClusterResourceId", "AvailabilityZones",
                             "DatabaseName", "DBClusterParameterGroup", "BackupRetentionPeriod",
                             "PreferredBackupWindow", "PreferredMaintenanceWindow", "IAMDatabaseAuthenticationEnabled"}) {
    if (cluster.spec.contains(member)) snapshot.spec[member] = cluster.spec[member];
  }
  return snapshot;
}

Result<Resource> updateCluster(Catalog& catalog, const std::string& clusterArn,
                               const std::function<void(Resource&)>& change) {
  for (int attempt = 0;; ++attempt) {
    auto cluster = catalog.getResourceByArn(clusterArn);
    if (!cluster) return cluster;
    change(*cluster);
    auto stored = catalog.updateResource(*cluster);
    if (stored || stored.error().code != catalog_errors::kVersionConflict || attempt == 5) return stored;
  }
}

}  // namespace kura::rds
