#pragma once
// Where an RDS instance or cluster lives in EC2's network: its DB subnet
// group (which decides the zones its nodes may use) and its VPC security
// groups (which the engines' endpoints enforce). Groups are recorded as
// kind db-subnet-group, spec {DBSubnetGroupDescription, VpcId, SubnetIds};
// the group "default" is not recorded: it is the default VPC's subnets.
//
// An instance's or cluster's spec carries DBSubnetGroupName (the group's
// name) and VpcSecurityGroupIds (a JSON array of group ids; the VPC's
// default group when the request names none, as RDS does).
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "services/core/handler_table.h"

namespace kura::rds {

inline constexpr const char* kDefaultSubnetGroup = "default";
inline constexpr size_t kSubnetsPerGroup = 20;  // RDS's default quota

// A DB subnet group by name (lower-cased), "default" included, or
// DBSubnetGroupNotFoundFault.
Result<Resource> findDbSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name);
// The zones of a group's subnets, sorted.
std::vector<std::string> zonesOfDbSubnetGroup(Catalog& catalog, const RequestContext& c, const Resource& group);
// DBSubnetGroup as Describe shows it (in DescribeDBInstances too).
Json dbSubnetGroupView(Catalog& catalog, const RequestContext& c, const Resource& group);

// The subnets of SubnetIds: all exist (InvalidSubnet), in one VPC
// (InvalidSubnet), at most kSubnetsPerGroup (DBSubnetQuotaExceededFault),
// covering two zones at least (DBSubnetGroupDoesNotCoverEnoughAZs).
// Returns {VpcId, SubnetIds}.
Result<Json> checkedDbSubnets(Catalog& catalog, const RequestContext& c, const Json& subnetIds);

// `groupIds` (absent: the VPC's default group) checked to exist and to be
// in `vpcId`, as RDS refuses them; `what` is "DB instance" or "DB cluster".
Result<Json> checkedSecurityGroups(Catalog& catalog, const RequestContext& c, const Json* groupIds,
                                   const std::string& vpcId, const std::string& what);

// Settles the network of a new instance in its spec: DBSubnetGroupName
// (the default group when absent), VpcSecurityGroupIds, AvailabilityZone
// (one of the group's zones), and SecondaryAvailabilityZone when MultiAZ.
Result<bool> placeInstanceNetwork(Catalog& catalog, const RequestContext& c, Json& spec);
// The same for a new cluster: DBSubnetGroupName, VpcSecurityGroupIds, and
// AvailabilityZones (the request's, which must be the group's, or the
// group's zones).
Result<bool> placeClusterNetwork(Catalog& catalog, const RequestContext& c, const Json& in, Json& spec);

// The zones an existing instance's group offers (all of the region's for an
// instance recorded before subnet groups).
std::vector<std::string> zonesOfInstance(Catalog& catalog, const RequestContext& c, const Json& spec);
// The VPC of an existing instance's or cluster's subnet group.
std::string vpcOfResource(Catalog& catalog, const RequestContext& c, const Json& spec);

// VpcSecurityGroups as Describe shows them: [{VpcSecurityGroupId, Status}].
Json securityGroupMemberships(const Json& spec);

// The name of an instance or cluster (not deleted) in group `name`; empty
// when none is.
std::string resourceInSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name);

}  // namespace kura::rds
