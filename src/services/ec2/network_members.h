#pragma once
// Which security groups a client address belongs to. In EC2 a connection's
// source is a member of a group when it comes from a network interface in
// that group; in Kura a network interface names the address a client
// connects from (its PrivateIpAddress: an address of its subnet, or a
// loopback address for a client on Kura's own machine) and its groups.
// A source no interface names belongs to no group here; the caller counts
// it as a member of its VPC's default group, as EC2 does an instance
// launched without groups.
#include <string>
#include <vector>

#include "services/ec2/cidr.h"

namespace kura {
class Catalog;
}

namespace kura::ec2 {

// The groups of the interface (in the account and region) whose
// PrivateIpAddress is `source`; empty when none is. Two VPCs may each have
// an interface with one address of their own ranges: such a source is a
// member of the groups of both. An IPv4-mapped IPv6
// source (::ffff:127.0.0.5) is matched as the IPv4 it carries.
std::vector<std::string> groupsOfAddress(Catalog& catalog, const std::string& accountId, const std::string& region,
                                         const IpAddress& source);

}  // namespace kura::ec2
