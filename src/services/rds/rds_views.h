#pragma once
// Catalog records as the RDS API shows them (DBInstance, DBSnapshot, Event).
#include <nlohmann/json.hpp>

#include "catalog/records.h"

namespace kura::rds {

nlohmann::json instanceView(const Resource& instance, const std::vector<Tag>& tags);
// Tags as a view's TagList.
nlohmann::json tagListView(const std::vector<Tag>& tags);
nlohmann::json snapshotView(const Resource& snapshot, const std::vector<Tag>& tags);
nlohmann::json eventView(const Event& event);
// A DBCluster: its members (instances not deleted) and where its endpoints
// listen (address of the cluster endpoint, of the reader endpoint).
nlohmann::json clusterView(const Resource& cluster, const std::vector<Resource>& members, const std::vector<Tag>& tags,
                           const std::string& address, const std::string& readerAddress);
nlohmann::json clusterSnapshotView(const Resource& snapshot, const std::vector<Tag>& tags);

}  // namespace kura::rds
