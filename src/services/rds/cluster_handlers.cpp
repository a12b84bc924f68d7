// Aurora PostgreSQL clusters: CreateDBCluster, DescribeDBClusters,
// ModifyDBCluster, DeleteDBCluster, FailoverDBCluster, and the instances
// CreateDBInstance adds to a cluster. See src/rds/aurora_cluster.h for how
// a cluster runs on PostgreSQL.
#include <algorithm>
#include <map>

#include "catalog/arn.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "services/rds/cluster_endpoints.h"
#include "services/rds/cluster_records.h"
#include "services/rds/db_network.h"
#include "services/rds/describe_paging.h"
#include "services/rds/engine_log_files.h"
#include "services/rds/mysql_engines.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/rds_views.h"
#include "services/rds/serverless_capacity.h"

namespace kura::rds {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}
ApiError clusterState(std::string message) {
  return ApiError::sender("InvalidDBClusterStateFault", std::move(message));
}

std::string clusterResourceId() {
  std::string out = "cluster-";
  for (char c : newUuid()) {
    if (c != '-' && out.size() < 34) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// What an instance of a cluster takes from it.
const char* const kFromCluster[] = {"Engine", "EngineVersion", "EngineMajor", "MasterUsername",
                                    "MasterUserPasswordSealed", "StorageEncrypted", "KmsKeyId",
                                    "PreferredBackupWindow", "CopyTagsToSnapshot"};

}  // namespace

Result<Resource> RdsApi::findCluster(const RequestContext& c, const std::string& identifier) {
  return findOfKind(c, identifier, kCluster, "DBClusterNotFoundFault", "DBCluster");
}

Json RdsApi::clusterJson(const Resource& cluster, const std::vector<Resource>* custom) {
  Json view = clusterView(cluster, clusterMembers(catalog_, cluster), catalog_.listTags(cluster.arn),
                          config_.endpointAddress, readerEndpointAddress(config_.endpointAddress));
  // Its custom endpoints' addresses (cluster_endpoints.h), as Aurora lists them.
  std::vector<Resource> own = custom != nullptr ? std::vector<Resource>{} : customEndpointsOf(catalog_, cluster.arn);
  Json addresses = Json::array();
  for (const Resource& endpoint : custom != nullptr ? *custom : own) {
    if (endpoint.status != kDeleting && endpoint.status != kDeleted) addresses.push_back(endpoint.state.value("Address", ""));
  }
  view["CustomEndpoints"] = addresses;
  if (auto restart = automaticRestartTime(cluster, config_.stopLimit)) {
    view["AutomaticRestartTime"] = toEpochSeconds(*restart);
  }
  return view;
}

Result<Resource> RdsApi::recordNewCluster(const RequestContext& c, Json spec, const std::vector<Tag>& tags,
                                          const std::string& eventMessage) {
  std::string identifier = spec["DBClusterIdentifier"];
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kCluster;
  draft.name = identifier;
  draft.arn = makeArn("rds", c.region, c.accountId, "cluster:" + identifier);
  draft.status = kCreating;
  draft.goal = kAvailable;
  spec["DbClusterResourceId"] = clusterResourceId();
  spec.emplace("AvailabilityZones", Json::array({c.region + "a", c.region + "b", c.region + "c"}));
  spec.emplace("DBClusterParameterGroup", defaultParameterGroupOf(spec.value("Engine", kAuroraEngine)));
  return catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kCluster, identifier).ok()) {
      return ApiError::sender("DBClusterAlreadyExistsFault", "DB Cluster already exists", 400);
    }
    std::optional<int> wanted;
    if (spec.contains("Port")) wanted = spec["Port"].get<int>();
    auto port = ports_.allocate(draft.arn, wanted);
    auto readerPort = port ? ports_.allocate(draft.arn + "#reader") : std::nullopt;
    if (!port || !readerPort) {
      return wanted ? invalid("Port " + std::to_string(*wanted) + " is in use on this host; choose another or omit Port.")
                    : ApiError::sender("InsufficientDBClusterCapacityFault",
                                       "No free port is left in Kura's port range.", 403);
    }
    spec["Port"] = *port;
    draft.spec = spec;
    draft.state = {{"Port", *port}, {"ReaderPort", *readerPort}, {"Writer", ""}};
    auto created = catalog_.createResource(draft);
    if (!created) return created;
    catalog_.addTags(created->arn, tags);
    addEvent(*created, eventMessage, {"creation"});
    return created;
  });
}

