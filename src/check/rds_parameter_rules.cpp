// rds-parameter-group (runbook 1.2): SQL mode, time zone, connection limits
// set explicitly in a parameter group of the team's, not left at a default.
#include "check/json_fields.h"
#include "check/rds_database.h"

namespace kura::check {

void checkRdsParameters(CheckContext& context, const RdsDatabase& database) {
  std::string group;
  if (database.cluster) {
    group = textOf(database.raw, "DBClusterParameterGroup");
  } else {
    for (const auto& entry : listOf(database.raw, "DBParameterGroups")) group = textOf(entry, "DBParameterGroupName");
  }
  if (group.empty()) {
    context.notCheckable("rds-parameter-group", database.arn, "the answer names no parameter group");
    return;
  }
  if (!group.starts_with("default.")) {
    context.passed("rds-parameter-group", database.arn, "parameter group " + group);
    return;
  }
  std::string rds = context.aws("rds");
  std::string family = group.substr(8);  // default groups are named default.<family>
  std::string own = database.id + "-params";
  context.failed("rds-parameter-group", database.arn, "the default parameter group " + group,
                 database.cluster
                     ? rds + " create-db-cluster-parameter-group --db-cluster-parameter-group-name " + own +
                           " --db-parameter-group-family " + family + " --description \"" + database.id + "\" && " +
                           database.modifyCommand(context) + " --db-cluster-parameter-group-name " + own
                     : rds + " create-db-parameter-group --db-parameter-group-name " + own +
                           " --db-parameter-group-family " + family + " --description \"" + database.id + "\" && " +
                           database.modifyCommand(context) + " --db-parameter-group-name " + own +
                           " --apply-immediately");
}

}  // namespace kura::check
