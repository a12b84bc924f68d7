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
  table.add("CreateGroup", bind(&IamApi::createGroup));
  table.add("GetGroup", bind(&IamApi::getGroup));
  table.add("ListGroups", bind(&IamApi::listGroups));
  table.add("DeleteGroup", bind(&IamApi::deleteGroup));
  table.add("AddUserToGroup", bind(&IamApi::addUserToGroup));
  table.add("RemoveUserFromGroup", bind(&IamApi::removeUserFromGroup));
  table.add("ListGroupsForUser", bind(&IamApi::listGroupsForUser));
  table.add("CreateRole", bind(&IamApi::createRole));
  table.add("GetRole", bind(&IamApi::getRole));
  table.add("ListRoles", bind(&IamApi::listRoles));
  table.add("DeleteRole", bind(&IamApi::deleteRole));
  table.add("UpdateAssumeRolePolicy", bind(&IamApi::updateAssumeRolePolicy));
  table.add("UpdateRole", bind(&IamApi::updateRole));
  table.add("SimulatePrincipalPolicy", bind(&IamApi::simulatePrincipalPolicy));
  table.add("SimulateCustomPolicy", bind(&IamApi::simulateCustomPolicy));
  // The same calls on a user's, a group's and a role's policies and tags.
  using KindMethod = Result<Json> (IamApi::*)(const PrincipalKind&, const RequestContext&, const Json&);
  auto bindKind = [this](KindMethod method, const PrincipalKind& kind) {
    return [this, method, &kind](const RequestContext& c, const Json& in) { return (this->*method)(kind, c, in); };
  };
  for (const PrincipalKind* kind : {&PrincipalKind::user(), &PrincipalKind::group(), &PrincipalKind::role()}) {
    std::string noun = kind->Noun;
    table.add("Attach" + noun + "Policy", bindKind(&IamApi::attachPolicy, *kind));
    table.add("Detach" + noun + "Policy", bindKind(&IamApi::detachPolicy, *kind));
    table.add("ListAttached" + noun + "Policies", bindKind(&IamApi::listAttachedPolicies, *kind));
    table.add("Put" + noun + "Policy", bindKind(&IamApi::putInlinePolicy, *kind));
    table.add("Get" + noun + "Policy", bindKind(&IamApi::getInlinePolicy, *kind));
    table.add("Delete" + noun + "Policy", bindKind(&IamApi::deleteInlinePolicy, *kind));
    table.add("List" + noun + "Policies", bindKind(&IamApi::listInlinePolicies, *kind));
    if (kind == &PrincipalKind::group()) continue;  // IAM has no tags nor boundaries on groups
    table.add("Put" + noun + "PermissionsBoundary", bindKind(&IamApi::putPermissionsBoundary, *kind));
    table.add("Delete" + noun + "PermissionsBoundary", bindKind(&IamApi::deletePermissionsBoundary, *kind));
    table.add("Tag" + noun, bindKind(&IamApi::tagPrincipal, *kind));
    table.add("Untag" + noun, bindKind(&IamApi::untagPrincipal, *kind));
    table.add("List" + noun + "Tags", bindKind(&IamApi::listPrincipalTags, *kind));
  }
}

}  // namespace iam
}  // namespace kura
