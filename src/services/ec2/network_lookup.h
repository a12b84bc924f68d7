#pragma once
// What RDS and ElastiCache ask of EC2's network records: the caller's
// default VPC (made on first use, as an EC2 call would make it), the
// subnets of a set of ids and the VPC they share, a VPC's default security
// group, and whether a database resource still uses a security group.
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "services/core/handler_table.h"

namespace kura::ec2 {

// The id of the caller's default VPC, made with its subnets and default
// group at the first call; empty when the user deleted it.
std::string defaultVpcIdOf(Catalog& catalog, const RequestContext& c);

// The subnets of `vpcId`, in zone order.
std::vector<Resource> subnetsOfVpc(Catalog& catalog, const RequestContext& c, const std::string& vpcId);

// The id of the security group named "default" of `vpcId`; empty when none.
std::string defaultGroupOf(Catalog& catalog, const RequestContext& c, const std::string& vpcId);

// The subnets `ids` name (duplicates once), and the VPC they are in. On a
// failure `unknown` names the first id that is no subnet, or `mixedVpcs`
// says that they are not all in one VPC; the caller says it in its
// service's words.
struct SubnetSelection {
  std::string vpcId;
  std::vector<Resource> subnets;
  std::string unknown;
  bool mixedVpcs = false;
  bool ok() const { return unknown.empty() && !mixedVpcs; }
};
SubnetSelection selectSubnets(Catalog& catalog, const RequestContext& c, const std::vector<std::string>& ids);

// The zones `subnets` cover, sorted, each once.
std::vector<std::string> zonesOfSubnets(const std::vector<Resource>& subnets);

// The VPC of security group `groupId`; empty when there is no such group.
std::string vpcOfGroup(Catalog& catalog, const RequestContext& c, const std::string& groupId);

// The name of an RDS instance or cluster, or an ElastiCache replication
// group or cluster, that is not deleted and lists `groupId` among its
// security groups (spec VpcSecurityGroupIds or SecurityGroupIds); empty
// when none does.
std::string databaseUsingGroup(Catalog& catalog, const RequestContext& c, const std::string& groupId);

// The name of a database (not deleted) with a node in `subnet`: an RDS
// instance, or an ElastiCache cluster or replication group member, whose
// subnet group (the "default" one included) holds the subnet and whose node
// is in the subnet's zone. Empty when none is; EC2 keeps such a subnet, as it
// keeps one a database's network interface is in.
std::string databaseInSubnet(Catalog& catalog, const RequestContext& c, const Resource& subnet);

}  // namespace kura::ec2
