#include <algorithm>

#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "catalog/pending_maintenance.h"
#include "catalog/resource_event.h"
#include "common/certificate_authority.h"
#include "common/crash_point.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "services/rds/db_network.h"
#include "services/rds/describe_paging.h"
#include "services/rds/engine_log_files.h"
#include "services/rds/multi_az_change.h"
#include "services/rds/mysql_engines.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/rds_views.h"
#include "services/rds/serverless_capacity.h"
#include "services/rds/zone_choice.h"

namespace kura::rds {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}

std::string dbiResourceId() {
  std::string id = newUuid();
  std::string out = "db-";
  for (char c : id) {
    if (c != '-' && out.size() < 29) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

Result<Resource> RdsApi::findInstance(const RequestContext& c, const std::string& identifier) {
  return findOfKind(c, identifier, kInstance, "DBInstanceNotFound", "DBInstance");
}

Json RdsApi::replicaNamesOf(const std::string& sourceArn) {
  Json names = Json::array();
  for (const Resource& other : catalog_.listReadReplicasOf(sourceArn)) {
    if (other.kind == kInstance && other.status != kDeleted && isReadReplica(other)) names.push_back(other.name);
  }
  return names;
}

void RdsApi::readForPage(const std::vector<std::string>& arns, InstancePageReads& reads) {
  reads.tags = catalog_.listTagsOf(arns);
  for (const std::string& arn : arns) reads.replicaNames[arn] = Json::array();
  // As replicaNamesOf, by id.
  for (const Resource& other : catalog_.listReadReplicasOfAny(arns)) {
    if (other.kind == kInstance && other.status != kDeleted && isReadReplica(other)) {
      reads.replicaNames[other.spec["ReadReplicaSourceArn"].get<std::string>()].push_back(other.name);
    }
  }
  reads.read = true;
}

Json RdsApi::instanceJson(const Resource& instance, InstancePageReads* page, const Json* base) {
  std::map<std::string, Json>* subnetGroupViews = page != nullptr ? &page->subnetGroupViews : nullptr;
  bool pageRead = page != nullptr && page->read;
  std::vector<Tag> noTags;
  const std::vector<Tag>* tags = &noTags;
  std::vector<Tag> ownTags;
  if (pageRead) {
    auto found = page->tags.find(instance.arn);
    if (found != page->tags.end()) tags = &found->second;
  } else {
    ownTags = catalog_.listTags(instance.arn);
    tags = &ownTags;
  }
  Json view;
  if (base != nullptr) {
    view = *base;
    view["TagList"] = tagListView(*tags);
  } else {
    view = instanceView(instance, *tags);
  }
  if (auto restart = automaticRestartTime(instance, config_.stopLimit)) {
    view["AutomaticRestartTime"] = toEpochSeconds(*restart);
  }
  if (const CertificateAuthority* ca = config_.certificateAuthority) {
    // Its server certificate is the CA's (renewed before it ends).
    view["CACertificateIdentifier"] = ca->identifier();
    view["CertificateDetails"] = {{"CAIdentifier", ca->identifier()}};
    if (config_.serverCertificateValidTill) {
      if (auto until = config_.serverCertificateValidTill(instance)) {
        view["CertificateDetails"]["ValidTill"] = toEpochSeconds(*until);
      }
    }
  }
  // Replication, both ways: the source lists its replicas.
  if (pageRead && page->replicaNames.count(instance.arn) != 0) {
    view["ReadReplicaDBInstanceIdentifiers"] = page->replicaNames[instance.arn];
  } else {
    view["ReadReplicaDBInstanceIdentifiers"] = replicaNamesOf(instance.arn);
  }
  // Its network: the subnet group (and its subnets) and the security groups.
  RequestContext owner;
  owner.accountId = instance.accountId;
  owner.region = instance.region;
  if (instance.spec.contains("DBSubnetGroupName")) {
    std::string name = instance.spec["DBSubnetGroupName"];
    const Json* known = nullptr;
    if (subnetGroupViews != nullptr) {
      auto found = subnetGroupViews->find(name);
      if (found != subnetGroupViews->end()) known = &found->second;
    }
    if (known != nullptr) {
      if (!known->is_null()) view["DBSubnetGroup"] = *known;
    } else {
      Json group = nullptr;
      if (auto found = findDbSubnetGroup(catalog_, owner, name)) {
        group = dbSubnetGroupView(catalog_, owner, *found);
        group.erase("SupportedNetworkTypes");
        view["DBSubnetGroup"] = group;
      }
      if (subnetGroupViews != nullptr) subnetGroupViews->emplace(name, std::move(group));
    }
  }
  if (isClusterMember(instance)) {
    // The cluster's backups cover its instances; its security groups are theirs.
    if (auto cluster = catalog_.getResourceByArn(instance.spec.value("ClusterArn", ""))) {
      view["BackupRetentionPeriod"] = cluster->spec.value("BackupRetentionPeriod", 1);
      view["VpcSecurityGroups"] = securityGroupMemberships(cluster->spec);
      view["IAMDatabaseAuthenticationEnabled"] = cluster->spec.value("IAMDatabaseAuthenticationEnabled", false);
    }
  }
  if (isReadReplica(instance)) {
    view["ReadReplicaSourceDBInstanceIdentifier"] = instance.spec["ReadReplicaSourceDBInstanceIdentifier"];
    // As the supervisor last saw it: streaming from the source's primary, or not.
    std::string state = instance.state.value("ReplicationState", "replicating");
    Json info = {{"StatusType", "read replication"}, {"Normal", state == "replicating"}, {"Status", state}};
    if (state != "replicating") info["Message"] = "The replica does not stream from its source at the moment.";
    view["StatusInfos"] = Json::array({info});
  }
  return view;
}

void RdsApi::addEvent(const Resource& resource, const std::string& message, std::vector<std::string> categories) {
  catalog_.addEvent(eventAbout(resource, message, std::move(categories)));
}

Result<Resource> RdsApi::recordNewInstance(const RequestContext& c, Json spec, const std::vector<Tag>& tags,
                                           const std::string& eventMessage) {
  std::string identifier = spec["DBInstanceIdentifier"];
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kInstance;
  draft.name = identifier;
  draft.arn = makeArn("rds", c.region, c.accountId, "db:" + identifier);
  draft.status = kCreating;
  draft.goal = kAvailable;
  spec["DbiResourceId"] = dbiResourceId();
  // The instance starts with its parameter group's values.
  bool aurora = spec.contains("ClusterArn");
  std::string engine = spec.value("Engine", aurora ? kAuroraEngine : "postgres");
  // However it is made (a restore or a replica takes its source's class
  // unless it names one), an instance runs as a class RDS has: its memory
  // bounds the instance's server.
  if (auto error = checkInstanceClass(spec.value("DBInstanceClass", ""), engine, spec.value("EngineVersion", ""))) {
    return *error;
  }
  auto group = findParameterGroup(c, spec.value("DBParameterGroupName", defaultParameterGroupOf(engine)));
  if (!group) return group.error();
  if (auto error = checkGroupFits(*group, engine)) return *error;
  spec["DBParameterGroupName"] = group->name;
  // Its subnet group decides its zones; its security groups must be in that group's VPC.
  if (auto placed = placeInstanceNetwork(catalog_, c, spec); !placed) return placed.error();
  return catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kInstance, identifier).ok()) {
      return ApiError::sender("DBInstanceAlreadyExists", "DB instance already exists", 400);
    }
    std::optional<int> wanted;
    if (spec.contains("Port")) wanted = spec["Port"].get<int>();
    auto port = ports_.allocate(draft.arn, wanted);
    if (!port) {
      return wanted ? invalid("Port " + std::to_string(*wanted) + " is in use on this host; choose another or omit Port.")
                    : ApiError::sender("InsufficientDBInstanceCapacity",
                                       "No free engine port is left in Kura's port range.");
    }
    Json nodes;
    std::optional<int> enginePort;
    if (!spec.value("MultiAZ", false)) {
      // The engine's own port: the proxy owns the endpoint port, where the
      // instance's security groups admit connections.
      enginePort = ports_.allocate(draft.arn + "#engine");
      if (!enginePort) {
        return ApiError::sender("InsufficientDBInstanceCapacity", "No free engine port is left in Kura's port range.");
      }
    } else {
      // Two nodes in two zones of its subnet group behind the endpoint, each on a port of its own.
      std::string zone = spec.value("AvailabilityZone", "");
      std::string other = spec.value("SecondaryAvailabilityZone", "");
      auto first = ports_.allocate(draft.arn + "#node-a");
      auto second = ports_.allocate(draft.arn + "#node-b");
      if (!first || !second) {
        return ApiError::sender("InsufficientDBInstanceCapacity", "No free engine port is left in Kura's port range.");
      }
      nodes = {{"a", {{"Port", *first}, {"AvailabilityZone", zone}}}, {"b", {{"Port", *second}, {"AvailabilityZone", other}}}};
    }
    draft.spec = spec;
    draft.state = {{"Port", *port},
                   {"Address", config_.endpointAddress},
                   {"DbiResourceId", spec["DbiResourceId"]},
                   {"Parameters", group->spec.value("Parameters", Json::object())},
                   {"AppliedParameterGroup", group->name},
                   {"AppliedParameterVersion", group->spec.value("Version", 0)}};
    if (enginePort) draft.state["EnginePort"] = *enginePort;
    if (!nodes.is_null()) {
      draft.state["Nodes"] = nodes;
      draft.state["Primary"] = "a";
      draft.state["StandbyReady"] = false;
    }
    auto created = catalog_.createResource(draft);
    if (!created) return created;
    catalog_.addTags(created->arn, tags);
    addEvent(*created, eventMessage, {"creation"});
    return created;
  });
}

