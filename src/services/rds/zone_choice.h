#pragma once
// Where an instance's nodes go: zones of its DB subnet group only, as RDS
// places them. A zone the request names must be one of the group's; without
// one the first of the group's zones is taken (RDS picks one; Kura picks the
// same one every time, so that a test can count on it). A Multi-AZ standby
// goes to another zone of the group.
#include <string>
#include <vector>

#include "common/api_error.h"

namespace kura::rds {

struct ZonePlacement {
  std::string primary;
  std::string secondary;  // empty unless Multi-AZ
};

// `groupZones`: the zones of the subnet group (each once, in order);
// `asked`: the AvailabilityZone of the request (empty: none); `secondaryNow`:
// the standby's zone to keep when it is still in the group (empty: none).
Result<ZonePlacement> placeInZones(const std::vector<std::string>& groupZones, const std::string& asked, bool multiAz,
                                   const std::string& secondaryNow = "");

}  // namespace kura::rds
