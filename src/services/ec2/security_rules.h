#pragma once
// One rule of a security group as Kura keeps it: one protocol and port
// range, one peer (an IPv4 or IPv6 CIDR, or another group), ingress or
// egress. A group's record holds its rules as the JSON below; the API
// groups them back into IpPermissions, and SecurityPolicy matches
// connections against them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "services/ec2/cidr.h"

namespace kura::ec2 {

// Where a connection comes from: its address and, when the connection
// comes from a resource Kura runs, the security groups of that resource.
struct ConnectionSource {
  IpAddress address;
  std::vector<std::string> groupIds;  // empty: a client outside Kura's resources
};

struct SecurityRule {
  std::string id;  // sgr-...
  bool egress = false;
  std::string protocol;  // "tcp", "udp", "icmp", "icmpv6", "-1" (all) or a protocol number
  int fromPort = -1;     // -1 with toPort -1: every port (protocol -1), or every ICMP type
  int toPort = -1;
  std::string cidrIpv4, cidrIpv6;      // one of these three is the peer
  std::string groupId, groupOwnerId;   // a group-to-group rule
  std::string description;

  // The same protocol, ports and peer: a second one is a duplicate.
  bool sameAs(const SecurityRule& other) const;
  // Whether this ingress rule lets `source` open a TCP connection to `port`.
  bool admitsTcp(const ConnectionSource& source, int port) const;

  nlohmann::json toRecord() const;
  static SecurityRule fromRecord(const nlohmann::json& record);
};

// The rules of a group record ("Ingress" or "Egress").
std::vector<SecurityRule> rulesOf(const nlohmann::json& groupSpec, bool egress);

}  // namespace kura::ec2
