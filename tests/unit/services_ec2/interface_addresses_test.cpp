// Which addresses a network interface may take, and which one it is given.
#include <gtest/gtest.h>

#include "services/ec2/cidr.h"
#include "services/ec2/interface_addresses.h"

namespace kura::ec2 {
namespace {

IpAddress address(const std::string& text) {
  auto parsed = parseIpAddress(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

Cidr block(const std::string& text) {
  auto parsed = parseCidr(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(Cidr{});
}

TEST(ec2InterfaceAddresses, LoopbackIsAllOf127And1) {
  EXPECT_TRUE(isLoopback(address("127.0.0.1")));
  EXPECT_TRUE(isLoopback(address("127.255.3.4")));
  EXPECT_TRUE(isLoopback(address("::1")));
  EXPECT_TRUE(isLoopback(address("::ffff:127.0.0.5")));
  EXPECT_FALSE(isLoopback(address("128.0.0.1")));
  EXPECT_FALSE(isLoopback(address("10.0.0.1")));
  EXPECT_FALSE(isLoopback(address("::2")));
  EXPECT_FALSE(isLoopback(address("::")));
  EXPECT_FALSE(isLoopback(address("::ffff:10.0.0.1")));
}

TEST(ec2InterfaceAddresses, EC2KeepsTheFirstFourAndTheLast) {
  Cidr subnet = block("10.0.1.0/24");
  for (const char* kept : {"10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"}) {
    EXPECT_TRUE(reservedInSubnet(subnet, address(kept))) << kept;
  }
  for (const char* free : {"10.0.1.4", "10.0.1.128", "10.0.1.254"}) {
    EXPECT_FALSE(reservedInSubnet(subnet, address(free))) << free;
  }
  EXPECT_FALSE(reservedInSubnet(subnet, address("10.0.2.0")));  // not the subnet's at all
}

TEST(ec2InterfaceAddresses, TheNextFreeAddressSkipsTakenAndReservedOnes) {
  Cidr subnet = block("10.0.1.16/28");
  auto first = nextFreeAddress(subnet, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(addressText(*first), "10.0.1.20");
  auto next = nextFreeAddress(subnet, {"10.0.1.20", "10.0.1.21", "10.0.1.23"});
  ASSERT_TRUE(next);
  EXPECT_EQ(addressText(*next), "10.0.1.22");
  std::set<std::string> all;
  for (int host = 20; host <= 30; ++host) all.insert("10.0.1." + std::to_string(host));
  EXPECT_FALSE(nextFreeAddress(subnet, all));  // .31 is EC2's
  all.erase("10.0.1.30");
  auto last = nextFreeAddress(subnet, all);
  ASSERT_TRUE(last);
  EXPECT_EQ(addressText(*last), "10.0.1.30");
}

TEST(ec2InterfaceAddresses, AddressesHaveOneSpelling) {
  EXPECT_EQ(addressText(address("2001:DB8:0::1")), "2001:db8::1");
  EXPECT_EQ(addressText(address("::1")), "::1");
  EXPECT_EQ(addressText(unmapped(address("::ffff:127.0.0.5"))), "127.0.0.5");
}

}  // namespace
}  // namespace kura::ec2
