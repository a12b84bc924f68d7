// instance-failure: the primary of an instance (or a cluster's writer)
// fails under a steady write workload. On Kura its server is killed
// (SIGKILL) or hung (SIGSTOP, --fault hang) at the engine: a Single-AZ
// instance is restarted by Kura's supervision, a Multi-AZ one fails over
// to its standby, a cluster promotes a reader. Elsewhere the public API's
// reboot (with failover) stands in. Measures RTO and the acknowledged
// writes lost.
#include "drill/database_target.h"
#include "drill/drill.h"
#include "drill/sql_workload.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

class InstanceFailure final : public Drill {
 public:
  std::string name() const override { return "instance-failure"; }
  std::string summary() const override {
    return "kill or hang the primary under a write workload; measure RTO and lost writes";
  }

  DrillResult run(DrillContext& context) override {
    auto resolved = resolveDatabase(context.client(), context.options());
    if (auto* problem = std::get_if<std::string>(&resolved)) return *problem;
    const DatabaseTarget& target = std::get<DatabaseTarget>(resolved);
    WorkloadPtr workload = makeSqlWorkload(target, freshWorkloadName());
    const DrillOptions& options = context.options();
    return runUnderWorkload(context, target, *workload,
                            [&] { return injectFault(context, target, options.fault, options.hangSeconds); });
  }
};

const DrillRegistration registration{"instance-failure", [] { return std::make_unique<InstanceFailure>(); }};

}  // namespace
}  // namespace kura::drill
