#pragma once
// The EC2 API's network part, as databases need it: VPCs, subnets,
// security groups and their rules, network interfaces (the addresses
// clients connect from, and their groups), tags. Every account gets a
// default VPC in each region (172.31.0.0/16, one default subnet per zone,
// its default security group) at its first EC2 call there. Records live in the catalog
// (ec2_kinds.h), one transaction per call; nothing is reconciled.
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "services/core/handler_table.h"

namespace kura::ec2 {

class Ec2Api {
 public:
  explicit Ec2Api(Catalog& catalog);
  void registerHandlers(HandlerTable& table);

  // Makes the caller's default VPC, its subnets and security group, once per
  // account and region.
  void ensureDefaultVpc(const RequestContext& c);

  // VPCs and subnets (vpc_handlers.cpp)
  Result<Json> createVpc(const RequestContext& c, const Json& in);
  Result<Json> deleteVpc(const RequestContext& c, const Json& in);
  Result<Json> describeVpcs(const RequestContext& c, const Json& in);
  Result<Json> createSubnet(const RequestContext& c, const Json& in);
  Result<Json> deleteSubnet(const RequestContext& c, const Json& in);
  Result<Json> describeSubnets(const RequestContext& c, const Json& in);
  Result<Json> describeAvailabilityZones(const RequestContext& c, const Json& in);
  // Security groups and rules (security_group_handlers.cpp)
  Result<Json> createSecurityGroup(const RequestContext& c, const Json& in);
  Result<Json> deleteSecurityGroup(const RequestContext& c, const Json& in);
  Result<Json> describeSecurityGroups(const RequestContext& c, const Json& in);
  Result<Json> describeSecurityGroupRules(const RequestContext& c, const Json& in);
  Result<Json> authorize(const RequestContext& c, const Json& in, bool egress);
  Result<Json> revoke(const RequestContext& c, const Json& in, bool egress);
  // Network interfaces: client addresses and their groups
  // (network_interface_handlers.cpp)
  Result<Json> createNetworkInterface(const RequestContext& c, const Json& in);
  Result<Json> deleteNetworkInterface(const RequestContext& c, const Json& in);
  Result<Json> describeNetworkInterfaces(const RequestContext& c, const Json& in);
  Result<Json> modifyNetworkInterfaceAttribute(const RequestContext& c, const Json& in);
  Result<Json> describeNetworkInterfaceAttribute(const RequestContext& c, const Json& in);
  // Tags (tag_handlers.cpp)
  Result<Json> createTags(const RequestContext& c, const Json& in);
  Result<Json> deleteTags(const RequestContext& c, const Json& in);
  Result<Json> describeTags(const RequestContext& c, const Json& in);

 private:
  Catalog& catalog_;
};

}  // namespace kura::ec2
