// RotateMasterUserPassword of ModifyDBInstance and ModifyDBCluster: the
// managed master secret rotated at once, as RDS does, through the same
// path as Secrets Manager's RotateSecret (the engine takes the new
// password before the secret's AWSCURRENT moves to it).
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

Result<Resource> RdsApi::rotateMasterPasswordNow(const RequestContext& c, const Resource& owner, const Json& in) {
  auto combination = [](std::string message) {
    return ApiError::sender("InvalidParameterCombination", std::move(message));
  };
  const bool cluster = owner.kind == kCluster;
  const char* identifier = cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier";
  if (!owner.spec.contains("MasterUserSecretArn")) {
    return combination("You can't specify RotateMasterUserPassword: the master user password of " + owner.name +
                       " isn't managed by Secrets Manager (ManageMasterUserPassword).");
  }
  if (!in.value("ApplyImmediately", false)) {
    return combination("You must specify ApplyImmediately when rotating the master user password.");
  }
  for (const auto& [member, value] : in.items()) {
    if (member != identifier && member != "ApplyImmediately" && member != "RotateMasterUserPassword") {
      return combination("Kura rotates the master user password in a modification of its own: send " + member +
                         " in another call. Nothing was done.");
    }
  }
  if (owner.status != kAvailable) {
    return ApiError::sender(cluster ? "InvalidDBClusterStateFault" : "InvalidDBInstanceState",
                            (cluster ? "DB cluster " : "DB instance ") + owner.name + " is " + owner.status +
                                ", not available.");
  }
  if (config_.managedSecrets == nullptr) return combination("Secrets Manager is not available on this Kura server.");
  auto rotated = config_.managedSecrets->rotateOwnedSecret(c, owner.spec["MasterUserSecretArn"].get<std::string>());
  if (!rotated) {
    // Secrets Manager's refusal (a rotation not finished, the owner busy) in RDS's words.
    if (rotated.error().code != "InvalidRequestException") return rotated.error();
    return ApiError::sender(cluster ? "InvalidDBClusterStateFault" : "InvalidDBInstanceState",
                            "The master user password of " + owner.name + " cannot be rotated now: " +
                                rotated.error().message);
  }
  return catalog_.getResourceByArn(owner.arn);
}

}  // namespace kura::rds
