#pragma once
// What other services ask of EC2's security groups: whether a group's
// ingress rules admit a connection, and whether groups exist. The engines'
// endpoints ask it for every new connection (endpoint_admission.h).
//
// Matching: an ingress rule admits a TCP connection to `port` when its
// protocol is tcp (port within its range) or -1 (all), and its peer is a
// CIDR block holding the source address (an IPv4-mapped IPv6 source is
// matched as IPv4), or a group the source belongs to. A source belongs to
// the groups in ConnectionSource::groupIds, which the caller fills: those
// of the network interface that names the source's address
// (network_members.h), or the default groups for an address none names.
#include <memory>
#include <string>
#include <vector>

#include "services/ec2/security_rules.h"

namespace kura {
class Catalog;
}

namespace kura::ec2 {

class SecurityPolicy {
 public:
  virtual ~SecurityPolicy() = default;
  // Whether an ingress rule of one of `groupIds` (in the account and region)
  // admits a TCP connection from `source` to `port`. Unknown groups admit
  // nothing; no group at all admits nothing.
  virtual bool admitsTcp(const std::string& accountId, const std::string& region,
                         const std::vector<std::string>& groupIds, const ConnectionSource& source,
                         int port) const = 0;
  // Whether every group of `groupIds` exists in the account and region.
  virtual bool groupsExist(const std::string& accountId, const std::string& region,
                           const std::vector<std::string>& groupIds) const = 0;
  // The groups of `groupIds` that do not exist, in the order given.
  virtual std::vector<std::string> missingGroups(const std::string& accountId, const std::string& region,
                                                 const std::vector<std::string>& groupIds) const = 0;
};
using SecurityPolicyPtr = std::unique_ptr<SecurityPolicy>;

// The policy of the groups recorded in `catalog` (which must outlive it).
SecurityPolicyPtr makeCatalogSecurityPolicy(Catalog& catalog);

}  // namespace kura::ec2
