#include "metrics/store_sizes.h"

#include "common/tree_size.h"

namespace kura::metrics {

std::vector<std::pair<std::string, double>> storeSizes(const std::filesystem::path& dataDir) {
  return {
      {"catalog", bytesBelow(dataDir / "catalog.db") + bytesBelow(dataDir / "catalog.db-wal") +
                      bytesBelow(dataDir / "catalog.db-shm")},
      {"dynamodb", bytesBelow(dataDir / "dynamodb")},
      {"dynamodb_backups", bytesBelow(dataDir / "dynamodb-backups")},
      {"trail", bytesBelow(dataDir / "trail")},
      {"logs", bytesBelow(dataDir / "logs")},
      {"metrics", bytesBelow(dataDir / "monitoring")},
      {"kms", bytesBelow(dataDir / "kms")},
      {"secretsmanager", bytesBelow(dataDir / "secretsmanager")},
      {"application_autoscaling", bytesBelow(dataDir / "application-autoscaling")},
  };
}

}  // namespace kura::metrics
