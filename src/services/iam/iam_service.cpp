#include "services/iam/iam_service.h"

#include "services/iam/iam_api.h"

namespace kura {
namespace {

class IamService final : public ServiceModule {
 public:
  IamService(Catalog& catalog, const SecretBox& secrets) : api_(catalog, secrets) { api_.registerHandlers(handlers_); }
  std::string signingName() const override { return "iam"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  iam::IamApi api_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeIamService(Catalog& catalog, const SecretBox& secrets) {
  return std::make_unique<IamService>(catalog, secrets);
}

namespace iam {

void IamApi::registerHandlers(HandlerTable& table) {
  auto bind = [this](Result<Json> (IamApi::*method)(const RequestContext&, const Json&)) {
    return [this, method](const RequestContext& c, const Json& in) { return (this->*method)(c, in); };
  };
  table.add("CreateUser", bind(&IamApi::createUser));
  table.add("GetUser", bind(&IamApi::getUser));
  table.add("ListUsers", bind(&IamApi::listUsers));
  table.add("DeleteUser", bind(&IamApi::deleteUser));
  table.add("CreateAccessKey", bind(&IamApi::createAccessKey));
  table.add("ListAccessKeys", bind(&IamApi::listAccessKeys));
  table.add("UpdateAccessKey", bind(&IamApi::updateAccessKey));
  table.add("DeleteAccessKey", bind(&IamApi::deleteAccessKey));
  table.add("CreatePolicy", bind(&IamApi::createPolicy));
  table.add("GetPolicy", bind(&IamApi::getPolicy));
  table.add("ListPolicies", bind(&IamApi::listPolicies));
  table.add("DeletePolicy", bind(&IamApi::deletePolicy));
  table.add("CreatePolicyVersion", bind(&IamApi::createPolicyVersion));
  table.add("GetPolicyVersion", bind(&IamApi::getPolicyVersion));
  table.add("ListPolicyVersions", bind(&IamApi::listPolicyVersions));
  table.add("SetDefaultPolicyVersion", bind(&IamApi::setDefaultPolicyVersion));
  table.add("DeletePolicyVersion", bind(&IamApi::deletePolicyVersion));
  table.add("AttachUserPolicy", bind(&IamApi::attachUserPolicy));
  table.add("DetachUserPolicy", bind(&IamApi::detachUserPolicy));
  table.add("ListAttachedUserPolicies", bind(&IamApi::listAttachedUserPolicies));
  table.add("PutUserPolicy", bind(&IamApi::putUserPolicy));
  table.add("GetUserPolicy", bind(&IamApi::getUserPolicy));
  table.add("DeleteUserPolicy", bind(&IamApi::deleteUserPolicy));
  table.add("ListUserPolicies", bind(&IamApi::listUserPolicies));
}

}  // namespace iam
}  // namespace kura