Result<Json> RdsApi::createCluster(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBClusterIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBClusterIdentifier")) return *error;
  std::string engine = lowerCase(in["Engine"].get<std::string>());
  if (engine != kAuroraEngine && engine != kAuroraMySqlEngine) {
    return invalid("Invalid DB engine: " + engine + ". Kura runs Aurora clusters of the aurora-postgresql and "
                   "aurora-mysql engines.");
  }
  auto version = checkEngineVersion(in, engine);
  if (!version) return version.error();
  if (in.contains("ReplicationSourceIdentifier") || in.contains("GlobalClusterIdentifier")) {
    return combination("Kura does not replicate clusters across regions.");
  }
  if (in.value("EngineMode", "provisioned") != "provisioned") {
    return invalid("Kura runs provisioned Aurora clusters only, not " + in["EngineMode"].get<std::string>() + ".");
  }
  bool managed = in.value("ManageMasterUserPassword", false);
  if (managed && in.contains("MasterUserPassword")) {
    return combination("You can't specify MasterUserPassword and ManageMasterUserPassword at the same time.");
  }
  if (!managed && in.contains("MasterUserSecretKmsKeyId")) {
    return combination("You can't specify MasterUserSecretKmsKeyId without ManageMasterUserPassword.");
  }
  if (managed && config_.managedSecrets == nullptr) return combination("Secrets Manager is not available on this Kura server.");
  if (!in.contains("MasterUsername")) return invalid("The parameter MasterUsername must be provided and must not be blank.");
  if (auto error = checkMasterUsername(in["MasterUsername"].get<std::string>())) return *error;
  if (!managed && !in.contains("MasterUserPassword")) {
    return invalid("The parameter MasterUserPassword must be provided and must not be blank.");
  }
  if (!managed) {
    if (auto error = checkMasterPassword(in["MasterUserPassword"].get<std::string>())) return *error;
  }
  std::string password = managed ? toHex(randomBytes(16)) : in["MasterUserPassword"].get<std::string>();
  Json spec = {{"DBClusterIdentifier", identifier},
               {"Engine", engine},
               {"EngineVersion", version->first},
               {"EngineMajor", version->second},
               {"MasterUsername", in["MasterUsername"]},
               {"MasterUserPasswordSealed", secrets_.seal(password)}};
  if (in.contains("DatabaseName")) spec["DatabaseName"] = in["DatabaseName"];
  if (auto settings = clusterSettings(c, in, spec, false); !settings) return settings.error();
  if (managed) {
    // As for instances: the master password lives in a secret RDS owns (rotated by Secrets Manager).
    auto secret = keepMasterPasswordInSecret(c, spec, "rds!cluster-" + newUuid(), password,
                                             in.value("MasterUserSecretKmsKeyId", ""));
    if (!secret) return secret.error();
  }
  auto created = recordNewCluster(c, spec, tagsFromInput(in), "Creating DB cluster");
  if (!created) {
    if (managed) config_.managedSecrets->deleteOwnedSecret(c, spec["MasterUserSecretArn"]);
    return created.error();
  }
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*created)}};
}

