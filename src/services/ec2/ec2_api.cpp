#include "services/ec2/ec2_api.h"

#include <functional>

#include "services/ec2/ec2_records.h"

namespace kura::ec2 {

Ec2Api::Ec2Api(Catalog& catalog) : catalog_(catalog) {}

void Ec2Api::registerHandlers(HandlerTable& table) {
  // Every call first makes the caller's default VPC (once), and answers
  // DryRun as EC2 does. `call` is a member or a function of (this, c, in).
  auto bind = [&](const std::string& operation, auto call) {
    table.add(operation, [this, call](const RequestContext& c, const Json& in) -> Result<Json> {
      ensureDefaultVpc(c);
      if (in.value("DryRun", false)) return dryRunError();
      return std::invoke(call, this, c, in);
    });
  };
  bind("CreateVpc", &Ec2Api::createVpc);
  bind("DeleteVpc", &Ec2Api::deleteVpc);
  bind("DescribeVpcs", &Ec2Api::describeVpcs);
  bind("CreateSubnet", &Ec2Api::createSubnet);
  bind("DeleteSubnet", &Ec2Api::deleteSubnet);
  bind("DescribeSubnets", &Ec2Api::describeSubnets);
  bind("DescribeAvailabilityZones", &Ec2Api::describeAvailabilityZones);
  bind("CreateSecurityGroup", &Ec2Api::createSecurityGroup);
  bind("DeleteSecurityGroup", &Ec2Api::deleteSecurityGroup);
  bind("DescribeSecurityGroups", &Ec2Api::describeSecurityGroups);
  bind("DescribeSecurityGroupRules", &Ec2Api::describeSecurityGroupRules);
  bind("AuthorizeSecurityGroupIngress",
       [](Ec2Api* api, const RequestContext& c, const Json& in) { return api->authorize(c, in, false); });
  bind("AuthorizeSecurityGroupEgress",
       [](Ec2Api* api, const RequestContext& c, const Json& in) { return api->authorize(c, in, true); });
  bind("RevokeSecurityGroupIngress",
       [](Ec2Api* api, const RequestContext& c, const Json& in) { return api->revoke(c, in, false); });
  bind("RevokeSecurityGroupEgress",
       [](Ec2Api* api, const RequestContext& c, const Json& in) { return api->revoke(c, in, true); });
  bind("CreateNetworkInterface", &Ec2Api::createNetworkInterface);
  bind("DeleteNetworkInterface", &Ec2Api::deleteNetworkInterface);
  bind("DescribeNetworkInterfaces", &Ec2Api::describeNetworkInterfaces);
  bind("ModifyNetworkInterfaceAttribute", &Ec2Api::modifyNetworkInterfaceAttribute);
  bind("DescribeNetworkInterfaceAttribute", &Ec2Api::describeNetworkInterfaceAttribute);
  bind("CreateTags", &Ec2Api::createTags);
  bind("DeleteTags", &Ec2Api::deleteTags);
  bind("DescribeTags", &Ec2Api::describeTags);
}

}  // namespace kura::ec2
