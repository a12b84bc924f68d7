#pragma once
// The DescribeEvents input that RDS and ElastiCache share (SourceType,
// SourceIdentifier, StartTime, EndTime, Duration, EventCategories,
// MaxRecords, Marker) as a catalog query, with their errors; and the Marker
// of the page after.
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "common/api_error.h"

namespace kura {

Result<EventQuery> eventQueryOf(const nlohmann::json& in, SystemTime now);
// The Marker for the page after `page` (absent when it was the last).
std::optional<std::string> nextEventMarker(const EventPage& page);

}  // namespace kura
