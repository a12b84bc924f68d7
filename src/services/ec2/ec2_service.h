#pragma once
#include "catalog/catalog.h"
#include "services/core/service_module.h"

namespace kura {

// Amazon EC2 (its own dialect of the query protocol), the network part
// databases need: VPCs, subnets, security groups and rules, tags
// (services/ec2/ec2_api.h). Every other operation answers InvalidAction.
ServiceModulePtr makeEc2Service(Catalog& catalog);

}  // namespace kura
