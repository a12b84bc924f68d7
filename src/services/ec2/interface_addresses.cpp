#include "services/ec2/interface_addresses.h"

namespace kura::ec2 {
namespace {

uint32_t v4Number(const IpAddress& address) {
  return (uint32_t{address.bytes[0]} << 24) | (uint32_t{address.bytes[1]} << 16) |
         (uint32_t{address.bytes[2]} << 8) | uint32_t{address.bytes[3]};
}

IpAddress v4Address(uint32_t number) {
  IpAddress address;
  for (size_t index = 0; index < 4; ++index) {
    address.bytes[index] = static_cast<uint8_t>(number >> (24 - 8 * index));
  }
  return address;
}

constexpr uint32_t kReservedAtStart = 4;  // network, router, DNS, later use

}  // namespace

bool isLoopback(const IpAddress& address) {
  IpAddress plain = unmapped(address);
  if (!plain.v6) return plain.bytes[0] == 127;
  for (size_t index = 0; index < 15; ++index) {
    if (plain.bytes[index] != 0) return false;
  }
  return plain.bytes[15] == 1;
}

bool reservedInSubnet(const Cidr& subnet, const IpAddress& address) {
  IpAddress plain = unmapped(address);
  if (subnet.base.v6 || plain.v6 || !subnet.contains(plain)) return false;
  uint32_t offset = v4Number(plain) - v4Number(subnet.base);
  return offset < kReservedAtStart || offset == subnet.size() - 1;
}

std::optional<IpAddress> nextFreeAddress(const Cidr& subnet, const std::set<std::string>& taken) {
  if (subnet.base.v6 || subnet.size() <= kReservedAtStart + 1) return std::nullopt;
  uint32_t base = v4Number(subnet.base);
  // Walks past every taken address at most once: a /16 with all of its
  // 65,531 addresses taken costs that many set lookups.
  for (uint64_t offset = kReservedAtStart; offset + 1 < subnet.size(); ++offset) {
    IpAddress candidate = v4Address(base + static_cast<uint32_t>(offset));
    if (!taken.contains(addressText(candidate))) return candidate;
  }
  return std::nullopt;
}

}  // namespace kura::ec2
