// cache-node-failure: the primary of a Redis replication group (cluster
// mode disabled, automatic failover on) fails under a steady SADD workload
// through the group's primary endpoint. On Kura its Redis server is killed
// (SIGKILL, or hung with --fault hang) through kura:InjectFault; Kura's
// supervision promotes the replica furthest along and re-points the
// endpoint. RTO: until writes succeed steadily again. Redis replicates
// asynchronously, so acknowledged writes may be lost: the loss is
// reported, and fails the drill only beyond --max-lost (async_loss.h).
#include "drill/async_loss.h"
#include "drill/cache_target.h"
#include "drill/drill.h"
#include "drill/redis_workload.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

class CacheNodeFailure final : public Drill {
 public:
  std::string name() const override { return "cache-node-failure"; }
  std::string summary() const override {
    return "kill or hang a Redis replication group's primary under a write workload; measure RTO and lost writes";
  }

  DrillResult run(DrillContext& context) override {
    const DrillOptions& options = context.options();
    auto resolved = resolveReplicationGroup(context.client(), options);
    if (auto* problem = std::get_if<std::string>(&resolved)) return *problem;
    const DatabaseTarget& target = std::get<DatabaseTarget>(resolved);
    if (options.fault == "reboot") return "cache-node-failure injects its fault at the engine: --fault kill or hang";
    WorkloadPtr workload = makeRedisWorkload(target, freshWorkloadName());
    auto fault = [&] { return injectFault(context, target, options.fault, options.hangSeconds); };
    DrillResult result = runUnderWorkload(context, target, *workload, fault);
    if (auto* report = std::get_if<DrillReport>(&result)) {
      if (!target.multiAz) {
        report->notes.push_back("the group has no automatic failover: Kura restarts the primary where it is");
      }
      judgeAsynchronousLoss(*report, options.maxLost);
    }
    return result;
  }
};

const DrillRegistration registration{"cache-node-failure", [] { return std::make_unique<CacheNodeFailure>(); }};

}  // namespace
}  // namespace kura::drill
