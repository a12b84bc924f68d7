#pragma once
// Injects a drill's fault. On Kura, at the engine, through Kura's fault
// API (kura:InjectFault: kill or hang the primary's server, or fail a whole
// zone); against an endpoint without that API (moto, AWS) through the
// public API's nearest fault: RebootDBInstance with ForceFailover for a
// Multi-AZ instance, RebootDBInstance for a Single-AZ one, FailoverDBCluster
// for a cluster. The report says which it was, and why.
#include <string>
#include <variant>
#include <vector>

#include "drill/database_target.h"
#include "drill/drill_context.h"

namespace kura::drill {

struct InjectedFault {
  std::string description;  // "kill of the primary's server (zone us-east-1a)"
  std::string method;       // "kura:InjectFault" or "rds:RebootDBInstance"
  double at = 0;            // seconds since the drill started: just before the call
  bool atEngine = false;    // Kura's fault API, not the public API's fallback
  std::vector<std::string> notes;
};

// fault: "kill", "hang" or "zone-failure" at the engine (hangSeconds for
// "hang"), or "reboot": the public API's fault, even where Kura's is there.
std::variant<InjectedFault, std::string> injectFault(DrillContext& context, const DatabaseTarget& target,
                                                     const std::string& fault, int hangSeconds);

}  // namespace kura::drill