Result<Json> RdsApi::createInstance(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBInstanceIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBInstanceIdentifier")) return *error;
  std::string engine = lowerCase(in.value("Engine", ""));
  if (in.contains("DBClusterIdentifier")) return createClusterInstance(c, in);
  if (engine.rfind("aurora", 0) == 0) {
    return combination("An instance of engine " + engine + " is made with DBClusterIdentifier, in an Aurora cluster.");
  }
  const bool mySql = servedByMariaDb(engine);
  if (engine != "postgres" && !mySql) {
    return invalid("Invalid DB engine: " + engine + ". Kura runs the postgres, mysql and mariadb engines.");
  }
  std::string major, version;
  if (mySql) {
    // MySQL and MariaDB instances run on the installed MariaDB server.
    if (config_.installedMariaDbVersion.empty()) {
      return combination("No MariaDB server is installed on this Kura host: it cannot run " + engine + " instances.");
    }
    auto served = mySqlVersionOf(engine, in.value("EngineVersion", ""), config_.installedMariaDbVersion);
    if (!served) return combination("Cannot find version " + in.value("EngineVersion", "") + " for " + engine);
    version = served->version;
    major = served->major;
  } else {
    if (config_.installedPostgresMajor == 0) {
      return ApiError::sender("InvalidParameterCombination", "No PostgreSQL server is installed on this Kura host.");
    }
    major = std::to_string(config_.installedPostgresMajor);
    version = in.value("EngineVersion", major);
    if (version != major && version.rfind(major + ".", 0) != 0) {
      return combination("Cannot find version " + version + " for postgres");
    }
  }
  if (!in.contains("MasterUsername")) return invalid("The parameter MasterUsername must be provided and must not be blank.");
  if (auto error = checkMasterUsername(in["MasterUsername"].get<std::string>())) return *error;
  bool managed = in.value("ManageMasterUserPassword", false);
  if (managed && in.contains("MasterUserPassword")) {
    return combination("You can't specify MasterUserPassword and ManageMasterUserPassword at the same time.");
  }
  if (!managed && in.contains("MasterUserSecretKmsKeyId")) {
    return combination("You can't specify MasterUserSecretKmsKeyId without ManageMasterUserPassword.");
  }
  if (managed && config_.managedSecrets == nullptr) {
    return combination("Secrets Manager is not available on this Kura server.");
  }
  if (!managed && !in.contains("MasterUserPassword")) {
    return invalid("The parameter MasterUserPassword must be provided and must not be blank.");
  }
  if (!managed) {
    if (auto error = checkMasterPassword(in["MasterUserPassword"].get<std::string>())) return *error;
  }
  bool encrypted = in.value("StorageEncrypted", false);
  if (in.contains("KmsKeyId") && !encrypted) {
    return combination("KmsKeyId is given, but StorageEncrypted is not true.");
  }
  std::string kmsKeyArn;
  if (encrypted) {
    auto key = usableKmsKey(c, in.value("KmsKeyId", "alias/aws/rds"));
    if (!key) return key.error();
    kmsKeyArn = *key;
  }
  int64_t retention = in.value("BackupRetentionPeriod", 1);
  if (auto error = checkRetention(retention)) return *error;
  std::string backupWindow = in.value("PreferredBackupWindow", "17:00-17:30");
  if (auto error = checkBackupWindow(backupWindow)) return *error;
  std::string maintenanceWindow = in.value("PreferredMaintenanceWindow", "sun:18:00-sun:18:30");
  if (auto error = checkMaintenanceWindow(maintenanceWindow)) return *error;
  int64_t storage = in.value("AllocatedStorage", 20);
  if (storage < 20 || storage > 65536) {
    return invalid("Invalid storage size for engine name " + engine + " and storage type gp2: " + std::to_string(storage));
  }
  if (in.contains("Port") && (in["Port"].get<int>() < 1150 || in["Port"].get<int>() > 65535)) {
    return invalid("Invalid port " + std::to_string(in["Port"].get<int>()) + ". The port must be between 1150 and 65535.");
  }

  std::string password = managed ? toHex(randomBytes(16)) : in["MasterUserPassword"].get<std::string>();
  Json spec = {{"DBInstanceIdentifier", identifier},
               {"DBInstanceClass", in["DBInstanceClass"]},
               {"Engine", engine},
               {"EngineVersion", version},
               {"EngineMajor", major},
               {"MasterUsername", in["MasterUsername"]},
               {"MasterUserPasswordSealed", secrets_.seal(password)},
               {"AllocatedStorage", storage},
               {"BackupRetentionPeriod", retention},
               {"PreferredBackupWindow", backupWindow},
               {"PreferredMaintenanceWindow", maintenanceWindow},
               {"MultiAZ", in.value("MultiAZ", false)},
               {"AutoMinorVersionUpgrade", in.value("AutoMinorVersionUpgrade", true)},
               {"PubliclyAccessible", in.value("PubliclyAccessible", false)},
               {"StorageType", in.value("StorageType", "gp2")},
               {"StorageEncrypted", in.value("StorageEncrypted", false)},
               {"CopyTagsToSnapshot", in.value("CopyTagsToSnapshot", false)},
               {"DeletionProtection", in.value("DeletionProtection", false)},
               {"IAMDatabaseAuthenticationEnabled", in.value("EnableIAMDatabaseAuthentication", false)},
               {"DBParameterGroupName", in.value("DBParameterGroupName", defaultParameterGroupOf(engine))},
               {"DBName", in.value("DBName", "")}};
  if (spec["DBName"] == "") spec.erase("DBName");
  if (encrypted) spec["KmsKeyId"] = kmsKeyArn;
  if (in.contains("Port")) spec["Port"] = in["Port"];
  if (in.contains("EnableCloudwatchLogsExports")) {
    if (auto error = checkLogTypes(engine, version, in["EnableCloudwatchLogsExports"])) return *error;
    spec["EnabledCloudwatchLogsExports"] = in["EnableCloudwatchLogsExports"];
  }
  if (in.contains("MaxAllocatedStorage")) {
    if (auto error = checkMaxAllocatedStorage(storage, in["MaxAllocatedStorage"].get<int64_t>(), false)) return *error;
    spec["MaxAllocatedStorage"] = in["MaxAllocatedStorage"];
  }
  // Checked and settled where every new instance is recorded (db_network.h).
  for (const char* name : {"AvailabilityZone", "DBSubnetGroupName", "VpcSecurityGroupIds"}) {
    if (in.contains(name)) spec[name] = in[name];
  }

  if (managed) {
    // As RDS does: the master password lives in a secret RDS owns, made
    // before the instance so that the instance never exists without it.
    auto secret = keepMasterPasswordInSecret(c, spec, "rds!" + lowerCase(dbiResourceId()), password,
                                             in.value("MasterUserSecretKmsKeyId", ""));
    if (!secret) return secret.error();
    crashPoint("rds-managed-secret-created");  // a secret no record names yet: deleted at the next start
  }
  auto created = recordNewInstance(c, spec, tagsFromInput(in), "Creating DB instance");
  if (!created) {
    if (managed) config_.managedSecrets->deleteOwnedSecret(c, spec["MasterUserSecretArn"]);
    return created.error();
  }
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*created)}};
}

