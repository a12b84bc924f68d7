#pragma once
// What `kura drill` was asked: which drill, against which resource of which
// endpoint, and how long it may take.
#include <string>

namespace kura::drill {

struct DrillOptions {
  std::string drillName;
  std::string endpointUrl, region, profile;
  std::string resource;            // a DB instance or cluster identifier
  std::string format = "table";    // what standard output gets: table or json
  std::string reportDir = ".";     // where the Markdown and HTML reports go
  int durationSeconds = 60;        // longest wait for recovery after the fault
  std::string fault = "kill";      // at the engine: kill or hang; reboot: the public API's (fault_injection.h)
  int hangSeconds = 10;            // how long a hang lasts
  std::string dbUser, dbPassword;  // empty: the master user and its managed secret
  std::string logGroup = "/kura/drills";
  int timeoutSeconds = 30;  // each HTTP step of the API calls
  std::string zone;         // az-failure: the zone that fails (empty: the primary's)
  int maxLost = -1;
  bool progress = false;  // steps on stderr even when it is not a terminal (drill_progress.h)         // Redis drills: acknowledged writes that may be lost (-1: any; reported)
};

}  // namespace kura::drill
