#include "check/check_run.h"

#include "check/check_context.h"
#include "check/rule_groups.h"

namespace kura::check {

std::string probeEndpoint(client::AwsClient& client) {
  client::CallResult answer = client.call("sts", "GetCallerIdentity", nlohmann::json::object());
  const client::CallError* error = client::errorOf(answer);
  if (error == nullptr || error->notImplemented()) return {};
  std::string endpoint = client.endpointFor("sts").url();
  if (error->kind == client::CallErrorKind::Transport) return "cannot reach " + endpoint + ": " + error->message;
  if (error->httpStatus == 401 || error->httpStatus == 403) {
    return endpoint + " refused the credentials (" + client.identity().credentials.source + "): " + error->describe();
  }
  return {};
}

CheckReport runCheck(client::AwsClient& client, ClockPtr clock, const std::string& endpointUrl,
                     const std::vector<Suppression>& suppressions) {
  CheckContext context(client, clock, endpointUrl);
  runAllRuleGroups(context);
  CheckReport report;
  report.endpoint = endpointUrl.empty() ? std::string("AWS") : endpointUrl;
  report.region = client.identity().region;
  report.results = context.takeResults();
  applySuppressions(suppressions, clock->now(), report);
  return report;
}

}  // namespace kura::check