Result<std::string> RdsApi::usableKmsKey(const RequestContext& c, const std::string& keyRef) {
  if (config_.keys == nullptr) return combination("KMS is not available on this Kura server.");
  auto key = config_.keys->usableKey({c.accountId, c.region}, keyRef);
  if (!key) {
    if (key.error().code == "NotFoundException") {
      return ApiError::sender("KMSKeyNotAccessibleFault", "The specified KMS key [" + keyRef + "] does not exist.");
    }
    return ApiError::sender("KMSKeyNotAccessibleFault", "The KMS key " + keyRef + " is not accessible: " +
                                                            key.error().message);
  }
  return key->arn();
}

void RdsApi::sealMasterPassword(Json& spec, const std::string& password) {
  spec["MasterUserPasswordSealed"] = secrets_.seal(password);
  spec["PasswordGeneration"] = spec.value("PasswordGeneration", 0) + 1;
}

Result<Resource> RdsApi::changeMasterPassword(Resource instance, const std::string& password) {
  sealMasterPassword(instance.spec, password);
  return storeModified(std::move(instance), true);
}

Result<Resource> RdsApi::storeModified(Resource instance, bool passwordChange) {
  return catalog_.transact([&]() -> Result<Resource> {
    if (passwordChange && instance.status == kAvailable) {
      // The controller applies the new password to the engine, then returns to available.
      instance.status = kModifying;
      instance.goal = kAvailable;
      instance.state["PendingModifiedValues"] = {{"MasterUserPassword", "****"}};
    }
    auto stored = catalog_.updateResource(instance);
    if (stored) addEvent(*stored, "Updated to use a modified configuration", {"configuration change"});
    return stored;
  });
}

