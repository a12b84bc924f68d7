#include "services/rds/rds_views.h"

#include "common/progress_board.h"
#include "common/time_format.h"
#include "services/rds/db_network.h"
#include "services/rds/mysql_engines.h"

namespace kura::rds {
namespace {

using Json = nlohmann::json;

// As RDS names them for an instance's (or its snapshot's) engine.
std::string licenseModelOf(const Json& spec) {
  return servedByMariaDb(spec.value("Engine", "")) ? "general-public-license" : "postgresql-license";
}

std::string optionGroupOf(const Json& spec) {
  std::string engine = spec.value("Engine", "postgres");
  if (!servedByMariaDb(engine)) return "default:postgres-" + spec.value("EngineMajor", std::string("15"));
  std::string major = spec.value("EngineMajor", std::string());
  for (char& c : major) c = c == '.' ? '-' : c;
  return "default:" + engine + "-" + major;  // default:mysql-8-0
}

// Copies the members present in `from` (the stored spec) into `to`.
void copyMembers(const Json& from, Json& to, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (from.contains(name) && !from[name].is_null()) to[name] = from[name];
  }
}

// What is being applied (a new master password) and what waits for the
// maintenance window, as one PendingModifiedValues.
Json pendingModifiedValues(const Json& state) {
  Json pending = state.value("PendingModifiedValues", Json::object());
  const Json waiting = state.value("PendingMaintenance", Json::object());  // outlives the loop over it
  for (const auto& [name, value] : waiting.items()) pending[name] = value;
  return pending;
}

// The restorable window's end, only with its start: a restore needs both
// (rds_validation.cpp), and a client that sees the end restores to it.
void addLatestRestorableTime(const Json& state, Json& view) {
  if (state.contains("EarliestRestorableTime") && state.contains("LatestRestorableTime")) {
    view["LatestRestorableTime"] = state["LatestRestorableTime"];
  }
}

}  // namespace

Json tagListView(const std::vector<Tag>& tags) {
  Json out = Json::array();
  for (const Tag& tag : tags) out.push_back({{"Key", tag.key}, {"Value", tag.value}});
  return out;
}

Json instanceView(const Resource& instance, const std::vector<Tag>& tags) {
  const Json& spec = instance.spec;
  const Json& state = instance.state;
  Json view = {{"DBInstanceIdentifier", instance.name},
               {"DBInstanceStatus", instance.status},
               {"DBInstanceArn", instance.arn},
               {"InstanceCreateTime", toEpochSeconds(instance.createdAt)},
               {"DBSecurityGroups", Json::array()},
               {"VpcSecurityGroups", securityGroupMemberships(spec)},
               {"DBParameterGroups", Json::array({{{"DBParameterGroupName", spec.value("DBParameterGroupName", "")},
                                                   {"ParameterApplyStatus", state.value("ParameterApplyStatus", "in-sync")}}})},
               {"PendingModifiedValues", pendingModifiedValues(state)},
               {"ReadReplicaDBInstanceIdentifiers", Json::array()},
               {"OptionGroupMemberships", Json::array({{{"OptionGroupName", optionGroupOf(spec)},
                                                        {"Status", "in-sync"}}})},
               {"DbiResourceId", state.value("DbiResourceId", spec.value("DbiResourceId", ""))},
               {"CACertificateIdentifier", "rds-ca-rsa2048-g1"},
               {"DomainMemberships", Json::array()},
               {"AssociatedRoles", Json::array()},
               {"TagList", tagListView(tags)},
               {"LicenseModel", licenseModelOf(spec)},
               {"MonitoringInterval", 0},
               {"IAMDatabaseAuthenticationEnabled", spec.value("IAMDatabaseAuthenticationEnabled", false)},
               {"PerformanceInsightsEnabled", false},
               {"CustomerOwnedIpEnabled", false},
               {"NetworkType", "IPV4"}};
  copyMembers(spec, view,
              {"DBInstanceClass", "Engine", "EngineVersion", "MasterUsername", "DBName", "AllocatedStorage",
               "PreferredBackupWindow", "BackupRetentionPeriod", "AvailabilityZone", "PreferredMaintenanceWindow",
               "MultiAZ", "AutoMinorVersionUpgrade", "PubliclyAccessible", "StorageType", "StorageEncrypted",
               "KmsKeyId", "CopyTagsToSnapshot", "DeletionProtection", "EnabledCloudwatchLogsExports",
               "MaxAllocatedStorage", "DBClusterIdentifier", "PromotionTier", "SecondaryAvailabilityZone"});
  if (state.contains("Nodes") && state.contains("Primary")) {
    // Multi-AZ: the zones follow the nodes' roles (a failover swaps them).
    std::string primary = state["Primary"], standby = primary == "a" ? "b" : "a";
    view["AvailabilityZone"] = state["Nodes"][primary].value("AvailabilityZone", "");
    view["SecondaryAvailabilityZone"] = state["Nodes"][standby].value("AvailabilityZone", "");
  }
  if (state.contains("Port")) {
    view["Endpoint"] = {{"Address", state.value("Address", "127.0.0.1")},
                        {"Port", state["Port"]},
                        {"HostedZoneId", "Z00000000KURA"}};
    view["DbInstancePort"] = 0;
  }
  addLatestRestorableTime(state, view);
  if (spec.contains("MasterUserSecretArn")) {
    view["MasterUserSecret"] = {{"SecretArn", spec["MasterUserSecretArn"]},
                                {"SecretStatus", "active"},
                                {"KmsKeyId", spec.value("MasterUserSecretKmsKeyId", "")}};
  }
  return view;
}

