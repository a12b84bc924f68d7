#include "services/rds/retained_backups.h"

#include <cctype>

#include "catalog/arn.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

std::string retainedBackupArn(const Resource& instance) {
  std::string id = instance.spec.value("DbiResourceId", instance.name);
  std::string tail;
  for (char ch : id.rfind("db-", 0) == 0 ? id.substr(3) : id) {
    tail += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return makeArn("rds", instance.region, instance.accountId, "auto-backup:ab-" + tail);
}

bool deleteAutomatedSnapshotsOf(Catalog& catalog, const Resource& instance) {
  bool any = false;
  for (Resource snapshot : catalog.listAllOfKind(kSnapshot)) {
    if (!isSnapshotOf(snapshot, instance) || snapshot.spec.value("SnapshotType", "") != "automated" ||
        snapshot.goal == kDeleted) {
      continue;
    }
    snapshot.status = kDeleting;
    snapshot.goal = kDeleted;
    if (catalog.updateResource(snapshot)) any = true;
  }
  return any;
}

std::string retainedBackupHolder(Catalog& catalog, const std::string& accountId, const std::string& region,
                                 const std::string& dbi, const std::string& keptArn) {
  for (const Resource& instance : catalog.listAllOfKind(kInstance)) {
    if (instance.accountId != accountId || instance.region != region || instance.status == kDeleted) continue;
    if (!dbi.empty() && instance.spec.value("DbiResourceId", "") == dbi) {
      return "The automated backups of DB instance " + instance.name + " are active.";
    }
    if (!keptArn.empty() && instance.status == kCreating &&
        instance.spec.value("RestoreSource", nlohmann::json::object()).value("RetainedBackupArn", "") == keptArn) {
      return "DB instance " + instance.name + " is being restored from these backups.";
    }
  }
  return "";
}

Resource retainedBackupOf(const Resource& instance) {
  Resource record;
  record.accountId = instance.accountId;
  record.region = instance.region;
  record.service = kService;
  record.kind = kRetainedBackup;
  record.name = instance.spec.value("DbiResourceId", instance.name);
  record.arn = retainedBackupArn(instance);
  record.status = "retained";
  record.goal = "retained";
  record.spec = instance.spec;  // the settings a restore starts from
  record.spec["DBInstanceIdentifier"] = instance.name;
  record.spec["DBInstanceArn"] = instance.arn;
  record.spec["InstanceCreateTime"] = std::chrono::duration<double>(instance.createdAt.time_since_epoch()).count();
  record.spec["Port"] = instance.state.value("Port", instance.spec.value("Port", 5432));
  for (const char* member : {"EarliestRestorableTime", "LatestRestorableTime"}) {
    if (instance.state.contains(member)) record.state[member] = instance.state[member];
  }
  return record;
}

}  // namespace kura::rds