Result<std::pair<std::string, std::string>> RdsApi::checkEngineVersion(const Json& in, const std::string& engine) {
  if (engine == kAuroraMySqlEngine) {
    if (config_.installedMariaDbVersion.empty()) {
      return combination("No MariaDB server is installed on this Kura host: it cannot run aurora-mysql clusters.");
    }
    auto served = mySqlVersionOf(engine, in.value("EngineVersion", ""), config_.installedMariaDbVersion);
    if (!served) return combination("Cannot find version " + in.value("EngineVersion", "") + " for " + engine);
    return std::pair{served->version, served->major};
  }
  if (config_.installedPostgresMajor == 0) {
    return combination("No PostgreSQL server is installed on this Kura host.");
  }
  std::string major = std::to_string(config_.installedPostgresMajor);
  std::string version = in.value("EngineVersion", major);
  if (version != major && version.rfind(major + ".", 0) != 0) {
    return combination("Cannot find version " + version + " for " + engine);
  }
  return std::pair{version, major};
}

Result<bool> RdsApi::clusterSettings(const RequestContext& c, const Json& in, Json& spec, bool restored) {
  if (in.contains("Port") && (in["Port"].get<int>() < 1150 || in["Port"].get<int>() > 65535)) {
    return invalid("Invalid port " + std::to_string(in["Port"].get<int>()) + ". The port must be between 1150 and 65535.");
  }
  if (in.contains("Port")) spec["Port"] = in["Port"];
  if (!restored) {
    // Aurora keeps at least a day of backups.
    int64_t retention = in.value("BackupRetentionPeriod", 1);
    if (retention < 1 || retention > 35) {
      return invalid("Invalid backup retention period: " + std::to_string(retention) +
                     ". It must be between 1 and 35 days for Aurora DB clusters.");
    }
    spec["BackupRetentionPeriod"] = retention;
    spec["PreferredBackupWindow"] = in.value("PreferredBackupWindow", "17:00-17:30");
    spec["PreferredMaintenanceWindow"] = in.value("PreferredMaintenanceWindow", "sun:18:00-sun:18:30");
    if (auto error = checkBackupWindow(spec["PreferredBackupWindow"].get<std::string>())) return *error;
    if (auto error = checkMaintenanceWindow(spec["PreferredMaintenanceWindow"].get<std::string>())) return *error;
    bool encrypted = in.value("StorageEncrypted", false);
    if (in.contains("KmsKeyId") && !encrypted) return combination("KmsKeyId is given, but StorageEncrypted is not true.");
    spec["StorageEncrypted"] = encrypted;
  } else if (in.contains("KmsKeyId")) {
    spec["StorageEncrypted"] = true;  // a restore may encrypt, never decrypt
  }
  if (spec.value("StorageEncrypted", false)) {
    auto key = usableKmsKey(c, in.value("KmsKeyId", spec.value("KmsKeyId", "alias/aws/rds")));
    if (!key) return key.error();
    spec["KmsKeyId"] = *key;
  }
  for (const char* name : {"DeletionProtection", "CopyTagsToSnapshot"}) spec[name] = in.value(name, spec.value(name, false));
  if (in.contains(kServerlessScaling)) {
    auto range = scalingRangeOf(in[kServerlessScaling], nullptr);
    if (!range) return range.error();
    spec[kServerlessScaling] = *range;
  }
  spec["IAMDatabaseAuthenticationEnabled"] =
      in.value("EnableIAMDatabaseAuthentication", spec.value("IAMDatabaseAuthenticationEnabled", false));
  if (in.contains("EnableCloudwatchLogsExports")) {
    if (auto error = checkLogTypes(spec.value("Engine", ""), spec.value("EngineVersion", ""),
                                   in["EnableCloudwatchLogsExports"])) {
      return *error;
    }
    spec["EnabledCloudwatchLogsExports"] = in["EnableCloudwatchLogsExports"];
  }
  if (in.contains("DBClusterParameterGroupName")) {
    auto group = findClusterParameterGroup(c, in["DBClusterParameterGroupName"]);
    if (!group) {
      return ApiError::sender("DBClusterParameterGroupNotFound",
                              "DBClusterParameterGroup not found: " + in["DBClusterParameterGroupName"].get<std::string>(),
                              404);
    }
    spec["DBClusterParameterGroup"] = group->name;
  }
  // Its subnet group gives its zones; its security groups must be in that group's VPC.
  if (auto placed = placeClusterNetwork(catalog_, c, in, spec); !placed) return placed.error();
  return true;
}

