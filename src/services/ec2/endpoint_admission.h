#pragma once
// Security groups where the bytes arrive: whether a connection from a
// source address to one of Kura's engine endpoints passes the ingress
// rules of the resource's groups. The endpoint proxy asks for every new
// connection; answers are kept until the catalog next changes
// (Catalog::generation), so a rule added or revoked, or a resource given
// other groups, applies to the very next connection, while a burst of
// connections costs one map lookup each.
//
// Whose groups: an RDS instance's or cluster's VpcSecurityGroupIds (an
// Aurora instance's are its cluster's), an ElastiCache replication group's
// or cache cluster's SecurityGroupIds. A resource recorded without any is
// in its region's default security group, where AWS puts it.
// Who the source is: the groups of the network interface that names its
// address (network_members.h); an address no interface names is a member
// of the default groups, as an EC2 instance launched without groups is.
// In an account and region where no network was ever made, there are no
// groups to restrict anything: every connection passes.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "services/ec2/cidr.h"

namespace kura {
class Catalog;
}

namespace kura::ec2 {

class EndpointAdmission {
 public:
  explicit EndpointAdmission(Catalog& catalog) : catalog_(catalog) {}
  // `endpoint` is the resource's ARN, or its ARN followed by "#" and the
  // name of one of its endpoints (a reader endpoint, a cache node); `port`
  // the port the client connected to. Thread-safe.
  bool admits(const std::string& endpoint, const IpAddress& source, int port);

 private:
  bool decide(const std::string& arn, const IpAddress& source, int port);

  using Key = std::tuple<std::string, bool, std::array<uint8_t, 16>, int>;
  Catalog& catalog_;
  std::mutex mutex_;
  uint64_t generation_ = UINT64_MAX;  // of the catalog when decisions_ were made
  std::map<Key, bool> decisions_;
};

}  // namespace kura::ec2
