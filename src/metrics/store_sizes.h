#pragma once
// The bytes Kura's stores take on disk, under the data directory: the
// catalog (catalog.db and its WAL), DynamoDB's RocksDB, the audit trail,
// CloudWatch Logs and CloudWatch metrics. Walks the directories: called by
// the collection task, never on a scrape.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kura::metrics {

// (store name, bytes), in a fixed order; a store not there yet is 0.
std::vector<std::pair<std::string, double>> storeSizes(const std::filesystem::path& dataDir);

}  // namespace kura::metrics
