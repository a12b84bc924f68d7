#pragma once
// CloudWatch's metrics: datapoints per account, region, namespace, metric
// name and dimensions, in SQLite (<data-dir>/monitoring/metrics.db). Users
// put their own (PutMetricData); Kura's services record theirs (AWS/RDS
// ReplicaLag, ...). Each datapoint is a statistic set (count, sum, min, max),
// so a single value and a pre-aggregated set are stored alike, and any
// period's SampleCount, Sum, Average, Minimum and Maximum are exact.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sql/sqlite_db.h"

namespace kura {

struct MetricId {
  std::string nameSpace;
  std::string name;
  std::vector<std::pair<std::string, std::string>> dimensions;  // sorted by name
};

struct MetricSample {
  double timestamp = 0;  // epoch seconds
  double count = 1, sum = 0, minimum = 0, maximum = 0;
  std::string unit = "None";
};

// One period's statistics.
struct MetricBucket {
  double start = 0;
  double count = 0, sum = 0, minimum = 0, maximum = 0;
  std::string unit;
};

// ListMetrics' dimension filter: a name, with or without a value.
struct DimensionFilter {
  std::string name;
  std::optional<std::string> value;
};

class MetricStore {
 public:
  // How long datapoints are kept (CloudWatch keeps 1-minute data 15 days).
  static constexpr double kRetentionSeconds = 15 * 86400.0;

  explicit MetricStore(const std::filesystem::path& dataDir);

  void put(const std::string& account, const std::string& region, MetricId metric,
           const std::vector<MetricSample>& samples);
  // Kura's own observations of its resources, in one transaction (what it
  // records of a resource at once: AWS/RDS, AWS/ElastiCache,
  // AWS/DynamoDB, each every few seconds): committed without a sync of
  // their own (a third of the ElastiCache supervisor's time with an idle
  // fleet was those syncs). A power loss
  // may lose the last seconds of them, a gap as a collection missed would
  // leave; never a datapoint PutMetricData acknowledged (put() syncs, and
  // its sync takes every earlier commit with it).
  void putObserved(const std::string& account, const std::string& region,
                   std::vector<std::pair<MetricId, MetricSample>> points);
  // Buckets of `period` seconds from `start` (inclusive) to `end` (exclusive)
  // that hold datapoints, oldest first; `unit` (non-empty) keeps only those.
  std::vector<MetricBucket> statistics(const std::string& account, const std::string& region, MetricId metric,
                                       double start, double end, double period, const std::string& unit);
  // Metrics in name order after the cursor `after` (a metric's row id).
  std::vector<std::pair<int64_t, MetricId>> list(const std::string& account, const std::string& region,
                                                 const std::string& nameSpace, const std::string& name,
                                                 const std::vector<DimensionFilter>& dimensions,
                                                 double activeSince, int64_t after, size_t limit);
  // Drops datapoints older than the retention.
  void prune(double now);

 private:
  // One metric's row and its samples, inside the caller's transaction on `db`.
  void insertSamples(SqliteDb& db, const std::string& account, const std::string& region, MetricId& metric,
                     const std::vector<MetricSample>& samples);

  std::mutex mutex_;
  SqliteDb db_;        // guarded by mutex_; synchronous=FULL
  SqliteDb observed_;  // guarded by mutex_; the same file, synchronous=NORMAL (putObserved)
};

// Dimensions in CloudWatch's identity order (by name), one text form.
std::string dimensionsKey(std::vector<std::pair<std::string, std::string>>& dimensions);

}  // namespace kura
