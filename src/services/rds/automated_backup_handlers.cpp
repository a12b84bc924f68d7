// DescribeDBInstanceAutomatedBackups: the automated backups of live
// instances ("active") and those deleted instances kept ("retained",
// retained_backups.h), sorted by DbiResourceId, in pages; and
// DeleteDBInstanceAutomatedBackup of kept ones.
#include <algorithm>

#include "catalog/pagination.h"
#include "services/rds/describe_paging.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/retained_backups.h"

namespace kura::rds {
namespace {

Json automatedBackupView(const Resource& record, const std::string& status) {
  const Json& spec = record.spec;
  const bool kept = record.kind == kRetainedBackup;
  Json view = {{"DBInstanceArn", kept ? spec.value("DBInstanceArn", "") : record.arn},
               {"DbiResourceId", spec.value("DbiResourceId", "")},
               {"Region", record.region},
               {"DBInstanceIdentifier", kept ? spec.value("DBInstanceIdentifier", "") : record.name},
               {"Status", status},
               {"Port", kept ? spec.value("Port", 5432) : record.state.value("Port", spec.value("Port", 5432))},
               {"InstanceCreateTime",
                kept ? spec.value("InstanceCreateTime", 0.0)
                     : std::chrono::duration<double>(record.createdAt.time_since_epoch()).count()},
               {"MasterUsername", spec.value("MasterUsername", "")},
               {"Engine", spec.value("Engine", "")},
               {"EngineVersion", spec.value("EngineVersion", "")},
               {"LicenseModel", spec.value("Engine", "").find("postgres") != std::string::npos
                                    ? "postgresql-license" : "general-public-license"},
               {"AllocatedStorage", spec.value("AllocatedStorage", 20)},
               {"StorageType", spec.value("StorageType", "gp2")},
               {"Encrypted", spec.value("StorageEncrypted", false)},
               {"IAMDatabaseAuthenticationEnabled", spec.value("IAMDatabaseAuthenticationEnabled", false)},
               {"BackupRetentionPeriod", spec.value("BackupRetentionPeriod", 0)},
               {"DBInstanceAutomatedBackupsArn", kept ? record.arn : retainedBackupArn(record)}};
  if (spec.contains("KmsKeyId")) view["KmsKeyId"] = spec["KmsKeyId"];
  if (spec.contains("AvailabilityZone")) view["AvailabilityZone"] = spec["AvailabilityZone"];
  if (record.state.contains("EarliestRestorableTime") && record.state.contains("LatestRestorableTime")) {
    view["RestoreWindow"] = {{"EarliestTime", record.state["EarliestRestorableTime"]},
                             {"LatestTime", record.state["LatestRestorableTime"]}};
  }
  return view;
}

}  // namespace

Result<Json> RdsApi::describeAutomatedBackups(const RequestContext& c, const Json& in) {
  auto limit = pageSizeOf(in);
  if (!limit) return limit.error();
  std::vector<std::string> statuses, instances, resources;
  if (in.contains("DbiResourceId")) resources.push_back(in["DbiResourceId"]);
  if (in.contains("DBInstanceIdentifier")) instances.push_back(lowerCase(in["DBInstanceIdentifier"].get<std::string>()));
  for (const auto& filter : in.value("Filters", Json::array())) {
    std::string name = filter.value("Name", "");
    auto values = filter.value("Values", Json::array()).get<std::vector<std::string>>();
    if (name == "status") {
      statuses.insert(statuses.end(), values.begin(), values.end());
    } else if (name == "db-instance-id") {
      for (const auto& value : values) instances.push_back(lowerCase(value));
    } else if (name == "dbi-resource-id") {
      resources.insert(resources.end(), values.begin(), values.end());
    } else {
      return ApiError::sender("InvalidParameterValue", "Unrecognized filter name: " + name);
    }
  }
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  std::vector<std::pair<std::string, Json>> found;  // by DbiResourceId
  auto consider = [&](const Resource& record, const std::string& status) {
    if (record.accountId != c.accountId || record.region != c.region) return;
    Json view = automatedBackupView(record, status);
    std::string dbi = view["DbiResourceId"];
    std::string arn = view["DBInstanceAutomatedBackupsArn"];
    if (in.contains("DBInstanceAutomatedBackupsArn") && in["DBInstanceAutomatedBackupsArn"] != arn) return;
    if (!listedIn(statuses, status) || !listedIn(resources, dbi)) return;
    if (!instances.empty() && !listedIn(instances, view["DBInstanceIdentifier"].get<std::string>()) &&
        !listedIn(instances, view["DBInstanceArn"].get<std::string>())) {
      return;
    }
    if (!after.empty() && dbi <= after) return;
    found.emplace_back(dbi, std::move(view));
  };
  for (const Resource& instance : catalog_.listAllOfKind(kInstance)) {
    if (instance.status == kDeleted || instance.status == kDeleting || isClusterMember(instance) ||
        instance.spec.value("BackupRetentionPeriod", 0) == 0) {
      continue;
    }
    consider(instance, "active");
  }
  for (const Resource& kept : catalog_.listAllOfKind(kRetainedBackup)) consider(kept, kept.status);
  if (found.empty() && after.empty() && (in.contains("DbiResourceId") || in.contains("DBInstanceAutomatedBackupsArn"))) {
    return ApiError::sender("DBInstanceAutomatedBackupNotFound", "No automated backup was found.", 404);
  }
  return pageOfKeyed(std::move(found), *limit, "DBInstanceAutomatedBackups");
}

Result<Json> RdsApi::deleteAutomatedBackup(const RequestContext& c, const Json& in) {
  Result<Resource> kept = in.contains("DBInstanceAutomatedBackupsArn")
                              ? catalog_.getResourceByArn(in["DBInstanceAutomatedBackupsArn"])
                              : catalog_.getResource(c.accountId, c.region, kRetainedBackup, in.value("DbiResourceId", ""));
  const std::string dbi = kept ? kept->name : in.value("DbiResourceId", "");
  // In one transaction with its checks: a restore from these backups is
  // recorded either before (and seen here) or after (and refused there).
  auto marked = catalog_.transact([&]() -> Result<Json> {
    // An instance that has (or still has, while it is deleted) these
    // backups, or a restore from them under way: they stay.
    if (std::string holder = retainedBackupHolder(catalog_, c.accountId, c.region, dbi, kept ? kept->arn : "");
        !holder.empty()) {
      return ApiError::sender("InvalidDBInstanceAutomatedBackupState", holder);
    }
    if (!kept || kept->kind != kRetainedBackup || kept->accountId != c.accountId || kept->region != c.region) {
      return ApiError::sender("DBInstanceAutomatedBackupNotFound", "No retained automated backup was found.", 404);
    }
    if (kept->status != "retained") {
      return ApiError::sender("InvalidDBInstanceAutomatedBackupState",
                              "The automated backup is " + kept->status + ", not retained.");
    }
    Resource record = *kept;
    Json view = automatedBackupView(record, "deleting");
    record.status = kDeleting;
    record.goal = kDeleted;
    auto stored = catalog_.updateResource(record);
    if (!stored) return stored.error();
    return Json{{"DBInstanceAutomatedBackup", view}};
  });
  if (marked) reconciler_.wake();
  return marked;
}

}  // namespace kura::rds
