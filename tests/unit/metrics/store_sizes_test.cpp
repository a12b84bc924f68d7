// kura_store_bytes names every store Kura keeps under its data directory
// (store_sizes.h), each with the bytes below it.
#include "metrics/store_sizes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/crypto.h"

namespace kura::metrics {
namespace {

namespace fs = std::filesystem;

TEST(StoreSizes, EveryStoreUnderTheDataDirectoryIsCounted) {
  fs::path dir = fs::temp_directory_path() / ("kura-store-sizes-" + toHex(randomBytes(6)));
  // Where each store keeps its files (the paths their classes open).
  std::map<std::string, fs::path> files = {
      {"catalog", "catalog.db"},
      {"dynamodb", "dynamodb/000004.sst"},
      {"dynamodb_backups", "dynamodb-backups/backup-1/000001.sst"},
      {"trail", "trail/logs/00000001.log"},
      {"logs", "logs/logs.db"},
      {"metrics", "monitoring/metrics.db"},
      {"kms", "kms/kms.db"},
      {"secretsmanager", "secretsmanager/secrets.db"},
      {"application_autoscaling", "application-autoscaling/scaling.db"},
  };
  size_t bytes = 100;
  for (const auto& [store, file] : files) {
    fs::create_directories((dir / file).parent_path());
    std::ofstream(dir / file) << std::string(bytes++, 'x');
  }
  std::ofstream(dir / "monitoring" / "alarms.db") << std::string(1000, 'x');  // the metrics store's too
  std::map<std::string, double> reported;
  for (const auto& [store, size] : storeSizes(dir)) reported[store] = size;
  bytes = 100;
  for (const auto& [store, file] : files) {
    ASSERT_TRUE(reported.contains(store)) << store;
    EXPECT_EQ(reported[store], static_cast<double>(bytes++) + (store == "metrics" ? 1000 : 0)) << store;
  }
  EXPECT_EQ(reported.size(), files.size());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kura::metrics