Json snapshotView(const Resource& snapshot, const std::vector<Tag>& tags) {
  const Json& spec = snapshot.spec;
  const Json& state = snapshot.state;
  Json view = {{"DBSnapshotIdentifier", snapshot.name},
               {"DBSnapshotArn", snapshot.arn},
               {"Status", snapshot.status},
               {"PercentProgress", ProgressBoard::instance().percentOf(snapshot.arn, snapshot.status == "creating",
                                                                         state.value("PercentProgress", 0))},
               {"SnapshotType", spec.value("SnapshotType", "manual")},
               {"TagList", tagListView(tags)},
               {"IAMDatabaseAuthenticationEnabled", spec.value("IAMDatabaseAuthenticationEnabled", false)},
               {"LicenseModel", licenseModelOf(spec)},
               {"ProcessorFeatures", Json::array()},
               {"SnapshotTarget", "region"}};
  copyMembers(spec, view,
              {"DBInstanceIdentifier", "Engine", "EngineVersion", "AllocatedStorage", "Port", "AvailabilityZone",
               "MasterUsername", "StorageType", "Encrypted", "KmsKeyId", "DbiResourceId", "SourceDBSnapshotIdentifier",
               "SourceRegion", "InstanceCreateTime", "OriginalSnapshotCreateTime"});
  if (state.contains("SnapshotCreateTime")) {
    view["SnapshotCreateTime"] = state["SnapshotCreateTime"];
    view["SnapshotDatabaseTime"] = state["SnapshotCreateTime"];
    if (!view.contains("OriginalSnapshotCreateTime")) view["OriginalSnapshotCreateTime"] = state["SnapshotCreateTime"];
  }
  return view;
}

