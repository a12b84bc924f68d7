#pragma once
// IPv4 and IPv6 addresses and CIDR blocks as EC2 takes them: parsed from
// text, compared, and matched against an address.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kura::ec2 {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first four
  size_t bits() const { return v6 ? 128 : 32; }
};

struct Cidr {
  IpAddress base;
  int prefix = 0;

  // The address has no bit set past the prefix ("10.0.0.1/8" does).
  bool canonical() const;
  bool contains(const IpAddress& address) const;
  // Every address of `inner` is in this block.
  bool covers(const Cidr& inner) const;
  bool overlaps(const Cidr& other) const;
  // How many addresses the block holds, up to 2^32 (IPv4 only).
  uint64_t size() const;
  std::string text() const;
};

// Parses "10.0.0.1" or "2001:db8::1" (inet_pton: no zone, no prefix).
std::optional<IpAddress> parseIpAddress(std::string_view text);
// The canonical text of an address: a dotted quad, or IPv6 compressed and
// lower-case (inet_ntop), so that one address has one spelling in records.
std::string addressText(const IpAddress& address);
// An IPv4-mapped IPv6 address (::ffff:10.0.0.1) as the IPv4 it carries.
IpAddress unmapped(const IpAddress& address);
// Parses "10.0.0.0/16" or "2001:db8::/56"; the prefix must fit the family.
std::optional<Cidr> parseCidr(std::string_view text);

}  // namespace kura::ec2
