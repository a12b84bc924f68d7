#include "services/sts/sts_service.h"

namespace kura {
namespace {

class StsService final : public ServiceModule {
 public:
  StsService() {
    handlers_.add("GetCallerIdentity", [](const RequestContext& context, const Json&) -> Result<Json> {
      // Kura's own credentials are the account root; an IAM user's key
      // names its user.
      bool root = context.userId.empty();
      std::string arn = root ? "arn:aws:iam::" + context.accountId + ":root" : context.userArn;
      return Json{{"Account", context.accountId}, {"Arn", arn}, {"UserId", root ? context.accountId : context.userId}};
    });
  }
  std::string signingName() const override { return "sts"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeStsService(const ServiceEnv&) { return std::make_unique<StsService>(); }

}  // namespace kura
