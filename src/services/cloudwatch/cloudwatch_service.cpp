#include "services/cloudwatch/cloudwatch_service.h"

#include "common/periodic_task.h"
#include "services/cloudwatch/cloudwatch_api.h"

namespace kura {
namespace {

class CloudWatchService final : public ServiceModule {
 public:
  CloudWatchService(const ServiceEnv& env, MetricStore& metrics, AlarmStore* alarms)
      : ownAlarms_(alarms == nullptr ? std::make_unique<AlarmStore>(env.dataDir) : nullptr),
        api_(env, metrics, alarms != nullptr ? *alarms : *ownAlarms_),
        metrics_(metrics),
        pass_("CloudWatch alarms", std::chrono::seconds(1), [this] {
          api_.evaluateAlarms();
          // Hourly: datapoints past the retention go.
          if (api_.now() - prunedAt_ > 3600) {
            metrics_.prune(api_.now());
            prunedAt_ = api_.now();
          }
        }) {
    api_.bind(handlers_);
  }
  std::string signingName() const override { return "monitoring"; }
  const HandlerTable& handlers() const override { return handlers_; }
  void start() override { pass_.start(); }
  void stop() override { pass_.stop(); }

 private:
  std::unique_ptr<AlarmStore> ownAlarms_;
  CloudWatchApi api_;
  MetricStore& metrics_;
  HandlerTable handlers_;
  double prunedAt_ = 0;
  PeriodicTask pass_;
};

}  // namespace

ServiceModulePtr makeCloudWatchService(const ServiceEnv& env, MetricStore& store, AlarmStore* alarms) {
  return std::make_unique<CloudWatchService>(env, store, alarms);
}

}  // namespace kura
