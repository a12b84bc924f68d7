#include "services/rds/zone_choice.h"

#include <algorithm>

namespace kura::rds {

Result<ZonePlacement> placeInZones(const std::vector<std::string>& groupZones, const std::string& asked, bool multiAz,
                                   const std::string& secondaryNow) {
  auto inGroup = [&](const std::string& zone) {
    return std::find(groupZones.begin(), groupZones.end(), zone) != groupZones.end();
  };
  if (groupZones.empty()) {
    return ApiError::sender("InvalidVPCNetworkStateFault", "The DB subnet group has no subnets.");
  }
  ZonePlacement placement;
  if (!asked.empty()) {
    if (!inGroup(asked)) {
      return ApiError::sender("InvalidParameterCombination",
                              "Cannot create a database instance because there is not a subnet in " + asked +
                                  ", the targeted availability zone. Update your DB subnet group to include a "
                                  "subnet in " + asked + ", and then try again.");
    }
    placement.primary = asked;
  } else {
    placement.primary = groupZones.front();
  }
  if (!multiAz) return placement;
  if (groupZones.size() < 2) {
    return ApiError::sender("DBSubnetGroupDoesNotCoverEnoughAZs",
                            "DB Subnet Group doesn't meet availability zone coverage requirement. Please add subnets "
                            "to cover at least 2 availability zones. Current coverage: 1");
  }
  if (!secondaryNow.empty() && secondaryNow != placement.primary && inGroup(secondaryNow)) {
    placement.secondary = secondaryNow;
    return placement;
  }
  for (const std::string& zone : groupZones) {
    if (zone != placement.primary) {
      placement.secondary = zone;
      break;
    }
  }
  return placement;
}

}  // namespace kura::rds
