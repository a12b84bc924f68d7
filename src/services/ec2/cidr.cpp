#include "services/ec2/cidr.h"

#include <arpa/inet.h>

#include <charconv>

namespace kura::ec2 {
namespace {

bool bitAt(const IpAddress& address, int index) {
  return ((address.bytes[static_cast<size_t>(index / 8)] >> (7 - index % 8)) & 1) != 0;
}

bool samePrefix(const IpAddress& a, const IpAddress& b, int bits) {
  for (int index = 0; index < bits; ++index) {
    if (bitAt(a, index) != bitAt(b, index)) return false;
  }
  return true;
}

}  // namespace

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string copy(text);
  IpAddress address;
  if (copy.find(':') != std::string::npos) {
    address.v6 = true;
    if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) != 1) return std::nullopt;
    return address;
  }
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) != 1) return std::nullopt;
  return address;
}

std::string addressText(const IpAddress& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), buffer, sizeof(buffer));
  return buffer;
}

IpAddress unmapped(const IpAddress& address) {
  if (!address.v6) return address;
  for (size_t index = 0; index < 10; ++index) {
    if (address.bytes[index] != 0) return address;
  }
  if (address.bytes[10] != 0xff || address.bytes[11] != 0xff) return address;
  IpAddress v4;
  for (size_t index = 0; index < 4; ++index) v4.bytes[index] = address.bytes[12 + index];
  return v4;
}

std::optional<Cidr> parseCidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto base = parseIpAddress(text.substr(0, slash));
  if (!base) return std::nullopt;
  std::string_view prefixText = text.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(prefixText.data(), prefixText.data() + prefixText.size(), prefix);
  if (ec != std::errc() || end != prefixText.data() + prefixText.size() || prefixText.empty()) return std::nullopt;
  // One spelling of a prefix, as of the address: "/016" is not "/16".
  if (prefixText.size() > 1 && prefixText[0] == '0') return std::nullopt;
  if (prefix < 0 || static_cast<size_t>(prefix) > base->bits()) return std::nullopt;
  return Cidr{*base, prefix};
}

bool Cidr::canonical() const {
  for (int index = prefix; index < static_cast<int>(base.bits()); ++index) {
    if (bitAt(base, index)) return false;
  }
  return true;
}

bool Cidr::contains(const IpAddress& address) const {
  IpAddress candidate = base.v6 ? address : unmapped(address);
  if (candidate.v6 != base.v6) return false;
  return samePrefix(base, candidate, prefix);
}

bool Cidr::covers(const Cidr& inner) const {
  return inner.base.v6 == base.v6 && inner.prefix >= prefix && samePrefix(base, inner.base, prefix);
}

bool Cidr::overlaps(const Cidr& other) const { return covers(other) || other.covers(*this); }

uint64_t Cidr::size() const { return base.v6 ? 0 : uint64_t{1} << (32 - prefix); }

std::string Cidr::text() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(base.v6 ? AF_INET6 : AF_INET, base.bytes.data(), buffer, sizeof(buffer));
  return std::string(buffer) + "/" + std::to_string(prefix);
}

}  // namespace kura::ec2
