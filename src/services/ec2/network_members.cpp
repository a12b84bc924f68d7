#include "services/ec2/network_members.h"

#include <algorithm>

#include "catalog/catalog.h"
#include "services/ec2/ec2_kinds.h"

namespace kura::ec2 {

std::vector<std::string> groupsOfAddress(Catalog& catalog, const std::string& accountId, const std::string& region,
                                         const IpAddress& source) {
  // Records keep the canonical text, so one comparison of text suffices.
  const std::string wanted = addressText(unmapped(source));
  std::vector<std::string> groups;
  std::string after;
  while (true) {
    ResourcePage page = catalog.listResources(accountId, region, kNetworkInterface, after, 500);
    for (const Resource& interface : page.items) {
      if (interface.spec.value("PrivateIpAddress", "") != wanted) continue;
      for (const auto& group : interface.spec.value("Groups", nlohmann::json::array())) {
        if (!group.is_string()) continue;
        std::string id = group.get<std::string>();
        if (std::find(groups.begin(), groups.end(), id) == groups.end()) groups.push_back(id);
      }
    }
    if (!page.truncated || page.items.empty()) return groups;
    after = page.items.back().name;
  }
}

}  // namespace kura::ec2
