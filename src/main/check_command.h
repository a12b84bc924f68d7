#pragma once
#include <string>

namespace kura {

struct CheckArgs {
  std::string endpointUrl, region, profile;
  std::string format = "table";  // table, json, junit, sarif
  std::string failOn = "high";   // low, medium, high, critical
  std::string suppressionsFile;
  std::string outputFile;  // empty: standard output
  int timeoutSeconds = 30;
};

// `kura check`: audits the runbook's checklist through the public AWS APIs.
// Exit status 0 when nothing at or above --fail-on failed, 1 when something
// did, 2 on a usage, credentials or connection error.
int runCheck(const CheckArgs& args);

}  // namespace kura
