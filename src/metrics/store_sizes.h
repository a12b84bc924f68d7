#pragma once
// The bytes Kura's stores take on disk, under the data directory: the
// catalog (catalog.db and its WAL), DynamoDB's RocksDB and its backups,
// the audit trail, CloudWatch Logs, CloudWatch metrics and alarms, KMS's
// keys, Secrets Manager's secrets and Application Auto Scaling's targets.
// (The engines' own files, under rds/ and elasticache/, are not Kura's
// stores.) Walks the directories: called by the collection task, never on
// a scrape.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kura::metrics {

// (store name, bytes), in a fixed order; a store not there yet is 0.
std::vector<std::pair<std::string, double>> storeSizes(const std::filesystem::path& dataDir);

}  // namespace kura::metrics