Result<bool> RdsApi::rotateManagedPassword(const RequestContext& c, const std::string& secretArn,
                                           const std::string& password) {
  for (const Resource& instance : catalog_.listAllOfKind(kInstance)) {
    if (instance.accountId != c.accountId || instance.region != c.region ||
        instance.spec.value("MasterUserSecretArn", "") != secretArn) {
      continue;
    }
    // Already the instance's password: in place once the instance is available again.
    auto sealed = secrets_.open(instance.spec.value("MasterUserPasswordSealed", ""));
    if (sealed && *sealed == password) return instance.status == kAvailable;
    if (instance.status != kAvailable) {
      return ApiError::sender("InvalidDBInstanceState",
                              "DB instance " + instance.name + " is " + instance.status + ", not available: try the "
                              "rotation again when it is available.");
    }
    auto changed = changeMasterPassword(instance, password);
    if (!changed) return changed.error();
    reconciler_.wake();
    return false;
  }
  for (const Resource& cluster : catalog_.listAllOfKind(kCluster)) {
    if (cluster.accountId == c.accountId && cluster.region == c.region && cluster.status != kDeleted &&
        cluster.spec.value("MasterUserSecretArn", "") == secretArn) {
      return rotateClusterPassword(cluster, password);
    }
  }
  return ApiError::sender("DBInstanceNotFound", "No DB instance uses the secret " + secretArn + ".");
}

