#include "services/ec2/security_policy.h"

#include "catalog/catalog.h"
#include "services/ec2/ec2_kinds.h"

namespace kura::ec2 {
namespace {

class CatalogSecurityPolicy final : public SecurityPolicy {
 public:
  explicit CatalogSecurityPolicy(Catalog& catalog) : catalog_(catalog) {}

  bool admitsTcp(const std::string& accountId, const std::string& region, const std::vector<std::string>& groupIds,
                 const ConnectionSource& source, int port) const override {
    for (const std::string& groupId : groupIds) {
      auto group = catalog_.getResource(accountId, region, kSecurityGroup, groupId);
      if (!group) continue;
      for (const SecurityRule& rule : rulesOf(group->spec, false)) {
        if (rule.admitsTcp(source, port)) return true;
      }
    }
    return false;
  }

  bool groupsExist(const std::string& accountId, const std::string& region,
                   const std::vector<std::string>& groupIds) const override {
    return missingGroups(accountId, region, groupIds).empty();
  }

  std::vector<std::string> missingGroups(const std::string& accountId, const std::string& region,
                                         const std::vector<std::string>& groupIds) const override {
    std::vector<std::string> missing;
    for (const std::string& groupId : groupIds) {
      if (!catalog_.getResource(accountId, region, kSecurityGroup, groupId)) missing.push_back(groupId);
    }
    return missing;
  }

 private:
  Catalog& catalog_;
};

}  // namespace

SecurityPolicyPtr makeCatalogSecurityPolicy(Catalog& catalog) {
  return std::make_unique<CatalogSecurityPolicy>(catalog);
}

}  // namespace kura::ec2