Result<Json> RdsApi::describeClusters(const RequestContext& c, const Json& in) {
  auto limit = pageSizeOf(in);
  if (!limit) return limit.error();
  std::vector<std::string> ids, engines;
  if (in.contains("DBClusterIdentifier")) {
    auto found = findCluster(c, in["DBClusterIdentifier"]);
    if (!found) return found.error();
    ids.push_back(found->name);
  }
  for (const auto& filter : in.value("Filters", Json::array())) {
    std::string name = filter.value("Name", "");
    auto values = filter.value("Values", Json::array()).get<std::vector<std::string>>();
    if (name == "db-cluster-id") {
      for (const auto& value : values) ids.push_back(value.rfind("arn:", 0) == 0 ? value : lowerCase(value));
    } else if (name == "engine") {
      engines.insert(engines.end(), values.begin(), values.end());
    } else if (name != "clone-group-id" && name != "domain" && name != "db-cluster-resource-id") {
      return invalid("Unrecognized filter name: " + name);
    }
  }
  auto after = markerOf(in);
  if (!after) return after.error();
  // One more than the page holds tells whether a Marker follows.
  auto clusters = recordsAfter(catalog_, c, kCluster, *after, *limit + 1, [&](const Resource& cluster) {
    return cluster.status != kDeleted && (listedIn(ids, cluster.name) || listedIn(ids, cluster.arn)) &&
           listedIn(engines, cluster.spec.value("Engine", ""));
  });
  // The page's custom endpoints, read once.
  std::map<std::string, std::vector<Resource>> custom;
  for (Resource& endpoint : catalog_.listAllOfKind(kClusterEndpoint)) {
    custom[endpoint.spec.value("ClusterArn", "")].push_back(std::move(endpoint));
  }
  return pageOfRecords(std::move(clusters), *limit, "DBClusters",
                       [&](const Resource& r) { return clusterJson(r, &custom[r.arn]); });
}

