#include "check/rule_groups.h"

namespace kura::check {

void runAllRuleGroups(CheckContext& context) {
  checkRds(context);
  checkDynamoDb(context);
  checkElastiCache(context);
  checkSecretsManager(context);
  checkCloudTrail(context);
  checkTrailRetention(context);
  checkAlarms(context);
  checkDrills(context);
  checkKms(context);
}

}  // namespace kura::check
