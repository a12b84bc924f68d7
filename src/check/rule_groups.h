#pragma once
// The rule groups, one per area of the runbook. Each reads what it needs
// through the context and adds its results; a new area (the last drill per
// resource, say) is one more function here and in runAllRuleGroups.
#include "check/check_context.h"

namespace kura::check {

void checkRds(CheckContext& context);             // section 1
void checkDynamoDb(CheckContext& context);        // section 2
void checkElastiCache(CheckContext& context);     // section 3
void checkSecretsManager(CheckContext& context);  // section 1.4
void checkCloudTrail(CheckContext& context);      // sections 2.3, 3.3, 5
void checkTrailRetention(CheckContext& context);  // section 5: audit events kept long
void checkAlarms(CheckContext& context);          // section 4.2
void checkDrills(CheckContext& context);          // sections 4.2, 5: the last drill per database
void checkKms(CheckContext& context);             // section 1.4; last: it reads the keys the others noted

// Every group, in that order.
void runAllRuleGroups(CheckContext& context);

}  // namespace kura::check