Result<Json> RdsApi::modifyCluster(const RequestContext& c, const Json& in) {
  auto found = findCluster(c, in["DBClusterIdentifier"]);
  if (!found) return found.error();
  Resource cluster = *found;
  if (cluster.status != kAvailable) return clusterState("DB cluster " + cluster.name + " is not available.");
  if (in.value("RotateMasterUserPassword", false)) {
    auto rotated = rotateMasterPasswordNow(c, cluster, in);
    if (!rotated) return rotated.error();
    return Json{{"DBCluster", clusterJson(*rotated)}};
  }
  for (const char* unsupported : {"NewDBClusterIdentifier", "EngineVersion", "ManageMasterUserPassword"}) {
    if (in.contains(unsupported)) return combination(std::string("Kura cannot change ") + unsupported + " of a cluster yet.");
  }
  if (in.contains("MasterUserPassword") && cluster.spec.contains("MasterUserSecretArn")) {
    return combination("The master password of " + cluster.name + " is managed in Secrets Manager: rotate the secret.");
  }
  if (in.contains("BackupRetentionPeriod")) {
    int64_t retention = in["BackupRetentionPeriod"];
    if (retention < 1 || retention > 35) {
      return invalid("Invalid backup retention period: " + std::to_string(retention) +
                     ". It must be between 1 and 35 days for Aurora DB clusters.");
    }
    cluster.spec["BackupRetentionPeriod"] = retention;
  }
  if (in.contains("PreferredBackupWindow")) {
    if (auto error = checkBackupWindow(in["PreferredBackupWindow"].get<std::string>())) return *error;
    cluster.spec["PreferredBackupWindow"] = in["PreferredBackupWindow"];
  }
  if (in.contains("PreferredMaintenanceWindow")) {
    if (auto error = checkMaintenanceWindow(in["PreferredMaintenanceWindow"].get<std::string>())) return *error;
    cluster.spec["PreferredMaintenanceWindow"] = in["PreferredMaintenanceWindow"];
  }
  for (const char* name : {"DeletionProtection", "CopyTagsToSnapshot"}) {
    if (in.contains(name)) cluster.spec[name] = in[name];
  }
  if (in.contains(kServerlessScaling)) {
    // As Aurora does, at once: the servers of its db.serverless instances
    // get the new MaxCapacity's memory (the RDS supervisor's next pass).
    auto current = cluster.spec.find(kServerlessScaling);
    auto range = scalingRangeOf(in[kServerlessScaling], current == cluster.spec.end() ? nullptr : &*current);
    if (!range) return range.error();
    cluster.spec[kServerlessScaling] = *range;
  }
  if (in.contains("EnableIAMDatabaseAuthentication")) {
    cluster.spec["IAMDatabaseAuthenticationEnabled"] = in["EnableIAMDatabaseAuthentication"];
  }
  if (in.contains("CloudwatchLogsExportConfiguration")) {
    // The cluster's instances ship to /aws/rds/cluster/<id>/<type> (the RDS supervisor).
    if (auto error = changeLogExports(cluster.spec, in["CloudwatchLogsExportConfiguration"])) return *error;
  }
  if (in.contains("DBClusterParameterGroupName")) {
    // Its values reach the cluster's instances (the RDS supervisor applies them).
    auto group = findClusterParameterGroup(c, in["DBClusterParameterGroupName"]);
    if (!group) {
      return ApiError::sender("DBClusterParameterGroupNotFound",
                              "DBClusterParameterGroup not found: " + in["DBClusterParameterGroupName"].get<std::string>(),
                              404);
    }
    cluster.spec["DBClusterParameterGroup"] = group->name;
  }
  std::optional<std::string> password;
  if (in.contains("MasterUserPassword")) {
    if (auto error = checkMasterPassword(in["MasterUserPassword"].get<std::string>())) return *error;
    password = in["MasterUserPassword"].get<std::string>();
  }
  if (in.contains("VpcSecurityGroupIds")) {
    // As RDS does: security groups change at once, whatever ApplyImmediately says.
    auto groups = checkedSecurityGroups(catalog_, c, &in["VpcSecurityGroupIds"],
                                        vpcOfResource(catalog_, c, cluster.spec), "DB cluster");
    if (!groups) return groups.error();
    cluster.spec["VpcSecurityGroupIds"] = *groups;
  }
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    // Its instances are reached through the cluster's security groups, and
    // its db.serverless ones are bounded by its capacity range: each
    // instance carries a copy of both.
    if (in.contains("VpcSecurityGroupIds") || in.contains(kServerlessScaling)) {
      for (Resource member : clusterMembers(catalog_, cluster)) {
        for (const char* shared : {"VpcSecurityGroupIds", kServerlessScaling}) {
          if (in.contains(shared)) member.spec[shared] = cluster.spec[shared];
        }
        if (auto changed = catalog_.updateResource(member); !changed) return changed.error();
      }
    }
    if (password) {
      // The writer applies it; its readers have it through replication.
      cluster.spec["MasterUserPasswordSealed"] = secrets_.seal(*password);
      for (Resource member : clusterMembers(catalog_, cluster)) {
        if (isClusterWriter(cluster, member) && member.status != kAvailable) {
          return clusterState("The writer " + member.name + " is " + member.status + "; try again when it is available.");
        }
        sealMasterPassword(member.spec, *password);
        auto changed = storeModified(member, isClusterWriter(cluster, member));
        if (!changed) return changed.error();
      }
    }
    auto updated = catalog_.updateResource(cluster);
    if (updated) addEvent(*updated, "Updated to use a modified configuration", {"configuration change"});
    return updated;
  });
  if (!stored) {
    if (stored.error().code == catalog_errors::kVersionConflict) return clusterState("The DB cluster changed meanwhile; try again.");
    return stored.error();
  }
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*stored)}};
}

