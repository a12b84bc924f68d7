#pragma once
// The record of a Multi-AZ change (ModifyDBInstance --multi-az or
// --no-multi-az, at once or in the maintenance window): the spec says what
// the instance becomes, PendingNodes the ports and zones of its two nodes,
// MultiAzConversion tells the controller to move the data.
#include <optional>

#include "catalog/records.h"
#include "common/api_error.h"
#include "services/rds/port_allocator.h"

namespace kura::rds {

std::optional<ApiError> recordMultiAzChange(Resource& instance, bool on, PortAllocator& ports);
// Gives back the ports a recorded change took, when its record could not be
// stored.
void releaseMultiAzChange(const Resource& instance, PortAllocator& ports);

}  // namespace kura::rds
