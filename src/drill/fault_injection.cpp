#include "drill/fault_injection.h"

#include <fmt/format.h>

namespace kura::drill {
namespace {

using Json = nlohmann::json;

// Whether the endpoint lacks Kura's fault API, rather than refusing the call.
bool lacksFaultApi(const client::CallError& error, bool endpointGiven) {
  if (error.notImplemented() || error.code == "UnknownService") return true;
  // AWS has no "kura" endpoint at all.
  return !endpointGiven && error.kind == client::CallErrorKind::Transport;
}

std::variant<InjectedFault, std::string> publicApiFault(DrillContext& context, const DatabaseTarget& target,
                                                        InjectedFault fault) {
  std::string operation;
  Json input;
  if (target.resourceType == "db-cluster") {
    operation = "FailoverDBCluster";
    input = {{"DBClusterIdentifier", target.identifier}};
    fault.description = "failover of the cluster (FailoverDBCluster)";
  } else if (target.multiAz) {
    operation = "RebootDBInstance";
    input = {{"DBInstanceIdentifier", target.writerInstance}, {"ForceFailover", true}};
    fault.description = "reboot with failover (RebootDBInstance ForceFailover)";
  } else {
    operation = "RebootDBInstance";
    input = {{"DBInstanceIdentifier", target.writerInstance}};
    fault.description = "reboot (RebootDBInstance)";
  }
  fault.method = "rds:" + operation;
  fault.at = context.elapsed();
  auto answer = context.client().call("rds", operation, input);
  if (const auto* error = client::errorOf(answer)) return "the fault could not be injected: " + error->describe();
  return fault;
}

}  // namespace

std::variant<InjectedFault, std::string> injectFault(DrillContext& context, const DatabaseTarget& target,
                                                     const std::string& fault, int hangSeconds) {
  Json input = {{"ResourceType", target.resourceType},
                {"ResourceIdentifier", target.identifier},
                {"Fault", fault},
                {"DrillName", context.options().drillName}};
  if (fault == "hang") input["DurationSeconds"] = hangSeconds;
  InjectedFault injected;
  if (fault == "reboot") return publicApiFault(context, target, std::move(injected));  // asked for by name
  injected.at = context.elapsed();
  auto answer = context.client().call("kura", "InjectFault", input);
  if (const auto* output = client::outputOf(answer)) {
    injected.method = "kura:InjectFault";
    injected.atEngine = true;
    std::string what = fault == "hang"   ? fmt::format("hang ({} s, SIGSTOP then SIGCONT)", hangSeconds)
                       : fault == "kill" ? "kill (SIGKILL)"
                                         : "zone failure (SIGKILL of every node in the zone)";
    std::vector<std::string> targets;
    for (const auto& node : output->value("Targets", Json::array())) {
      targets.push_back(fmt::format("{} {} in {}", node.value("ResourceIdentifier", ""), node.value("Role", ""),
                                    node.value("AvailabilityZone", "")));
    }
    injected.description = fmt::format("{} of {} at the engine", what, fmt::join(targets, ", "));
    return injected;
  }
  const client::CallError& error = *client::errorOf(answer);
  if (!lacksFaultApi(error, !context.options().endpointUrl.empty())) {
    return "Kura's fault API refused the fault: " + error.describe();
  }
  injected.notes.push_back("the endpoint has no fault injection at the engine (kura:InjectFault: " + error.describe() +
                           "); the public API's fault was used instead");
  if (fault == "hang") injected.notes.push_back("a hang has no public API equivalent: a reboot stands in for it");
  return publicApiFault(context, target, std::move(injected));
}

}  // namespace kura::drill