Result<Json> RdsApi::describeInstances(const RequestContext& c, const Json& in) {
  auto limit = pageSizeOf(in);
  if (!limit) return limit.error();
  std::vector<std::string> ids, engines, resourceIds, clusters;
  if (in.contains("DBInstanceIdentifier")) ids.push_back(in["DBInstanceIdentifier"]);
  for (const auto& filter : in.value("Filters", Json::array())) {
    std::string name = filter.value("Name", "");
    auto values = filter.value("Values", Json::array()).get<std::vector<std::string>>();
    if (name == "db-instance-id") {
      ids.insert(ids.end(), values.begin(), values.end());
    } else if (name == "engine") {
      engines.insert(engines.end(), values.begin(), values.end());
    } else if (name == "dbi-resource-id") {
      resourceIds.insert(resourceIds.end(), values.begin(), values.end());
    } else if (name == "db-cluster-id") {
      for (const auto& value : values) clusters.push_back(value.rfind("arn:", 0) == 0 ? value : lowerCase(value));
    } else if (name == "domain") {
      return Json{{"DBInstances", Json::array()}};  // Kura has no domains
    } else {
      return invalid("Unrecognized filter name: " + name);
    }
  }
  if (in.contains("DBInstanceIdentifier")) {
    auto found = findInstance(c, in["DBInstanceIdentifier"]);
    if (!found) return found.error();
  }
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  auto in_list = [](const std::vector<std::string>& list, const std::string& a, const std::string& b) {
    return list.empty() || std::find(list.begin(), list.end(), a) != list.end() ||
           std::find(list.begin(), list.end(), b) != list.end();
  };
  auto matchesBeyondIds = [&](const Resource& r) {
    return r.status != kDeleted && in_list(engines, r.spec.value("Engine", ""), r.spec.value("Engine", "")) &&
           in_list(resourceIds, r.spec.value("DbiResourceId", ""), r.spec.value("DbiResourceId", "")) &&
           (clusters.empty() || (isClusterMember(r) && in_list(clusters, r.spec.value("DBClusterIdentifier", ""),
                                                                r.spec.value("ClusterArn", ""))));
  };
  if (!ids.empty()) {
    // Named instances are read by name or ARN, not looked for among the
    // region's: the same cost at 10 and at 10,000 instances.
    std::vector<Resource> named;
    for (const std::string& id : ids) {
      auto found = id.rfind("arn:", 0) == 0 ? catalog_.getResourceByArn(id)
                                            : catalog_.getResource(c.accountId, c.region, kInstance, lowerCase(id));
      if (!found || found->kind != kInstance || found->accountId != c.accountId || found->region != c.region ||
          found->name <= after || !matchesBeyondIds(*found)) {
        continue;
      }
      bool seen = std::any_of(named.begin(), named.end(), [&](const Resource& r) { return r.id == found->id; });
      if (!seen) named.push_back(*found);
    }
    InstancePageReads reads;
    std::vector<std::string> arns;
    for (const Resource& r : named) arns.push_back(r.arn);
    readForPage(arns, reads);
    return pageOfRecords(std::move(named), *limit, "DBInstances",
                         [&](const Resource& r) { return instanceJson(r, &reads); });
  }
  // Filtering happens after the catalog's page: read on until the page is
  // full (and one more, which tells a Marker is due), then render the page
  // with its tags and replicas read once for all of it. Records and their
  // views are kept from earlier pages (rendered_instances.h).
  std::vector<std::shared_ptr<const Resource>> kept;
  bool more = false;
  bool committed = true;
  auto known = [this](const Resource& row) { return rendered_.record(row); };
  while (!more) {
    SharedResourcePage page = catalog_.listResources(c.accountId, c.region, kInstance, after, *limit + 1, known);
    committed = committed && page.committed;
    for (auto& r : page.items) {
      after = r->name;
      if (!matchesBeyondIds(*r)) continue;
      if (kept.size() == *limit) {
        more = true;
        break;
      }
      kept.push_back(std::move(r));
    }
    if (!page.truncated) break;
  }
  InstancePageReads reads;
  std::vector<std::string> arns;
  for (const auto& r : kept) arns.push_back(r->arn);
  readForPage(arns, reads);
  Json out = {{"DBInstances", Json::array()}};
  auto render = [](const Resource& r) { return instanceView(r, {}); };
  for (const auto& r : kept) {
    auto base = committed ? rendered_.view(r, render) : nullptr;
    out["DBInstances"].push_back(instanceJson(*r, &reads, base.get()));
  }
  if (more) out["Marker"] = encodeAfterName(kept.back()->name);
  return out;
}

Result<std::string> RdsApi::keepMasterPasswordInSecret(const RequestContext& c, Json& spec, const std::string& name,
                                                       const std::string& password, const std::string& kmsKey) {
  auto secret = config_.managedSecrets->createOwnedSecret(c, "rds", name, spec.value("MasterUsername", ""), password,
                                                          kmsKey);
  if (!secret) return secret.error();
  spec["MasterUserSecretArn"] = *secret;
  spec["MasterUserSecretKmsKeyId"] = kmsKey.empty() ? "alias/aws/secretsmanager" : kmsKey;
  return *secret;
}

Result<std::string> RdsApi::switchToManagedPassword(const RequestContext& c, const Json& in, Json& spec) {
  bool managed = spec.contains("MasterUserSecretArn");
  if (!in.contains("ManageMasterUserPassword")) {
    if (in.contains("MasterUserSecretKmsKeyId")) {
      return combination("You can't specify MasterUserSecretKmsKeyId without ManageMasterUserPassword.");
    }
    return std::string();
  }
  if (!in["ManageMasterUserPassword"].get<bool>()) {
    if (!managed) return std::string();
    return invalid("The parameter ManageMasterUserPassword is not supported by Kura as false: a managed master "
                   "password does not go back to one of your own. Nothing was done.");
  }
  if (managed) {
    if (in.contains("MasterUserSecretKmsKeyId")) {
      return invalid("The parameter MasterUserSecretKmsKeyId is not supported by Kura for a password already "
                     "managed: its secret keeps its key. Nothing was done.");
    }
    return std::string();
  }
  if (in.contains("MasterUserPassword")) {
    return combination("You can't specify MasterUserPassword and ManageMasterUserPassword at the same time.");
  }
  if (config_.managedSecrets == nullptr) return combination("Secrets Manager is not available on this Kura server.");
  // As RDS does: a new password, in a secret RDS owns, set on the instance
  // as a password change is. The secret is made first: one a crash leaves
  // unnamed by any record is deleted at the next start.
  std::string password = toHex(randomBytes(16));
  auto secret = keepMasterPasswordInSecret(c, spec, "rds!" + lowerCase(dbiResourceId()), password,
                                           in.value("MasterUserSecretKmsKeyId", ""));
  if (!secret) return secret.error();
  sealMasterPassword(spec, password);
  return *secret;
}

