#pragma once
// The addresses a network interface may take. EC2's rule: an address of
// its subnet's block, but not one of the five EC2 keeps (the first four
// and the last). Kura's one addition: a loopback address (127.0.0.0/8 or
// ::1), the address a client on Kura's own machine connects from, whatever
// the subnet; that is how a local client joins security groups.
#include <optional>
#include <set>
#include <string>

#include "services/ec2/cidr.h"

namespace kura::ec2 {

bool isLoopback(const IpAddress& address);

// Whether `address` is one of the addresses EC2 keeps in `subnet`: its
// network address, the router's, DNS's, one kept for later, and the last.
bool reservedInSubnet(const Cidr& subnet, const IpAddress& address);

// The lowest address of `subnet` that EC2 would hand out (past the first
// four, before the last) whose canonical text is not in `taken`; none when
// the subnet is full (or is not IPv4).
std::optional<IpAddress> nextFreeAddress(const Cidr& subnet, const std::set<std::string>& taken);

}  // namespace kura::ec2
