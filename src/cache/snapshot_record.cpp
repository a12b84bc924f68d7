#include "cache/snapshot_record.h"

#include "cache/cluster_mode.h"
#include "cache/cluster_snapshot.h"

#include "catalog/arn.h"
#include "common/time_format.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {

using namespace elasticache;

Resource newSnapshotRecord(const Resource& cluster, const std::string& name, const std::string& source,
                           const std::string& kmsKeyArn) {
  Resource snapshot;
  snapshot.accountId = cluster.accountId;
  snapshot.region = cluster.region;
  snapshot.service = kService;
  snapshot.kind = kSnapshot;
  snapshot.name = name;
  snapshot.arn = makeArn("elasticache", cluster.region, cluster.accountId, "snapshot:" + name);
  snapshot.status = kCreating;
  snapshot.goal = kAvailable;
  snapshot.spec = {{"SnapshotName", name},
                   {"SnapshotSource", source},
                   {"SourceClusterArn", cluster.arn},
                   {"CacheClusterCreateTime", toEpochSeconds(cluster.createdAt)},
                   {"Port", cluster.state.value("Port", 0)}};
  for (const char* member : {"CacheClusterId", "CacheNodeType", "Engine", "EngineVersion", "NumCacheNodes",
                             "PreferredAvailabilityZone", "PreferredMaintenanceWindow", "CacheParameterGroupName",
                             "AutoMinorVersionUpgrade", "SnapshotRetentionLimit", "SnapshotWindow",
                             "CacheSubnetGroupName"}) {
    if (cluster.spec.contains(member)) snapshot.spec[member] = cluster.spec[member];
  }
  if (cluster.kind == kReplicationGroup) {
    // A group's snapshot is taken from its primary.
    snapshot.spec["ReplicationGroupId"] = cluster.name;
    snapshot.spec["ReplicationGroupDescription"] = cluster.spec.value("ReplicationGroupDescription", "");
    snapshot.spec["CacheClusterId"] = cluster.state.value("Primary", "");
    snapshot.spec["AutomaticFailover"] = cluster.spec.value("AutomaticFailoverEnabled", false) ? "enabled" : "disabled";
    snapshot.spec["Port"] = cluster.state.value("EndpointPort", 0);
    if (ClusterModeGroups::enabled(cluster)) {
      snapshot.spec["NodeGroups"] = snapshotNodeGroups(cluster);
      snapshot.spec["NumNodeGroups"] = snapshot.spec["NodeGroups"].size();
      snapshot.spec.erase("CacheClusterId");
    }
  }
  if (!kmsKeyArn.empty()) snapshot.spec["KmsKeyId"] = kmsKeyArn;
  // A group encrypted at rest seals every snapshot under its key.
  if (kmsKeyArn.empty() && cluster.spec.value("AtRestEncryptionEnabled", false)) {
    snapshot.spec["KmsKeyId"] = cluster.spec.value("KmsKeyId", "");
  }
  return snapshot;
}

}  // namespace kura::cache
