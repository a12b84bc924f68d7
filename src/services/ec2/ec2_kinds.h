#pragma once
// The catalog kinds EC2 keeps. Each resource is recorded under its id
// (vpc-..., subnet-..., sg-..., eni-...), per account and region, with status and
// goal "available" (nothing to reconcile); its spec is what Describe shows.
namespace kura::ec2 {

inline constexpr const char* kService = "ec2";
inline constexpr const char* kVpc = "vpc";
inline constexpr const char* kSubnet = "subnet";
inline constexpr const char* kSecurityGroup = "security-group";
// A client address and its groups (network_interface_handlers.cpp). Its
// spec: SubnetId, VpcId, AvailabilityZone, Groups (an array of group ids),
// PrivateIpAddress (canonical text: dotted quad, or compressed lower-case
// IPv6), Description. The enforcement reads it (network_members.h).
inline constexpr const char* kNetworkInterface = "network-interface";
// One per account and region once its default VPC was made (so that a
// default VPC the user deleted is not made again).
inline constexpr const char* kNetworkDefaults = "ec2-defaults";
inline constexpr const char* kAvailable = "available";

}  // namespace kura::ec2
