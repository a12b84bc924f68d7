// az-failure: a whole availability zone fails under a steady write
// workload. On Kura every node of the account's resources placed in the
// zone is killed at once (kura:InjectFault zone-failure): a Multi-AZ
// instance's primary (its standby in another zone takes over), an Aurora
// cluster's writer (a reader elsewhere is promoted), a replication group's
// members there (a replica elsewhere is promoted). --zone picks the zone;
// by default the primary's. Measured as instance-failure measures it: RTO
// until the workload's writes succeed steadily again, and the acknowledged
// writes lost (for Redis, within --max-lost: async_loss.h). Against an
// endpoint without Kura's fault API a database's reboot with failover
// stands in, and the report says so.
#include <fmt/format.h>

#include "drill/async_loss.h"
#include "drill/cache_target.h"
#include "drill/drill.h"
#include "drill/redis_workload.h"
#include "drill/sql_workload.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;

std::variant<InjectedFault, std::string> failZone(DrillContext& context, const DatabaseTarget& target) {
  Json input = {{"ResourceType", target.resourceType},
                {"ResourceIdentifier", target.identifier},
                {"Fault", "zone-failure"},
                {"DrillName", context.options().drillName}};
  if (!context.options().zone.empty()) input["AvailabilityZone"] = context.options().zone;
  InjectedFault injected;
  injected.at = context.elapsed();
  auto answer = context.client().call("kura", "InjectFault", input);
  if (const auto* output = client::outputOf(answer)) {
    injected.method = "kura:InjectFault";
    injected.atEngine = true;
    std::vector<std::string> nodes;
    std::string zone;
    for (const auto& node : output->value("Targets", Json::array())) {
      zone = node.value("AvailabilityZone", "");
      nodes.push_back(fmt::format("{} {}", node.value("ResourceIdentifier", ""), node.value("Role", "")));
    }
    injected.description = fmt::format("failure of the zone {} (SIGKILL of every node in it: {}) at the engine", zone,
                                       fmt::join(nodes, ", "));
    return injected;
  }
  const client::CallError& error = *client::errorOf(answer);
  bool lacksApi = error.notImplemented() || error.code == "UnknownService" ||
                  (context.options().endpointUrl.empty() && error.kind == client::CallErrorKind::Transport);
  if (!lacksApi) return "Kura's fault API refused the zone failure: " + error.describe();
  if (target.resourceType == "replication-group") {
    return "the endpoint has no fault injection at the engine (kura:InjectFault: " + error.describe() +
           "); a replication group's zone failure has no public API equivalent";
  }
  auto fallback = injectFault(context, target, "reboot", 0);
  if (auto* done = std::get_if<InjectedFault>(&fallback)) {
    done->notes.push_back("the endpoint has no fault injection at the engine (kura:InjectFault: " + error.describe() +
                          "); a zone failure has no public API equivalent: the reboot with failover stands in");
  }
  return fallback;
}

class AzFailure final : public Drill {
 public:
  std::string name() const override { return "az-failure"; }
  std::string summary() const override {
    return "kill every node of one zone (--zone, default the primary's) under a write workload; measure RTO and "
           "lost writes";
  }

  DrillResult run(DrillContext& context) override {
    auto resolved = resolveDrillTarget(context.client(), context.options());
    if (auto* problem = std::get_if<std::string>(&resolved)) return *problem;
    const DatabaseTarget& target = std::get<DatabaseTarget>(resolved);
    bool redis = target.resourceType == "replication-group";
    WorkloadPtr workload =
        redis ? makeRedisWorkload(target, freshWorkloadName()) : makeSqlWorkload(target, freshWorkloadName());
    DrillResult result = runUnderWorkload(context, target, *workload, [&] { return failZone(context, target); });
    if (auto* report = std::get_if<DrillReport>(&result); report && redis) {
      judgeAsynchronousLoss(*report, context.options().maxLost);
    }
    return result;
  }
};

const DrillRegistration registration{"az-failure", [] { return std::make_unique<AzFailure>(); }};

}  // namespace
}  // namespace kura::drill
