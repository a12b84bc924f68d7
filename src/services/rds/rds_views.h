#pragma once
// Catalog records as the RDS API shows them (DBInstance, DBSnapshot, Event).
#include <nlohmann/json.hpp>

#include "catalog/records.h"

namespace kura::rds {

nlohmann::json instanceView(const Resource& instance, const std::vector<Tag>& tags);
nlohmann::json snapshotView(const Resource& snapshot, const std::vector<Tag>& tags);
nlohmann::json eventView(const Event& event);

}  // namespace kura::rds