Result<bool> RdsApi::rotateClusterPassword(Resource cluster, const std::string& password) {
  std::vector<Resource> members = clusterMembers(catalog_, cluster);
  auto writer = std::find_if(members.begin(), members.end(),
                             [&](const Resource& member) { return isClusterWriter(cluster, member); });
  auto sealed = secrets_.open(cluster.spec.value("MasterUserPasswordSealed", ""));
  if (sealed && *sealed == password) {
    return cluster.status == kAvailable && (writer == members.end() || writer->status == kAvailable);
  }
  if (cluster.status != kAvailable) return clusterState("DB cluster " + cluster.name + " is not available.");
  if (writer != members.end() && writer->status != kAvailable) {
    return clusterState("The writer " + writer->name + " is " + writer->status + "; try again when it is available.");
  }
  // As ModifyDBCluster's MasterUserPassword: the writer applies it; its readers have it through replication.
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    cluster.spec["MasterUserPasswordSealed"] = secrets_.seal(password);
    for (Resource member : members) {
      sealMasterPassword(member.spec, password);
      auto changed = storeModified(member, isClusterWriter(cluster, member));
      if (!changed) return changed.error();
    }
    auto updated = catalog_.updateResource(cluster);
    if (updated) addEvent(*updated, "Updated to use a modified configuration", {"configuration change"});
    return updated;
  });
  if (!stored) return stored.error();
  reconciler_.wake();
  return writer == members.end();  // no instance yet: the next one starts with it
}

Result<Json> RdsApi::deleteCluster(const RequestContext& c, const Json& in) {
  auto found = findCluster(c, in["DBClusterIdentifier"]);
  if (!found) return found.error();
  Resource cluster = *found;
  if (cluster.spec.value("DeletionProtection", false)) {
    return combination("Cannot delete protected Cluster, please disable deletion protection and try again.");
  }
  if (cluster.status == kDeleting) return clusterState("Cluster " + cluster.name + " is already being deleted.");
  if (!clusterMembers(catalog_, cluster).empty()) {
    return clusterState("Cluster cannot be deleted, it still contains DB instances in non-deleting state.");
  }
  bool skip = in.value("SkipFinalSnapshot", false);
  std::string finalSnapshot = lowerCase(in.value("FinalDBSnapshotIdentifier", ""));
  if (!skip && finalSnapshot.empty()) {
    return combination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.");
  }
  if (skip && !finalSnapshot.empty()) {
    return combination("Cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot.");
  }
  if (!skip) {
    if (auto error = checkIdentifier(finalSnapshot, "FinalDBSnapshotIdentifier", 255)) return *error;
    if (!cluster.state.value("HasVolume", false)) {
      return clusterState("Cluster " + cluster.name + " holds no data yet: delete it with SkipFinalSnapshot.");
    }
  }
  auto result = catalog_.transact([&]() -> Result<Resource> {
    if (!skip) {
      auto snapshot = recordClusterSnapshot(c, cluster, finalSnapshot, "manual", {});
      if (!snapshot) return snapshot.error();
      cluster.spec["FinalDBSnapshotIdentifier"] = finalSnapshot;
    }
    cluster.status = kDeleting;
    cluster.goal = kDeleted;
    // Its custom endpoints go with it (a cluster made again under its name
    // never inherits them).
    for (Resource endpoint : customEndpointsOf(catalog_, cluster.arn)) {
      endpoint.status = endpoint.goal = kDeleting;
      if (auto marked = catalog_.updateResource(endpoint); !marked) return marked.error();
    }
    auto stored = catalog_.updateResource(cluster);
    if (stored) addEvent(*stored, "DB cluster is being deleted", {"deletion"});
    return stored;
  });
  if (!result) return result.error();
  if (config_.managedSecrets != nullptr && result->spec.contains("MasterUserSecretArn")) {
    config_.managedSecrets->deleteOwnedSecret(c, result->spec["MasterUserSecretArn"]);
  }
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*result)}};
}

