#include "services/sts/sts_service.h"

namespace kura {
namespace {

class StsService final : public ServiceModule {
 public:
  StsService() {
    handlers_.add("GetCallerIdentity", [](const RequestContext& context, const Json&) -> Result<Json> {
      bool root = context.userName.empty() || context.userName == "root";
      std::string arn = root ? "arn:aws:iam::" + context.accountId + ":root"
                             : "arn:aws:iam::" + context.accountId + ":user/" + context.userName;
      return Json{{"Account", context.accountId}, {"Arn", arn},
                  {"UserId", root ? context.accountId : context.accessKeyId}};
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
