#include "services/ec2/ec2_api.h"

#include "services/ec2/ec2_records.h"

namespace kura::ec2 {

Ec2Api::Ec2Api(Catalog& catalog) : catalog_(catalog) {}

void Ec2Api::registerHandlers(HandlerTable& table) {
  // Every call first makes the caller's default VPC (once), and answers
  // DryRun as EC2 does.
  auto bind = [&](const std::string& operation, auto method) {
    table.add(operation, [this, method](const RequestContext& c, const Json& in) -> Result<Json> {
      ensureDefaultVpc(c);
      if (in.value("DryRun", false)) return dryRunError();
      return (this->*method)(c, in);
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
  bind("CreateTags", &Ec2Api::createTags);
  bind("DeleteTags", &Ec2Api::deleteTags);
  bind("DescribeTags", &Ec2Api::describeTags);
  auto bindRules = [&](const std::string& operation, bool authorize, bool egress) {
    table.add(operation, [this, authorize, egress](const RequestContext& c, const Json& in) -> Result<Json> {
      ensureDefaultVpc(c);
      if (in.value("DryRun", false)) return dryRunError();
      return authorize ? this->authorize(c, in, egress) : revoke(c, in, egress);
    });
  };
  bindRules("AuthorizeSecurityGroupIngress", true, false);
  bindRules("AuthorizeSecurityGroupEgress", true, true);
  bindRules("RevokeSecurityGroupIngress", false, false);
  bindRules("RevokeSecurityGroupEgress", false, true);
}

}  // namespace kura::ec2