Result<Json> RdsApi::failoverCluster(const RequestContext& c, const Json& in) {
  auto found = findCluster(c, in["DBClusterIdentifier"]);
  if (!found) return found.error();
  Resource cluster = *found;
  if (cluster.status != kAvailable) return clusterState("DB cluster " + cluster.name + " is not available.");
  std::vector<Resource> members = clusterMembers(catalog_, cluster);
  bool hasReader = std::any_of(members.begin(), members.end(), [&](const Resource& member) {
    return member.status == kAvailable && followsWriter(cluster, member);
  });
  if (in.contains("TargetDBInstanceIdentifier")) {
    std::string target = lowerCase(in["TargetDBInstanceIdentifier"].get<std::string>());
    auto chosen = std::find_if(members.begin(), members.end(), [&](const Resource& m) { return m.name == target; });
    if (chosen == members.end()) {
      return ApiError::sender("InvalidDBInstanceState", "DB instance " + target + " is not a member of " + cluster.name + ".");
    }
    if (isClusterWriter(cluster, *chosen)) {
      return ApiError::sender("InvalidDBInstanceState", "DB instance " + target + " is already the writer.");
    }
    if (chosen->status != kAvailable || !followsWriter(cluster, *chosen)) {
      return ApiError::sender("InvalidDBInstanceState", "DB instance " + target + " is not an available reader.");
    }
    cluster.state["FailoverTarget"] = chosen->arn;
  } else if (!hasReader) {
    return clusterState("Cluster " + cluster.name + " has no available reader to fail over to.");
  }
  cluster.status = kFailingOver;
  cluster.goal = kAvailable;
  cluster.state["FailoverPlanned"] = true;
  auto stored = catalog_.updateResource(cluster);
  if (!stored) return clusterState("The DB cluster changed meanwhile; try again.");
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*stored)}};
}

