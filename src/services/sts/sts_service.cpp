#include "services/sts/sts_service.h"

#include "services/sts/sts_api.h"

namespace kura {
namespace {

class StsService final : public ServiceModule {
 public:
  StsService(Catalog& catalog, const SecretBox& secrets) : api_(catalog, secrets) {
    handlers_.add("GetCallerIdentity", [](const RequestContext& context, const Json&) -> Result<Json> {
      // Kura's own credentials are the account root; an IAM user's key
      // names its user, a role's session the session.
      bool root = context.userId.empty();
      std::string arn = root ? "arn:aws:iam::" + context.accountId + ":root" : context.userArn;
      return Json{{"Account", context.accountId}, {"Arn", arn}, {"UserId", root ? context.accountId : context.userId}};
    });
    handlers_.add("AssumeRole", [this](const RequestContext& c, const Json& in) { return api_.assumeRole(c, in); });
    handlers_.add("GetSessionToken",
                  [this](const RequestContext& c, const Json& in) { return api_.getSessionToken(c, in); });
  }
  std::string signingName() const override { return "sts"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  sts::StsApi api_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeStsService(const ServiceEnv& env, const SecretBox& secrets) {
  return std::make_unique<StsService>(*env.catalog, secrets);
}

}  // namespace kura