Result<Json> RdsApi::modifyInstance(const RequestContext& c, const Json& asked) {
  Json in = asked;  // what applies now (settings held for the maintenance window are taken out)
  auto found = findInstance(c, in["DBInstanceIdentifier"]);
  if (!found) return found.error();
  Resource instance = *found;
  if (instance.status != kAvailable && instance.status != kStopped) {
    return ApiError::sender("InvalidDBInstanceState",
                            "Database instance is not in available state. Current state: " + instance.status);
  }
  if (in.value("RotateMasterUserPassword", false)) {
    auto rotated = rotateMasterPasswordNow(c, instance, in);
    if (!rotated) return rotated.error();
    return Json{{"DBInstance", instanceJson(*rotated)}};
  }
  if (isClusterMember(instance)) {
    for (const char* name : {"MultiAZ", "MasterUserPassword", "ManageMasterUserPassword", "MasterUserSecretKmsKeyId",
                             "BackupRetentionPeriod", "PreferredBackupWindow", "AllocatedStorage", "StorageType",
                             "VpcSecurityGroupIds"}) {
      if (in.contains(name)) {
        return combination(std::string("The instance is a member of a DB cluster: ") + name +
                           " is the cluster's setting (ModifyDBCluster).");
      }
    }
  }
  if (in.contains("CACertificateIdentifier")) {
    // Kura has one CA (per data directory), whose certificates every
    // instance already serves: naming it changes nothing; another is none.
    std::string asked = in["CACertificateIdentifier"].get<std::string>();
    const CertificateAuthority* ca = config_.certificateAuthority;
    if (ca == nullptr || asked != ca->identifier()) {
      return ApiError::sender("CertificateNotFound",
                              "CertificateIdentifier " + asked + " doesn't refer to an existing certificate.", 404);
    }
    in.erase("CACertificateIdentifier");
  }
  if (in.contains("BackupRetentionPeriod")) {
    if (auto error = checkRetention(in["BackupRetentionPeriod"])) return *error;
  }
  if (in.contains("DBInstanceClass")) {
    if (auto error = checkInstanceClass(in["DBInstanceClass"].get<std::string>(), instance.spec.value("Engine", ""),
                                        instance.spec.value("EngineVersion", ""))) {
      return *error;
    }
    // A cluster's instance carries the cluster's capacity range (cluster_handlers.cpp).
    if (in["DBInstanceClass"] == kServerlessClass && !instance.spec.contains(kServerlessScaling)) {
      return noScalingRange();
    }
  }
  if (in.contains("MultiAZ") && in["MultiAZ"].get<bool>() && isReadReplica(instance)) {
    return combination("Kura does not make read replicas Multi-AZ yet.");
  }
  if (in.contains("AllocatedStorage") || in.contains("MaxAllocatedStorage")) {
    // With what waits for the maintenance window, which an immediate
    // modification applies too, and which the window applies beside a
    // maximum changed now.
    Json effective = in;
    Json held = instance.state.value("PendingMaintenance", Json::object());
    if (!effective.contains("AllocatedStorage") && held.contains("AllocatedStorage") &&
        held["AllocatedStorage"].get<int64_t>() > instance.spec.value("AllocatedStorage", int64_t{20})) {
      effective["AllocatedStorage"] = held["AllocatedStorage"];
    }
    if (auto error = checkStorageChange(instance.spec, effective)) return *error;
  }
  // As RDS does: the instance class, storage, Multi-AZ, and turning backups
  // on or off wait for the maintenance window unless ApplyImmediately; an
  // immediate modification also applies what was waiting.
  holdForMaintenanceWindow(in, instance,
                           {"DBInstanceClass", "AllocatedStorage", "StorageType", "MultiAZ", "BackupRetentionPeriod"},
                           in.value("ApplyImmediately", false), [&](const std::string& name) {
                             // A retention change waits only when it turns backups on or off.
                             return name != "BackupRetentionPeriod" ||
                                    (in[name] == 0) != (instance.spec.value("BackupRetentionPeriod", 0) == 0);
                           });
  // A held allocation an immediate modification applies now, which storage
  // autoscaling has passed meanwhile, is dropped: the allocation never shrinks.
  if (in.contains("AllocatedStorage") &&
      in["AllocatedStorage"].get<int64_t>() < instance.spec.value("AllocatedStorage", int64_t{20})) {
    in.erase("AllocatedStorage");
  }
  bool multiAzChange = in.contains("MultiAZ") && in["MultiAZ"].get<bool>() != instance.spec.value("MultiAZ", false);
  if (multiAzChange) {
    // Turned on or off online: the controller moves the data between the
    // instance's folder and its two nodes, with a short restart.
    if (instance.status != kAvailable) {
      return ApiError::sender("InvalidDBInstanceState", "Multi-AZ can be changed only on an available instance.");
    }
    // Replicas of the instance follow its primary wherever the change puts it.
    if (in.contains("MasterUserPassword")) {
      return combination("Change Multi-AZ and the master password in two modifications.");
    }
  }
  if (in.contains("EngineVersion") && in["EngineVersion"] != instance.spec["EngineVersion"]) {
    return combination("Cannot upgrade postgres from " + instance.spec.value("EngineVersion", "") + " to " +
                       in["EngineVersion"].get<std::string>() + ": Kura runs the installed major version only.");
  }
  if (in.contains("NewDBInstanceIdentifier")) return combination("Kura cannot rename DB instances yet.");
  Json& spec = instance.spec;
  if (in.contains("DBSubnetGroupName") &&
      lowerCase(in["DBSubnetGroupName"].get<std::string>()) != spec.value("DBSubnetGroupName", "default")) {
    return combination("Kura cannot move a DB instance to another DB subnet group yet.");
  }
  if (in.contains("VpcSecurityGroupIds")) {
    // As RDS does: security groups change at once, whatever ApplyImmediately says.
    auto groups = checkedSecurityGroups(catalog_, c, &in["VpcSecurityGroupIds"],
                                        vpcOfResource(catalog_, c, spec), "DB instance");
    if (!groups) return groups.error();
    spec["VpcSecurityGroupIds"] = *groups;
  }
  if (in.contains("BackupRetentionPeriod")) spec["BackupRetentionPeriod"] = in["BackupRetentionPeriod"];  // checked above
  if (in.contains("PreferredBackupWindow")) {
    if (auto error = checkBackupWindow(in["PreferredBackupWindow"].get<std::string>())) return *error;
    spec["PreferredBackupWindow"] = in["PreferredBackupWindow"];
  }
  if (in.contains("PreferredMaintenanceWindow")) {
    if (auto error = checkMaintenanceWindow(in["PreferredMaintenanceWindow"].get<std::string>())) return *error;
    spec["PreferredMaintenanceWindow"] = in["PreferredMaintenanceWindow"];
  }
  // Storage autoscaling waits six hours after a change of the allocation (storage_use.h).
  if (in.contains("AllocatedStorage") && in["AllocatedStorage"] != spec.value("AllocatedStorage", Json(20))) {
    instance.state["StorageChangedAt"] = toEpochSeconds(catalog_.clock()->now());
  }
  for (const char* name : {"DeletionProtection", "CopyTagsToSnapshot", "AutoMinorVersionUpgrade", "DBInstanceClass",
                           "AllocatedStorage", "MaxAllocatedStorage", "StorageType", "PubliclyAccessible"}) {
    if (in.contains(name)) spec[name] = in[name];
  }
  // A maximum set equal to the allocation turns storage autoscaling off
  // (as RDS does): not shown. (One autoscaling reached stays shown.)
  if (in.contains("MaxAllocatedStorage") && spec["MaxAllocatedStorage"] == spec.value("AllocatedStorage", Json(20))) {
    spec.erase("MaxAllocatedStorage");
  }
  // At once, as RDS applies it: the order in which a cluster's readers
  // are chosen by a failover (db_cluster_controller.cpp).
  if (in.contains("PromotionTier")) {
    int64_t tier = in["PromotionTier"].get<int64_t>();
    if (tier < 0 || tier > 15) return invalid("PromotionTier must be between 0 and 15.");
    spec["PromotionTier"] = tier;
  }
  // At once, whatever ApplyImmediately says: the engine asks Kura at each login.
  if (in.contains("EnableIAMDatabaseAuthentication")) {
    spec["IAMDatabaseAuthenticationEnabled"] = in["EnableIAMDatabaseAuthentication"];
  }
  bool passwordChange = in.contains("MasterUserPassword");
  if (passwordChange && spec.contains("MasterUserSecretArn")) {
    return combination("The master password of " + instance.name + " is managed in Secrets Manager: rotate the secret.");
  }
  if (passwordChange) {
    if (auto error = checkMasterPassword(in["MasterUserPassword"].get<std::string>())) return *error;
    sealMasterPassword(spec, in["MasterUserPassword"].get<std::string>());
  }
  if (in.contains("CloudwatchLogsExportConfiguration")) {
    if (auto error = changeLogExports(spec, in["CloudwatchLogsExportConfiguration"])) return *error;
  }
  if (in.contains("DBParameterGroupName")) {
    auto group = findParameterGroup(c, in["DBParameterGroupName"]);
    if (!group) return group.error();
    if (auto error = checkGroupFits(*group, instance.spec.value("Engine", "postgres"))) return *error;
    spec["DBParameterGroupName"] = group->name;
    instance.state["ParameterApplyStatus"] = "pending-reboot";
  }
  if (multiAzChange) {
    bool on = in["MultiAZ"].get<bool>();
    if (on) {
      // The standby goes to another zone of the instance's subnet group.
      auto placement = placeInZones(zonesOfInstance(catalog_, c, spec), spec.value("AvailabilityZone", ""), true);
      if (!placement) return placement.error();
      spec["SecondaryAvailabilityZone"] = placement->secondary;
    }
    if (auto refused = recordMultiAzChange(instance, on, ports_)) return *refused;
    instance.status = kModifying;
    addEvent(instance, on ? "Applying modification to convert to a Multi-AZ DB Instance"
                          : "Applying modification to convert to a standard (Single-AZ) DB Instance",
             {"configuration change"});
  }
  // Last of the checks: a secret made here is deleted if the change is not stored.
  auto managedNow = switchToManagedPassword(c, in, spec);
  if (!managedNow) {
    if (multiAzChange) releaseMultiAzChange(instance, ports_);
    return managedNow.error();
  }
  passwordChange = passwordChange || !managedNow->empty();
  auto updated = storeModified(instance, passwordChange);
  if (!updated && !managedNow->empty()) config_.managedSecrets->deleteOwnedSecret(c, *managedNow);
  if (!updated) releaseMultiAzChange(instance, ports_);
  if (!updated) {
    if (updated.error().code == catalog_errors::kVersionConflict) {
      return ApiError::sender("InvalidDBInstanceState", "The DB instance changed meanwhile; try again.");
    }
    return updated.error();
  }
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*updated)}};
}