Result<Json> RdsApi::createClusterInstance(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBInstanceIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBInstanceIdentifier")) return *error;
  auto cluster = findCluster(c, in["DBClusterIdentifier"]);
  if (!cluster) return cluster.error();
  if (lowerCase(in.value("Engine", "")) != cluster->spec.value("Engine", "")) {
    return combination("The engine of a cluster's instance must be the cluster's: " +
                       cluster->spec.value("Engine", std::string()) + ".");
  }
  if (cluster->status == kDeleting) return clusterState("Cluster " + cluster->name + " is being deleted.");
  if (cluster->status == kStopped || cluster->status == kStopping || cluster->status == kStarting) {
    return clusterState("DB cluster " + cluster->name + " is in " + cluster->status +
                        " state: start it before adding instances.");
  }
  for (const char* name : {"MasterUsername", "MasterUserPassword", "ManageMasterUserPassword"}) {
    if (in.contains(name)) {
      return combination("The requested DB Instance will be a member of a DB Cluster. Set " + std::string(name) +
                         " for the DB Cluster.");
    }
  }
  for (const char* name : {"BackupRetentionPeriod", "StorageEncrypted", "KmsKeyId", "MultiAZ", "AllocatedStorage",
                           "VpcSecurityGroupIds"}) {
    if (in.contains(name)) {
      return combination(std::string("The requested DB Instance will be a member of a DB Cluster. ") + name +
                         " is the cluster's setting.");
    }
  }
  if (in.contains("PromotionTier") &&
      (in["PromotionTier"].get<int64_t>() < 0 || in["PromotionTier"].get<int64_t>() > 15)) {
    return invalid("PromotionTier must be between 0 and 15.");
  }
  Json spec = {{"DBInstanceIdentifier", identifier},
               {"DBInstanceClass", in["DBInstanceClass"]},
               {"DBClusterIdentifier", cluster->name},
               {"ClusterArn", cluster->arn},
               {"WalArchiveId", cluster->spec.value("DbClusterResourceId", "")},
               {"BackupRetentionPeriod", 0},  // the cluster's backups cover it
               {"AllocatedStorage", 1},
               {"StorageType", "aurora"},
               {"MultiAZ", false},
               {"PromotionTier", in.value("PromotionTier", 1)},
               {"AutoMinorVersionUpgrade", in.value("AutoMinorVersionUpgrade", true)},
               {"PubliclyAccessible", in.value("PubliclyAccessible", false)},
               {"DeletionProtection", in.value("DeletionProtection", false)},
               {"PreferredMaintenanceWindow", in.value("PreferredMaintenanceWindow", "sun:18:00-sun:18:30")}};
  for (const char* name : kFromCluster) {
    if (cluster->spec.contains(name)) spec[name] = cluster->spec[name];
  }
  if (cluster->spec.contains("DatabaseName")) spec["DBName"] = cluster->spec["DatabaseName"];
  // It lives in the cluster's subnet group, behind the cluster's security groups.
  std::string subnetGroup = cluster->spec.value("DBSubnetGroupName", "default");
  if (in.contains("DBSubnetGroupName") && lowerCase(in["DBSubnetGroupName"].get<std::string>()) != subnetGroup) {
    return combination("The requested DB Instance will be a member of a DB Cluster: its DB subnet group is the "
                       "cluster's, " + subnetGroup + ".");
  }
  spec["DBSubnetGroupName"] = subnetGroup;
  if (in.contains("AvailabilityZone")) spec["AvailabilityZone"] = in["AvailabilityZone"];
  if (in.contains("DBParameterGroupName")) spec["DBParameterGroupName"] = in["DBParameterGroupName"];
  if (in.contains("Port")) spec["Port"] = in["Port"];
  if (in.contains("EnableCloudwatchLogsExports")) spec["EnabledCloudwatchLogsExports"] = in["EnableCloudwatchLogsExports"];
  auto created = catalog_.transact([&]() -> Result<Resource> {
    // Its copies of the cluster's security groups and capacity range are
    // taken in the transaction that records it: a ModifyDBCluster either
    // came before (its values are read here) or comes after (it finds
    // this instance among the members it updates).
    auto now = catalog_.getResourceByArn(cluster->arn);
    if (!now) return now;
    // A StopDBCluster recorded since the check above: its members are
    // moved in a transaction of their own, which this one must not miss.
    if (now->status == kStopped || now->status == kStopping || now->status == kStarting) {
      return clusterState("DB cluster " + now->name + " is in " + now->status +
                          " state: start it before adding instances.");
    }
    for (const char* shared : {"VpcSecurityGroupIds", kServerlessScaling}) {
      if (now->spec.contains(shared)) spec[shared] = now->spec[shared];
    }
    if (spec["DBInstanceClass"] == kServerlessClass && !spec.contains(kServerlessScaling)) return noScalingRange();
    auto made = recordNewInstance(c, spec, tagsFromInput(in), "Creating DB instance");
    if (!made) return made;
    // The first instance of a cluster without one is its writer.
    auto current = catalog_.getResourceByArn(cluster->arn);
    if (!current) return current;
    if (current->state.value("Writer", "").empty()) {
      current->state["Writer"] = made->arn;
      current->state["WriterEpoch"] = current->state.value("WriterEpoch", 0) + 1;
      if (auto stored = catalog_.updateResource(*current); !stored) return stored;
    }
    return made;
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*created)}};
}

}  // namespace kura::rds
