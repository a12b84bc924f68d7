// Read replicas: an instance whose engine streams (asynchronously) from
// another instance's primary and answers reads only, until promoted.
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::rds {
namespace {

// What a replica takes from its source: the engine and the master user.
const char* const kFromSource[] = {"DBInstanceClass", "Engine", "EngineVersion", "EngineMajor", "MasterUsername",
                                   "MasterUserPasswordSealed", "AllocatedStorage", "StorageType",
                                   "StorageEncrypted", "KmsKeyId", "DBParameterGroupName", "DBName",
                                   "PreferredBackupWindow", "PreferredMaintenanceWindow"};

}  // namespace

Result<Json> RdsApi::createReadReplica(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBInstanceIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBInstanceIdentifier")) return *error;
  auto source = findInstance(c, in["SourceDBInstanceIdentifier"]);
  if (!source) return source.error();
  if (source->status != kAvailable) {
    return ApiError::sender("InvalidDBInstanceState", "Instance " + source->name + " is not in available state.");
  }
  if (source->spec.value("BackupRetentionPeriod", 0) == 0) {
    return ApiError::sender("InvalidDBInstanceState",
                            "Automated backups are not enabled for this database instance. To enable automated "
                            "backups, use ModifyDBInstance.");
  }
  if (isClusterMember(*source)) {
    return ApiError::sender("InvalidDBInstanceState", "An Aurora instance gets readers with CreateDBInstance "
                                                      "--db-cluster-identifier, not as read replicas.");
  }
  if (isReadReplica(*source)) {
    return ApiError::sender("InvalidDBInstanceState", "Kura cannot make a read replica of a read replica yet.");
  }
  // A Multi-AZ source is fine: the replica follows its primary across failovers.
  if (in.value("MultiAZ", false)) {
    return ApiError::sender("InvalidParameterCombination", "Kura does not make read replicas Multi-AZ yet.");
  }
  if (in.contains("KmsKeyId")) {
    // In its source's region a replica keeps its source's encryption.
    auto key = usableKmsKey(c, in["KmsKeyId"]);
    if (!key) return key.error();
    if (*key != source->spec.value("KmsKeyId", "")) {
      return ApiError::sender("InvalidParameterValue",
                              "A read replica keeps its source's encryption (" +
                                  source->spec.value("KmsKeyId", std::string("none")) +
                                  "): another KmsKeyId is not supported by Kura.");
    }
  }
  Json spec = {{"DBInstanceIdentifier", identifier},
               {"ReadReplicaSourceDBInstanceIdentifier", source->name},
               {"ReadReplicaSourceArn", source->arn},
               {"BackupRetentionPeriod", 0},
               {"MultiAZ", false},
               {"PubliclyAccessible", in.value("PubliclyAccessible", false)},
               {"AutoMinorVersionUpgrade", in.value("AutoMinorVersionUpgrade", true)},
               {"CopyTagsToSnapshot", in.value("CopyTagsToSnapshot", false)},
               {"DeletionProtection", in.value("DeletionProtection", false)}};
  for (const char* name : kFromSource) {
    if (source->spec.contains(name)) spec[name] = source->spec[name];
  }
  spec["IAMDatabaseAuthenticationEnabled"] =
      in.value("EnableIAMDatabaseAuthentication", source->spec.value("IAMDatabaseAuthenticationEnabled", false));
  // A replica lives in its source's subnet group unless it names one; its
  // security groups are the VPC's default unless it names them, as in RDS.
  spec["DBSubnetGroupName"] = source->spec.value("DBSubnetGroupName", "default");
  for (const char* name : {"DBInstanceClass", "StorageType", "DBParameterGroupName", "AvailabilityZone",
                           "DBSubnetGroupName", "VpcSecurityGroupIds"}) {
    if (in.contains(name)) spec[name] = in[name];
  }
  if (in.contains("Port")) spec["Port"] = in["Port"];
  if (auto error = takeStorageRequest(spec, in)) return *error;
  auto created = recordNewInstance(c, spec, tagsFromInput(in), "DB instance created as a read replica of " +
                                                                   source->name);
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*created)}};
}

Result<Json> RdsApi::promoteReadReplica(const RequestContext& c, const Json& in) {
  auto found = findInstance(c, in["DBInstanceIdentifier"]);
  if (!found) return found.error();
  Resource replica = *found;
  if (!isReadReplica(replica)) {
    return ApiError::sender("InvalidDBInstanceState", "DB Instance is not a read replica.");
  }
  if (replica.status != kAvailable) {
    return ApiError::sender("InvalidDBInstanceState", "Instance " + replica.name + " is not in available state.");
  }
  if (in.contains("BackupRetentionPeriod")) {
    if (auto error = checkRetention(in["BackupRetentionPeriod"])) return *error;
    replica.spec["BackupRetentionPeriod"] = in["BackupRetentionPeriod"];
  } else {
    replica.spec["BackupRetentionPeriod"] = 1;
  }
  if (in.contains("PreferredBackupWindow")) {
    if (auto error = checkBackupWindow(in["PreferredBackupWindow"].get<std::string>())) return *error;
    replica.spec["PreferredBackupWindow"] = in["PreferredBackupWindow"];
  }
  replica.state["PromotionRequested"] = true;
  replica.status = kModifying;
  replica.goal = kAvailable;
  auto stored = catalog_.updateResource(replica);
  if (!stored) return ApiError::sender("InvalidDBInstanceState", "The DB instance changed meanwhile; try again.");
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*stored)}};
}

}  // namespace kura::rds
