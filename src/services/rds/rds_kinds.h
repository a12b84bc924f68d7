#pragma once
// The catalog kinds RDS keeps, and the names it gives them.
#include "catalog/records.h"

namespace kura::rds {

inline constexpr const char* kService = "rds";
inline constexpr const char* kInstance = "db-instance";
inline constexpr const char* kSnapshot = "db-snapshot";
inline constexpr const char* kParameterGroup = "db-parameter-group";
inline constexpr const char* kCluster = "db-cluster";
inline constexpr const char* kClusterSnapshot = "db-cluster-snapshot";
inline constexpr const char* kClusterParameterGroup = "db-cluster-parameter-group";
// An Aurora cluster's custom endpoint (cluster_endpoints.h).
inline constexpr const char* kClusterEndpoint = "db-cluster-endpoint";
inline constexpr const char* kSubnetGroup = "db-subnet-group";  // db_network.h
// The automated backups a deleted instance kept (retained_backups.h).
inline constexpr const char* kRetainedBackup = "db-instance-automated-backup";
inline constexpr const char* kAuroraEngine = "aurora-postgresql";

// Statuses as DescribeDBInstances shows them.
inline constexpr const char* kAvailable = "available";
inline constexpr const char* kCreating = "creating";
inline constexpr const char* kDeleting = "deleting";
inline constexpr const char* kDeleted = "deleted";
inline constexpr const char* kRebooting = "rebooting";
inline constexpr const char* kStopping = "stopping";
inline constexpr const char* kStopped = "stopped";
inline constexpr const char* kStarting = "starting";
inline constexpr const char* kModifying = "modifying";
inline constexpr const char* kBackingUp = "backing-up";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kIncompatibleRestore = "incompatible-restore";
inline constexpr const char* kFailingOver = "failing-over";

// A read replica not (yet) promoted.
inline bool isReadReplica(const Resource& instance) {
  return instance.spec.contains("ReadReplicaSourceArn") && !instance.state.value("Promoted", false);
}

// A snapshot taken of this instance, not of an earlier one of the same name
// (whose automated backups may have been kept: retained_backups.h).
inline bool isSnapshotOf(const Resource& snapshot, const Resource& instance) {
  return snapshot.spec.value("SourceInstanceArn", "") == instance.arn &&
         snapshot.spec.value("DbiResourceId", "") == instance.spec.value("DbiResourceId", "");
}

// An instance of an Aurora cluster (the writer or a reader).
inline bool isClusterMember(const Resource& instance) { return instance.spec.contains("ClusterArn"); }

}  // namespace kura::rds