Result<Json> RdsApi::deleteInstance(const RequestContext& c, const Json& in) {
  auto found = findInstance(c, in["DBInstanceIdentifier"]);
  if (!found) return found.error();
  Resource instance = *found;
  if (instance.spec.value("DeletionProtection", false)) {
    return combination("Cannot delete protected DB Instance, please disable deletion protection and try again.");
  }
  bool skip = in.value("SkipFinalSnapshot", false);
  std::string finalSnapshot = in.value("FinalDBSnapshotIdentifier", "");
  if (isClusterMember(instance)) {
    // The cluster keeps the data: its instances take no final snapshot.
    if (!finalSnapshot.empty()) {
      return combination("FinalDBSnapshotIdentifier can not be specified when deleting a cluster instance.");
    }
    skip = true;
    // As in Aurora: no instance leaves a stopped cluster (nor one on its way).
    auto cluster = catalog_.getResourceByArn(instance.spec.value("ClusterArn", ""));
    if (cluster && (cluster->status == kStopped || cluster->status == kStopping || cluster->status == kStarting)) {
      return ApiError::sender("InvalidDBClusterStateFault", "DB cluster " + cluster->name + " is in " +
                                                                cluster->status + " state: start it before deleting " +
                                                                "its instances.");
    }
  }
  if (!skip && finalSnapshot.empty()) {
    return combination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.");
  }
  if (skip && !finalSnapshot.empty()) {
    return combination("Cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot.");
  }
  if (instance.status == kDeleting) {
    return ApiError::sender("InvalidDBInstanceState", "Instance " + instance.name + " is already being deleted.");
  }
  if (!skip) {
    finalSnapshot = lowerCase(finalSnapshot);
    if (auto error = checkIdentifier(finalSnapshot, "FinalDBSnapshotIdentifier", 255)) return *error;
    if (instance.status != kAvailable) {
      return ApiError::sender("InvalidDBInstanceState",
                              "Instance " + instance.name + " is not available: a final snapshot cannot be taken.");
    }
  }
  auto result = catalog_.transact([&]() -> Result<Resource> {
    if (!skip) {
      auto snapshot = recordSnapshot(c, instance, finalSnapshot, "manual", {});
      if (!snapshot) return snapshot.error();
      instance.spec["FinalDBSnapshotIdentifier"] = finalSnapshot;
    }
    instance.spec["DeleteAutomatedBackups"] = in.value("DeleteAutomatedBackups", true);
    instance.status = kDeleting;
    instance.goal = kDeleted;
    auto stored = catalog_.updateResource(instance);
    if (stored) addEvent(*stored, "DB instance is being deleted", {"deletion"});
    return stored;
  });
  if (!result) return result.error();
  crashPoint("rds-instance-deletion-recorded");  // its secret is then deleted at the next start
  // RDS deletes the master secret it manages with the instance.
  if (config_.managedSecrets != nullptr && result->spec.contains("MasterUserSecretArn")) {
    config_.managedSecrets->deleteOwnedSecret(c, result->spec["MasterUserSecretArn"]);
  }
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*result)}};
}

