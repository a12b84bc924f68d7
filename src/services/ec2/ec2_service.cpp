#include "services/ec2/ec2_service.h"

#include "services/ec2/ec2_api.h"

namespace kura {
namespace {

class Ec2Service final : public ServiceModule {
 public:
  explicit Ec2Service(Catalog& catalog) : api_(catalog) { api_.registerHandlers(handlers_); }
  std::string signingName() const override { return "ec2"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  ec2::Ec2Api api_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeEc2Service(Catalog& catalog) { return std::make_unique<Ec2Service>(catalog); }

}  // namespace kura