Json clusterView(const Resource& cluster, const std::vector<Resource>& members, const std::vector<Tag>& tags,
                 const std::string& address, const std::string& readerAddress) {
  const Json& spec = cluster.spec;
  const Json& state = cluster.state;
  Json memberList = Json::array();
  for (const Resource& member : members) {
    memberList.push_back({{"DBInstanceIdentifier", member.name},
                          {"IsClusterWriter", state.value("Writer", "") == member.arn},
                          {"DBClusterParameterGroupStatus", "in-sync"},
                          {"PromotionTier", member.spec.value("PromotionTier", 1)}});
  }
  Json view = {{"DBClusterIdentifier", cluster.name},
               {"DBClusterArn", cluster.arn},
               {"Status", cluster.status},
               {"ClusterCreateTime", toEpochSeconds(cluster.createdAt)},
               {"Endpoint", address},
               {"ReaderEndpoint", readerAddress},
               {"Port", state.value("Port", 0)},
               {"MultiAZ", members.size() > 1},
               {"EngineMode", "provisioned"},
               {"DBClusterMembers", memberList},
               {"DBClusterOptionGroupMemberships", Json::array()},
               {"VpcSecurityGroups", securityGroupMemberships(spec)},
               {"AssociatedRoles", Json::array()},
               {"ReadReplicaIdentifiers", Json::array()},
               {"DomainMemberships", Json::array()},
               {"TagList", tagListView(tags)},
               {"HostedZoneId", "Z00000000KURA"},
               {"AllocatedStorage", 1},
               {"StorageType", "aurora"},
               {"IAMDatabaseAuthenticationEnabled", spec.value("IAMDatabaseAuthenticationEnabled", false)},
               {"HttpEndpointEnabled", false},
               {"CrossAccountClone", false},
               {"NetworkType", "IPV4"}};
  copyMembers(spec, view,
              {"Engine", "EngineVersion", "MasterUsername", "DatabaseName", "BackupRetentionPeriod",
               "PreferredBackupWindow", "PreferredMaintenanceWindow", "StorageEncrypted", "KmsKeyId",
               "DbClusterResourceId", "DeletionProtection", "CopyTagsToSnapshot", "AvailabilityZones",
               "DBClusterParameterGroup", "EnabledCloudwatchLogsExports", "ServerlessV2ScalingConfiguration"});
  if (spec.contains("DBSubnetGroupName")) view["DBSubnetGroup"] = spec["DBSubnetGroupName"];
  if (state.contains("EarliestRestorableTime")) view["EarliestRestorableTime"] = state["EarliestRestorableTime"];
  addLatestRestorableTime(state, view);
  if (spec.contains("MasterUserSecretArn")) {
    view["MasterUserSecret"] = {{"SecretArn", spec["MasterUserSecretArn"]},
                                {"SecretStatus", "active"},
                                {"KmsKeyId", spec.value("MasterUserSecretKmsKeyId", "")}};
  }
  return view;
}

Json clusterSnapshotView(const Resource& snapshot, const std::vector<Tag>& tags) {
  const Json& spec = snapshot.spec;
  const Json& state = snapshot.state;
  Json view = {{"DBClusterSnapshotIdentifier", snapshot.name},
               {"DBClusterSnapshotArn", snapshot.arn},
               {"Status", snapshot.status},
               {"PercentProgress", ProgressBoard::instance().percentOf(snapshot.arn, snapshot.status == "creating",
                                                                         state.value("PercentProgress", 0))},
               {"SnapshotType", spec.value("SnapshotType", "manual")},
               {"TagList", tagListView(tags)},
               {"AllocatedStorage", 1},
               {"StorageType", "aurora"},
               {"LicenseModel", "postgresql-license"},
               {"IAMDatabaseAuthenticationEnabled", spec.value("IAMDatabaseAuthenticationEnabled", false)}};
  copyMembers(spec, view,
              {"DBClusterIdentifier", "Engine", "EngineVersion", "Port", "MasterUsername", "KmsKeyId",
               "DbClusterResourceId", "ClusterCreateTime", "AvailabilityZones", "SourceDBClusterSnapshotArn"});
  view["StorageEncrypted"] = spec.value("StorageEncrypted", false);
  view["EngineMode"] = "provisioned";
  if (state.contains("SnapshotCreateTime")) view["SnapshotCreateTime"] = state["SnapshotCreateTime"];
  return view;
}

Json eventView(const Event& event) {
  Json categories = Json::array();
  for (const auto& category : event.categories) categories.push_back(category);
  return {{"SourceIdentifier", event.sourceId}, {"SourceType", event.sourceType}, {"Message", event.message},
          {"EventCategories", categories},      {"Date", toEpochSeconds(event.date)}, {"SourceArn", event.sourceArn}};
}

}  // namespace kura::rds
