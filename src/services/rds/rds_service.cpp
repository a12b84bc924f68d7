#include "services/rds/rds_service.h"

namespace kura {
namespace {

class RdsService final : public ServiceModule {
 public:
  RdsService(Catalog& catalog, Reconciler& reconciler, SecretBox& secrets, PortAllocator& ports,
             rds::RdsConfig config)
      : api_(catalog, reconciler, secrets, ports, std::move(config)) {
    api_.registerHandlers(handlers_);
  }
  std::string signingName() const override { return "rds"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  rds::RdsApi api_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeRdsService(Catalog& catalog, Reconciler& reconciler, SecretBox& secrets, PortAllocator& ports,
                                rds::RdsConfig config) {
  return std::make_unique<RdsService>(catalog, reconciler, secrets, ports, std::move(config));
}

}  // namespace kura