Result<Json> RdsApi::rebootInstance(const RequestContext& c, const Json& in) {
  auto found = findInstance(c, in["DBInstanceIdentifier"]);
  if (!found) return found.error();
  Resource instance = *found;
  if (instance.status != kAvailable) {
    return ApiError::sender("InvalidDBInstanceState",
                            "Database instance is not in available state. Current state: " + instance.status);
  }
  if (in.value("ForceFailover", false)) {
    if (isClusterMember(instance)) return combination("Use FailoverDBCluster to fail over an Aurora cluster.");
    if (!instance.spec.value("MultiAZ", false)) {
      return combination("Cannot force a failover: the instance is not Multi-AZ.");
    }
    instance.state["FailoverRequested"] = true;
  }
  instance.status = kRebooting;
  instance.goal = kAvailable;
  auto stored = catalog_.updateResource(instance);
  if (!stored) return ApiError::sender("InvalidDBInstanceState", "The DB instance changed meanwhile; try again.");
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*stored)}};
}

Result<Json> RdsApi::stopInstance(const RequestContext& c, const Json& in) {
  auto found = findInstance(c, in["DBInstanceIdentifier"]);
  if (!found) return found.error();
  Resource instance = *found;
  if (instance.status != kAvailable) {
    return ApiError::sender("InvalidDBInstanceState",
                            "Instance " + instance.name + " is not in available state. Current state: " + instance.status);
  }
  if (in.contains("DBSnapshotIdentifier")) {
    return combination("Kura does not take a snapshot on stop yet; call CreateDBSnapshot first.");
  }
  if (isClusterMember(instance)) {
    // As Aurora answers: a cluster's instances stop with it (StopDBCluster).
    return combination(instance.spec.value("Engine", std::string("aurora")) +
                       " DB instances are not eligible for stopping and starting.");
  }
  instance.status = kStopping;
  instance.goal = kStopped;
  auto stored = catalog_.updateResource(instance);
  if (!stored) return ApiError::sender("InvalidDBInstanceState", "The DB instance changed meanwhile; try again.");
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*stored)}};
}

Result<Json> RdsApi::startInstance(const RequestContext& c, const Json& in) {
  auto found = findInstance(c, in["DBInstanceIdentifier"]);
  if (!found) return found.error();
  Resource instance = *found;
  if (instance.status != kStopped) {
    return ApiError::sender("InvalidDBInstanceState",
                            "Instance " + instance.name + " is not stopped, it is " + instance.status + ".");
  }
  if (isClusterMember(instance)) {
    return combination(instance.spec.value("Engine", std::string("aurora")) +
                       " DB instances are not eligible for stopping and starting.");
  }
  instance.status = kStarting;
  instance.goal = kAvailable;
  auto stored = catalog_.updateResource(instance);
  if (!stored) return ApiError::sender("InvalidDBInstanceState", "The DB instance changed meanwhile; try again.");
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*stored)}};
}

}  // namespace kura::rds
