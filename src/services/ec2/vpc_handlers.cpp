// VPCs, subnets and availability zones; the default VPC.
#include <algorithm>
#include <map>

#include "services/ec2/cidr.h"
#include "services/ec2/ec2_api.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/ec2_records.h"
#include "services/ec2/interface_addresses.h"
#include "services/ec2/network_lookup.h"

namespace kura::ec2 {
namespace {

constexpr size_t kVpcsPerRegion = 5;  // EC2's default quota
constexpr const char* kDefaultVpcCidr = "172.31.0.0/16";

std::vector<std::string> zoneNames(const RequestContext& c) { return zonesOf(c.region); }

Json vpcView(const Resource& vpc, const std::vector<Tag>& tags) {
  const Json& spec = vpc.spec;
  Json view = {{"VpcId", vpc.name},
               {"CidrBlock", spec["CidrBlock"]},
               {"State", kAvailable},
               {"OwnerId", vpc.accountId},
               {"InstanceTenancy", spec.value("InstanceTenancy", "default")},
               {"DhcpOptionsId", spec.value("DhcpOptionsId", "default")},
               {"IsDefault", spec.value("IsDefault", false)},
               {"CidrBlockAssociationSet",
                Json::array({{{"AssociationId", spec.value("CidrAssociationId", "")},
                              {"CidrBlock", spec["CidrBlock"]},
                              {"CidrBlockState", {{"State", "associated"}}}}})}};
  if (!tags.empty()) view["Tags"] = tagList(tags);
  return view;
}

FilterValues vpcFilterValues(const Resource& vpc) {
  std::string cidr = vpc.spec.value("CidrBlock", "");
  return {{"vpc-id", {vpc.name}},
          {"cidr", {cidr}},
          {"cidr-block-association.cidr-block", {cidr}},
          {"cidr-block-association.state", {"associated"}},
          {"is-default", {vpc.spec.value("IsDefault", false) ? "true" : "false"}},
          {"isDefault", {vpc.spec.value("IsDefault", false) ? "true" : "false"}},
          {"state", {kAvailable}},
          {"owner-id", {vpc.accountId}},
          {"dhcp-options-id", {vpc.spec.value("DhcpOptionsId", "default")}}};
}

// The addresses of a subnet that interfaces may still take: EC2 keeps five,
// and each interface with an address of the subnet's (not a loopback one)
// holds one.
uint64_t availableAddresses(const std::string& cidrText, uint64_t used = 0) {
  auto cidr = parseCidr(cidrText);
  uint64_t usable = cidr && cidr->size() > 5 ? cidr->size() - 5 : 0;
  return usable > used ? usable - used : 0;
}

// How many addresses of each subnet interfaces hold, by subnet id.
std::map<std::string, uint64_t> usedAddresses(Catalog& catalog, const RequestContext& c) {
  std::map<std::string, uint64_t> used;
  for (const Resource& interface : listAll(catalog, c, kNetworkInterface)) {
    auto address = parseIpAddress(interface.spec.value("PrivateIpAddress", ""));
    if (address && !isLoopback(*address)) ++used[interface.spec.value("SubnetId", "")];
  }
  return used;
}

Json subnetView(const Resource& subnet, const std::vector<Tag>& tags, uint64_t used = 0) {
  const Json& spec = subnet.spec;
  Json view = {{"SubnetId", subnet.name},
               {"SubnetArn", subnet.arn},
               {"VpcId", spec["VpcId"]},
               {"CidrBlock", spec["CidrBlock"]},
               {"AvailabilityZone", spec["AvailabilityZone"]},
               {"AvailabilityZoneId", spec["AvailabilityZoneId"]},
               {"AvailableIpAddressCount", availableAddresses(spec.value("CidrBlock", ""), used)},
               {"DefaultForAz", spec.value("DefaultForAz", false)},
               {"MapPublicIpOnLaunch", spec.value("MapPublicIpOnLaunch", false)},
               {"MapCustomerOwnedIpOnLaunch", false},
               {"State", kAvailable},
               {"OwnerId", subnet.accountId},
               {"AssignIpv6AddressOnCreation", false},
               {"Ipv6CidrBlockAssociationSet", Json::array()},
               {"EnableDns64", false},
               {"Ipv6Native", false},
               {"PrivateDnsNameOptionsOnLaunch",
                {{"HostnameType", "ip-name"},
                 {"EnableResourceNameDnsARecord", false},
                 {"EnableResourceNameDnsAAAARecord", false}}}};
  if (!tags.empty()) view["Tags"] = tagList(tags);
  return view;
}

FilterValues subnetFilterValues(const Resource& subnet, uint64_t used) {
  const Json& spec = subnet.spec;
  std::string cidr = spec.value("CidrBlock", "");
  std::string zone = spec.value("AvailabilityZone", "");
  std::string isDefault = spec.value("DefaultForAz", false) ? "true" : "false";
  return {{"subnet-id", {subnet.name}},
          {"subnet-arn", {subnet.arn}},
          {"vpc-id", {spec.value("VpcId", "")}},
          {"availability-zone", {zone}},
          {"availabilityZone", {zone}},
          {"availability-zone-id", {spec.value("AvailabilityZoneId", "")}},
          {"cidr-block", {cidr}},
          {"cidr", {cidr}},
          {"cidrBlock", {cidr}},
          {"default-for-az", {isDefault}},
          {"defaultForAz", {isDefault}},
          {"map-public-ip-on-launch", {spec.value("MapPublicIpOnLaunch", false) ? "true" : "false"}},
          {"state", {kAvailable}},
          {"owner-id", {subnet.accountId}},
          {"available-ip-address-count", {std::to_string(availableAddresses(cidr, used))}}};
}

ApiError invalidCidr(const std::string& cidr) {
  return ApiError::sender("InvalidParameterValue",
                          "Value (" + cidr + ") for parameter cidrBlock is invalid. This is not a valid CIDR block.");
}

Resource vpcRecord(const RequestContext& c, const std::string& cidr, bool isDefault, const std::string& tenancy) {
  std::string id = newId("vpc");
  return newRecord(c, kVpc, id,
                   {{"CidrBlock", cidr},
                    {"IsDefault", isDefault},
                    {"InstanceTenancy", tenancy},
                    {"DhcpOptionsId", "default"},
                    {"CidrAssociationId", newId("vpc-cidr-assoc")}});
}

Resource subnetRecord(const RequestContext& c, const std::string& vpcId, const std::string& cidr,
                      const std::string& zone, bool isDefault) {
  return newRecord(c, kSubnet, newId("subnet"),
                   {{"VpcId", vpcId},
                    {"CidrBlock", cidr},
                    {"AvailabilityZone", zone},
                    {"AvailabilityZoneId", zoneIdOf(c.region, zone)},
                    {"DefaultForAz", isDefault},
                    {"MapPublicIpOnLaunch", isDefault}});
}

// Creates a record the catalog must accept (fresh random ids); a refusal
// is a broken invariant.
Resource mustCreate(Catalog& catalog, Resource record) {
  auto created = catalog.createResource(std::move(record));
  if (!created) throw std::runtime_error("ec2: cannot record " + created.error().message);
  return *created;
}

}  // namespace

void Ec2Api::ensureDefaultVpc(const RequestContext& c) {
  if (catalog_.getResource(c.accountId, c.region, kNetworkDefaults, "default")) return;
  catalog_.transact([&] {
    if (catalog_.getResource(c.accountId, c.region, kNetworkDefaults, "default")) return;
    Resource vpc = mustCreate(catalog_, vpcRecord(c, kDefaultVpcCidr, true, "default"));
    // 172.31.0.0/20, 172.31.16.0/20, 172.31.32.0/20, as EC2 lays them out.
    int third = 0;
    for (const std::string& zone : zoneNames(c)) {
      mustCreate(catalog_, subnetRecord(c, vpc.name, "172.31." + std::to_string(third) + ".0/20", zone, true));
      third += 16;
    }
    mustCreate(catalog_, defaultGroupRecord(c, vpc.name));
    Resource marker = newRecord(c, kNetworkDefaults, "default", {{"DefaultVpcId", vpc.name}});
    mustCreate(catalog_, std::move(marker));
  });
}

Result<Json> Ec2Api::createVpc(const RequestContext& c, const Json& in) {
  if (!in.contains("CidrBlock")) {
    return ApiError::sender("MissingParameter", "The request must contain the parameter CidrBlock");
  }
  std::string text = in["CidrBlock"].get<std::string>();
  auto cidr = parseCidr(text);
  if (!cidr || cidr->base.v6) return invalidCidr(text);
  if (cidr->prefix < 16 || cidr->prefix > 28 || !cidr->canonical()) {
    return ApiError::sender("InvalidVpc.Range", "The CIDR '" + text + "' is invalid.");
  }
  if (in.value("AmazonProvidedIpv6CidrBlock", false) || in.contains("Ipv6CidrBlock") ||
      in.contains("Ipv4IpamPoolId") || in.contains("Ipv6IpamPoolId")) {
    return ApiError::sender("InvalidParameterValue",
                            "Kura does not assign IPv6 blocks or IPAM pools to VPCs; create the VPC with "
                            "CidrBlock only.");
  }
  std::string tenancy = in.value("InstanceTenancy", "default");
  auto tags = tagsToApply(in, "vpc");
  if (!tags) return tags.error();
  return catalog_.transact([&]() -> Result<Json> {
    if (listAll(catalog_, c, kVpc).size() >= kVpcsPerRegion) {
      return ApiError::sender("VpcLimitExceeded", "The maximum number of VPCs has been reached.");
    }
    Resource vpc = mustCreate(catalog_, vpcRecord(c, cidr->text(), false, tenancy));
    mustCreate(catalog_, defaultGroupRecord(c, vpc.name));
    catalog_.addTags(vpc.arn, *tags);
    return Json{{"Vpc", vpcView(vpc, catalog_.listTags(vpc.arn))}};
  });
}

Result<Json> Ec2Api::deleteVpc(const RequestContext& c, const Json& in) {
  return catalog_.transact([&]() -> Result<Json> {
    auto vpc = findVpc(catalog_, c, in.value("VpcId", ""));
    if (!vpc) return vpc.error();
    bool inUse = false;
    for (const char* kind : {kSubnet, kNetworkInterface}) {
      for (const Resource& record : listAll(catalog_, c, kind)) {
        if (record.spec.value("VpcId", "") == vpc->name) inUse = true;
      }
    }
    std::vector<Resource> ownGroups;
    for (const Resource& group : listAll(catalog_, c, kSecurityGroup)) {
      if (group.spec.value("VpcId", "") != vpc->name) continue;
      if (group.spec.value("GroupName", "") == "default") {
        ownGroups.push_back(group);
      } else {
        inUse = true;
      }
    }
    if (inUse) {
      return ApiError::sender("DependencyViolation",
                              "The vpc '" + vpc->name + "' has dependencies and cannot be deleted.");
    }
    for (const Resource& group : ownGroups) catalog_.removeResource(group.id);
    catalog_.removeResource(vpc->id);
    return Json::object();
  });
}

Result<Json> Ec2Api::describeVpcs(const RequestContext& c, const Json& in) {
  auto filters = parseFilters(in, {"vpc-id", "cidr", "cidr-block-association.cidr-block",
                                   "cidr-block-association.state", "is-default", "isDefault", "state", "owner-id",
                                   "dhcp-options-id"});
  if (!filters) return filters.error();
  std::vector<std::string> ids = in.value("VpcIds", std::vector<std::string>{});
  std::vector<Resource> vpcs;
  if (!ids.empty()) {
    for (const std::string& id : ids) {
      auto vpc = findVpc(catalog_, c, id);
      if (!vpc) return vpc.error();
      vpcs.push_back(*vpc);
    }
  } else {
    vpcs = listAll(catalog_, c, kVpc);
  }
  Json items = Json::array();
  for (const Resource& vpc : vpcs) {
    std::vector<Tag> tags = catalog_.listTags(vpc.arn);
    if (matchesFilters(*filters, vpcFilterValues(vpc), tags)) items.push_back(vpcView(vpc, tags));
  }
  Json out = Json::object();
  auto page = pageOf(in, std::move(items), out);
  if (!page) return page.error();
  out["Vpcs"] = std::move(*page);
  return out;
}

Result<Json> Ec2Api::createSubnet(const RequestContext& c, const Json& in) {
  std::vector<std::string> zones = zoneNames(c);
  std::string zone = in.value("AvailabilityZone", "");
  if (zone.empty() && in.contains("AvailabilityZoneId")) {
    std::string zoneId = in["AvailabilityZoneId"].get<std::string>();
    for (const std::string& candidate : zones) {
      if (zoneIdOf(c.region, candidate) == zoneId) zone = candidate;
    }
    if (zone.empty()) {
      return ApiError::sender("InvalidParameterValue",
                              "Value (" + zoneId + ") for parameter availabilityZoneId is invalid.");
    }
  }
  if (zone.empty()) zone = zones.front();
  if (std::find(zones.begin(), zones.end(), zone) == zones.end()) {
    std::string list;
    for (const std::string& candidate : zones) list += (list.empty() ? "" : ", ") + candidate;
    return ApiError::sender("InvalidParameterValue",
                            "Value (" + zone +
                                ") for parameter availabilityZone is invalid. Subnets can currently only be "
                                "created in the following availability zones: " +
                                list + ".");
  }
  if (!in.contains("CidrBlock")) {
    return ApiError::sender("MissingParameter", "The request must contain the parameter CidrBlock");
  }
  std::string text = in["CidrBlock"].get<std::string>();
  auto cidr = parseCidr(text);
  if (!cidr || cidr->base.v6) return invalidCidr(text);
  if (in.contains("Ipv6CidrBlock") || in.value("Ipv6Native", false)) {
    return ApiError::sender("InvalidParameterValue", "Kura's VPCs have no IPv6 block; create the subnet with "
                                                     "CidrBlock only.");
  }
  auto tags = tagsToApply(in, "subnet");
  if (!tags) return tags.error();
  return catalog_.transact([&]() -> Result<Json> {
    auto vpc = findVpc(catalog_, c, in.value("VpcId", ""));
    if (!vpc) return vpc.error();
    auto vpcCidr = parseCidr(vpc->spec.value("CidrBlock", ""));
    if (cidr->prefix < 16 || cidr->prefix > 28 || !cidr->canonical() || !vpcCidr || !vpcCidr->covers(*cidr)) {
      return ApiError::sender("InvalidSubnet.Range", "The CIDR '" + text + "' is invalid.");
    }
    for (const Resource& other : listAll(catalog_, c, kSubnet)) {
      if (other.spec.value("VpcId", "") != vpc->name) continue;
      auto taken = parseCidr(other.spec.value("CidrBlock", ""));
      if (taken && taken->overlaps(*cidr)) {
        return ApiError::sender("InvalidSubnet.Conflict", "The CIDR '" + text + "' conflicts with another subnet");
      }
    }
    Resource subnet = mustCreate(catalog_, subnetRecord(c, vpc->name, cidr->text(), zone, false));
    catalog_.addTags(subnet.arn, *tags);
    return Json{{"Subnet", subnetView(subnet, catalog_.listTags(subnet.arn))}};
  });
}

Result<Json> Ec2Api::deleteSubnet(const RequestContext& c, const Json& in) {
  return catalog_.transact([&]() -> Result<Json> {
    auto subnet = findSubnet(catalog_, c, in.value("SubnetId", ""));
    if (!subnet) return subnet.error();
    for (const Resource& interface : listAll(catalog_, c, kNetworkInterface)) {
      if (interface.spec.value("SubnetId", "") == subnet->name) {
        return ApiError::sender("DependencyViolation",
                                "The subnet '" + subnet->name + "' has dependencies and cannot be deleted.");
      }
    }
    // A database's node in it depends on it too (RDS and ElastiCache place nodes in subnets).
    if (!databaseInSubnet(catalog_, c, *subnet).empty()) {
      return ApiError::sender("DependencyViolation",
                              "The subnet '" + subnet->name + "' has dependencies and cannot be deleted.");
    }
    catalog_.removeResource(subnet->id);
    return Json::object();
  });
}

Result<Json> Ec2Api::describeSubnets(const RequestContext& c, const Json& in) {
  auto filters = parseFilters(in, {"subnet-id", "subnet-arn", "vpc-id", "availability-zone", "availabilityZone",
                                   "availability-zone-id", "cidr-block", "cidr", "cidrBlock", "default-for-az",
                                   "defaultForAz", "map-public-ip-on-launch", "state", "owner-id",
                                   "available-ip-address-count"});
  if (!filters) return filters.error();
  std::vector<std::string> ids = in.value("SubnetIds", std::vector<std::string>{});
  std::vector<Resource> subnets;
  if (!ids.empty()) {
    for (const std::string& id : ids) {
      auto subnet = findSubnet(catalog_, c, id);
      if (!subnet) return subnet.error();
      subnets.push_back(*subnet);
    }
  } else {
    subnets = listAll(catalog_, c, kSubnet);
  }
  std::map<std::string, uint64_t> used = usedAddresses(catalog_, c);
  Json items = Json::array();
  for (const Resource& subnet : subnets) {
    std::vector<Tag> tags = catalog_.listTags(subnet.arn);
    uint64_t taken = used[subnet.name];
    if (matchesFilters(*filters, subnetFilterValues(subnet, taken), tags)) {
      items.push_back(subnetView(subnet, tags, taken));
    }
  }
  Json out = Json::object();
  auto page = pageOf(in, std::move(items), out);
  if (!page) return page.error();
  out["Subnets"] = std::move(*page);
  return out;
}

Result<Json> Ec2Api::describeAvailabilityZones(const RequestContext& c, const Json& in) {
  auto filters = parseFilters(in, {"zone-name", "zone-id", "state", "region-name", "zone-type", "group-name",
                                   "opt-in-status"});
  if (!filters) return filters.error();
  std::vector<std::string> zones = zoneNames(c);
  for (const std::string& name : in.value("ZoneNames", std::vector<std::string>{})) {
    if (std::find(zones.begin(), zones.end(), name) == zones.end()) {
      return ApiError::sender("InvalidParameterValue", "The zone '" + name + "' does not exist.");
    }
  }
  std::vector<std::string> names = in.value("ZoneNames", std::vector<std::string>{});
  std::vector<std::string> zoneIds = in.value("ZoneIds", std::vector<std::string>{});
  Json items = Json::array();
  for (const std::string& zone : zones) {
    std::string zoneId = zoneIdOf(c.region, zone);
    if (!names.empty() && std::find(names.begin(), names.end(), zone) == names.end()) continue;
    if (!zoneIds.empty() && std::find(zoneIds.begin(), zoneIds.end(), zoneId) == zoneIds.end()) continue;
    FilterValues values = {{"zone-name", {zone}},          {"zone-id", {zoneId}},
                           {"state", {"available"}},       {"region-name", {c.region}},
                           {"zone-type", {"availability-zone"}}, {"group-name", {c.region}},
                           {"opt-in-status", {"opt-in-not-required"}}};
    if (!matchesFilters(*filters, values, {})) continue;
    items.push_back({{"ZoneName", zone},
                     {"ZoneId", zoneId},
                     {"State", "available"},
                     {"RegionName", c.region},
                     {"ZoneType", "availability-zone"},
                     {"GroupName", c.region},
                     {"NetworkBorderGroup", c.region},
                     {"OptInStatus", "opt-in-not-required"},
                     {"Messages", Json::array()}});
  }
  return Json{{"AvailabilityZones", std::move(items)}};
}

}  // namespace kura::ec2
