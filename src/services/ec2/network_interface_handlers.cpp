// Network interfaces. In Kura an interface attaches to nothing: it names
// the address a client connects from (its PrivateIpAddress) and the
// security groups that address belongs to, which is what a rule naming a
// group matches (network_members.h). The address is one of the subnet's,
// as in EC2, or a loopback address (interface_addresses.h).
#include <algorithm>
#include <set>

#include "services/ec2/cidr.h"
#include "services/ec2/ec2_api.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/ec2_records.h"
#include "services/ec2/interface_addresses.h"

namespace kura::ec2 {
namespace {

constexpr size_t kGroupsPerInterface = 5;        // EC2's default quotas
constexpr size_t kInterfacesPerRegion = 5000;
constexpr size_t kMaxDescription = 255;

ApiError unsupported(const std::string& what) {
  return ApiError::sender("InvalidParameterValue",
                          "Kura gives a network interface one private IPv4 or loopback address and no " + what +
                              "; leave it out of the request.");
}

// What EC2 can ask of an interface that Kura's interfaces do not have.
std::optional<ApiError> refusedMembers(const Json& in) {
  for (const char* member : {"Ipv6AddressCount", "Ipv6Addresses", "Ipv6PrefixCount", "Ipv6Prefixes"}) {
    if (in.contains(member)) return unsupported("IPv6 address of a subnet");
  }
  for (const char* member : {"SecondaryPrivateIpAddressCount", "Ipv4PrefixCount", "Ipv4Prefixes"}) {
    if (in.contains(member)) return unsupported("secondary addresses or prefixes");
  }
  if (auto listed = in.find("PrivateIpAddresses"); listed != in.end()) {
    for (const auto& entry : *listed) {
      if (!entry.value("Primary", false) || listed->size() > 1) return unsupported("secondary addresses or prefixes");
    }
  }
  if (in.contains("InterfaceType")) {
    return ApiError::sender("InvalidParameterValue",
                            "Value (" + in["InterfaceType"].get<std::string>() +
                                ") for parameter interfaceType is invalid. Kura's interfaces are of type interface; "
                                "leave interfaceType out.");
  }
  return std::nullopt;
}

// The address a create asks for: PrivateIpAddress, or the primary one of
// PrivateIpAddresses; empty when none is asked for.
std::string requestedAddress(const Json& in) {
  std::string address = in.value("PrivateIpAddress", "");
  if (!address.empty()) return address;
  for (const auto& entry : in.value("PrivateIpAddresses", Json::array())) {
    if (entry.value("Primary", false)) return entry.value("PrivateIpAddress", "");
  }
  return "";
}

std::vector<Resource> interfacesOf(Catalog& catalog, const RequestContext& c) {
  return listAll(catalog, c, kNetworkInterface);
}

// The groups an interface of `vpcId` gets: those named (existing, in the
// VPC, at most five, each once), or the VPC's default group.
Result<std::vector<std::string>> interfaceGroups(Catalog& catalog, const RequestContext& c, const Json& named,
                                                 const std::string& vpcId, const std::string& subnetId) {
  std::vector<std::string> groups;
  if (named.is_array() && !named.empty()) {
    for (const auto& id : named) {
      auto group = findGroup(catalog, c, id.get<std::string>());
      if (!group) return group.error();
      if (group->spec.value("VpcId", "") != vpcId) {
        return ApiError::sender("InvalidParameter", "Security group " + group->name + " and subnet " + subnetId +
                                                        " belong to different networks.");
      }
      if (std::find(groups.begin(), groups.end(), group->name) == groups.end()) groups.push_back(group->name);
    }
    if (groups.size() > kGroupsPerInterface) {
      return ApiError::sender("SecurityGroupsPerInterfaceLimitExceeded",
                              "The maximum number of security groups per interface has been reached.");
    }
    return groups;
  }
  for (const Resource& group : listAll(catalog, c, kSecurityGroup)) {
    if (group.spec.value("VpcId", "") == vpcId && group.spec.value("GroupName", "") == "default") {
      return std::vector<std::string>{group.name};
    }
  }
  throw std::runtime_error("ec2: the VPC " + vpcId + " has no default security group");
}

ApiError addressInUse() {
  return ApiError::sender("InvalidIPAddress.InUse", "The specified address is already in use.");
}

// The address a new interface in `subnet` takes: the one asked for, when
// the subnet's block or loopback holds it and no other interface of the VPC
// (of the account and region, for loopback) has it; otherwise the subnet's
// next free one. Canonical text.
Result<std::string> interfaceAddress(Catalog& catalog, const RequestContext& c, const std::string& asked,
                                     const Resource& subnet) {
  auto block = parseCidr(subnet.spec.value("CidrBlock", ""));
  if (!block) throw std::runtime_error("ec2: the subnet " + subnet.name + " has no CIDR block");
  const std::string vpcId = subnet.spec.value("VpcId", "");
  std::vector<Resource> interfaces = interfacesOf(catalog, c);
  std::set<std::string> takenInVpc;
  for (const Resource& interface : interfaces) {
    if (interface.spec.value("VpcId", "") == vpcId) takenInVpc.insert(interface.spec.value("PrivateIpAddress", ""));
  }
  if (asked.empty()) {
    auto free = nextFreeAddress(*block, takenInVpc);
    if (!free) {
      return ApiError::sender("InsufficientFreeAddressesInSubnet",
                              "The specified subnet does not have enough free addresses to satisfy the request.");
    }
    return addressText(*free);
  }
  auto parsed = parseIpAddress(asked);
  if (!parsed) {
    return ApiError::sender("InvalidParameterValue",
                            "Value (" + asked + ") for parameter privateIpAddress is invalid. This is not a valid IP "
                                                "address.");
  }
  IpAddress address = unmapped(*parsed);
  std::string text = addressText(address);
  if (isLoopback(address)) {
    for (const Resource& interface : interfaces) {
      if (interface.spec.value("PrivateIpAddress", "") == text) return addressInUse();
    }
    return text;
  }
  if (address.v6 || !block->contains(address)) {
    return ApiError::sender("InvalidParameterValue", "Address does not fall within the subnet's address range");
  }
  if (reservedInSubnet(*block, address)) {
    return ApiError::sender("InvalidParameterValue", "Address is in subnet's reserved address range");
  }
  if (takenInVpc.contains(text)) return addressInUse();
  return text;
}

// EC2's MACs are locally administered (02:...); this one is made from the
// id, so that it stays the same across restarts.
std::string macAddressOf(const std::string& id) {
  std::string hex = id.substr(4);
  while (hex.size() < 10) hex += '0';
  std::string mac = "02";
  for (size_t index = 0; index < 10; index += 2) mac += ":" + hex.substr(index, 2);
  return mac;
}

std::string privateDnsName(const RequestContext& c, const std::string& address) {
  auto parsed = parseIpAddress(address);
  if (!parsed || parsed->v6) return "";
  std::string name = "ip-" + address;
  std::replace(name.begin(), name.end(), '.', '-');
  return name + (c.region == "us-east-1" ? ".ec2.internal" : "." + c.region + ".compute.internal");
}

std::vector<std::string> groupsOf(const Resource& interface) {
  return interface.spec.value("Groups", std::vector<std::string>{});
}

Json groupsView(Catalog& catalog, const Resource& interface) {
  Json out = Json::array();
  for (const std::string& id : groupsOf(interface)) {
    auto group = catalog.getResource(interface.accountId, interface.region, kSecurityGroup, id);
    out.push_back({{"GroupId", id}, {"GroupName", group ? group->spec.value("GroupName", "") : ""}});
  }
  return out;
}

Json interfaceView(Catalog& catalog, const RequestContext& c, const Resource& interface, const std::vector<Tag>& tags) {
  const Json& spec = interface.spec;
  std::string address = spec.value("PrivateIpAddress", "");
  std::string dnsName = privateDnsName(c, address);
  Json primary = {{"Primary", true}, {"PrivateIpAddress", address}};
  if (!dnsName.empty()) primary["PrivateDnsName"] = dnsName;
  Json view = {{"NetworkInterfaceId", interface.name},
               {"SubnetId", spec.value("SubnetId", "")},
               {"VpcId", spec.value("VpcId", "")},
               {"AvailabilityZone", spec.value("AvailabilityZone", "")},
               {"Description", spec.value("Description", "")},
               {"Groups", groupsView(catalog, interface)},
               {"InterfaceType", "interface"},
               {"Ipv6Addresses", Json::array()},
               {"MacAddress", spec.value("MacAddress", "")},
               {"OwnerId", interface.accountId},
               {"PrivateIpAddress", address},
               {"PrivateIpAddresses", Json::array({primary})},
               {"RequesterManaged", false},
               {"SourceDestCheck", spec.value("SourceDestCheck", true)},
               {"Status", kAvailable},
               {"TagSet", tagList(tags)},
               {"Ipv6Native", false}};
  if (!dnsName.empty()) view["PrivateDnsName"] = dnsName;
  return view;
}

const std::vector<std::string> kFilterNames = {
    "network-interface-id", "subnet-id",        "vpc-id",
    "availability-zone",    "description",      "status",
    "owner-id",             "interface-type",   "mac-address",
    "private-ip-address",   "addresses.private-ip-address", "addresses.primary",
    "private-dns-name",     "requester-managed", "source-dest-check",
    "group-id",             "group-name"};

FilterValues interfaceFilterValues(Catalog& catalog, const RequestContext& c, const Resource& interface) {
  const Json& spec = interface.spec;
  std::string address = spec.value("PrivateIpAddress", "");
  FilterValues values = {{"network-interface-id", {interface.name}},
                         {"subnet-id", {spec.value("SubnetId", "")}},
                         {"vpc-id", {spec.value("VpcId", "")}},
                         {"availability-zone", {spec.value("AvailabilityZone", "")}},
                         {"description", {spec.value("Description", "")}},
                         {"status", {kAvailable}},
                         {"owner-id", {interface.accountId}},
                         {"interface-type", {"interface"}},
                         {"mac-address", {spec.value("MacAddress", "")}},
                         {"private-ip-address", {address}},
                         {"addresses.private-ip-address", {address}},
                         {"addresses.primary", {"true"}},
                         {"private-dns-name", {privateDnsName(c, address)}},
                         {"requester-managed", {"false"}},
                         {"source-dest-check", {spec.value("SourceDestCheck", true) ? "true" : "false"}}};
  for (const Json& group : groupsView(catalog, interface)) {
    values["group-id"].push_back(group["GroupId"]);
    values["group-name"].push_back(group["GroupName"]);
  }
  return values;
}

Result<std::string> checkedDescription(const std::string& description) {
  if (description.size() > kMaxDescription) {
    return ApiError::sender("InvalidParameterValue", "Value for parameter description is invalid. Descriptions are at "
                                                     "most 255 characters.");
  }
  return description;
}

Result<Resource> stored(Catalog& catalog, const Resource& interface) {
  auto done = catalog.updateResource(interface);
  if (!done) throw std::runtime_error("ec2: cannot update " + interface.name + ": " + done.error().message);
  return done;
}

}  // namespace

Result<Json> Ec2Api::createNetworkInterface(const RequestContext& c, const Json& in) {
  if (auto refused = refusedMembers(in)) return *refused;
  auto description = checkedDescription(in.value("Description", ""));
  if (!description) return description.error();
  auto tags = tagsToApply(in, "network-interface");
  if (!tags) return tags.error();
  return catalog_.transact([&]() -> Result<Json> {
    auto subnet = findSubnet(catalog_, c, in.value("SubnetId", ""));
    if (!subnet) return subnet.error();
    const std::string vpcId = subnet->spec.value("VpcId", "");
    auto groups = interfaceGroups(catalog_, c, in.value("Groups", Json::array()), vpcId, subnet->name);
    if (!groups) return groups.error();
    auto address = interfaceAddress(catalog_, c, requestedAddress(in), *subnet);
    if (!address) return address.error();
    if (interfacesOf(catalog_, c).size() >= kInterfacesPerRegion) {
      return ApiError::sender("NetworkInterfaceLimitExceeded",
                              "The maximum number of network interfaces has been reached.");
    }
    std::string id = newId("eni");
    auto created = catalog_.createResource(newRecord(c, kNetworkInterface, id,
                                                     {{"SubnetId", subnet->name},
                                                      {"VpcId", vpcId},
                                                      {"AvailabilityZone", subnet->spec.value("AvailabilityZone", "")},
                                                      {"Groups", *groups},
                                                      {"PrivateIpAddress", *address},
                                                      {"Description", *description},
                                                      {"MacAddress", macAddressOf(id)},
                                                      {"SourceDestCheck", true}}));
    if (!created) throw std::runtime_error("ec2: cannot record a network interface: " + created.error().message);
    catalog_.addTags(created->arn, *tags);
    return Json{{"NetworkInterface", interfaceView(catalog_, c, *created, catalog_.listTags(created->arn))}};
  });
}

Result<Json> Ec2Api::deleteNetworkInterface(const RequestContext& c, const Json& in) {
  return catalog_.transact([&]() -> Result<Json> {
    auto interface = findInterface(catalog_, c, in.value("NetworkInterfaceId", ""));
    if (!interface) return interface.error();
    catalog_.deleteAllTags(interface->arn);
    catalog_.removeResource(interface->id);
    return Json::object();
  });
}

Result<Json> Ec2Api::describeNetworkInterfaces(const RequestContext& c, const Json& in) {
  auto filters = parseFilters(in, kFilterNames);
  if (!filters) return filters.error();
  std::vector<std::string> ids = in.value("NetworkInterfaceIds", std::vector<std::string>{});
  std::vector<Resource> interfaces;
  if (!ids.empty()) {
    for (const std::string& id : ids) {
      auto interface = findInterface(catalog_, c, id);
      if (!interface) return interface.error();
      interfaces.push_back(*interface);
    }
  } else {
    interfaces = interfacesOf(catalog_, c);
  }
  Json items = Json::array();
  for (const Resource& interface : interfaces) {
    std::vector<Tag> tags = catalog_.listTags(interface.arn);
    if (matchesFilters(*filters, interfaceFilterValues(catalog_, c, interface), tags)) {
      items.push_back(interfaceView(catalog_, c, interface, tags));
    }
  }
  Json out = Json::object();
  auto page = pageOf(in, std::move(items), out);
  if (!page) return page.error();
  out["NetworkInterfaces"] = std::move(*page);
  return out;
}

Result<Json> Ec2Api::modifyNetworkInterfaceAttribute(const RequestContext& c, const Json& in) {
  if (in.contains("Attachment")) {
    return ApiError::sender("InvalidParameterValue",
                            "Kura's network interfaces are attached to nothing; leave attachment out.");
  }
  if (!in.contains("Groups") && !in.contains("Description") && !in.contains("SourceDestCheck")) {
    return ApiError::sender("MissingParameter",
                            "The request must contain the parameter groupSet, description or sourceDestCheck");
  }
  return catalog_.transact([&]() -> Result<Json> {
    auto interface = findInterface(catalog_, c, in.value("NetworkInterfaceId", ""));
    if (!interface) return interface.error();
    Resource changed = *interface;
    if (in.contains("Groups")) {
      auto groups = interfaceGroups(catalog_, c, in["Groups"], changed.spec.value("VpcId", ""),
                                    changed.spec.value("SubnetId", ""));
      if (!groups) return groups.error();
      changed.spec["Groups"] = *groups;
    }
    if (in.contains("Description")) {
      auto description = checkedDescription(in["Description"].value("Value", ""));
      if (!description) return description.error();
      changed.spec["Description"] = *description;
    }
    if (in.contains("SourceDestCheck")) {
      changed.spec["SourceDestCheck"] = in["SourceDestCheck"].value("Value", true);
    }
    auto done = stored(catalog_, changed);
    if (!done) return done.error();
    return Json::object();
  });
}

Result<Json> Ec2Api::describeNetworkInterfaceAttribute(const RequestContext& c, const Json& in) {
  auto interface = findInterface(catalog_, c, in.value("NetworkInterfaceId", ""));
  if (!interface) return interface.error();
  std::string attribute = in.value("Attribute", "");
  Json out = {{"NetworkInterfaceId", interface->name}};
  if (attribute == "description") {
    out["Description"] = {{"Value", interface->spec.value("Description", "")}};
  } else if (attribute == "groupSet") {
    out["Groups"] = groupsView(catalog_, *interface);
  } else if (attribute == "sourceDestCheck") {
    out["SourceDestCheck"] = {{"Value", interface->spec.value("SourceDestCheck", true)}};
  } else if (attribute != "attachment") {  // attached to nothing: no Attachment
    return ApiError::sender("MissingParameter", "The request must contain the parameter attribute");
  }
  return out;
}

}  // namespace kura::ec2
