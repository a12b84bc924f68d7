#include "services/cloudwatch/metric_store.h"

#include <algorithm>

namespace kura {
namespace {

std::vector<std::pair<std::string, std::string>> parseDimensions(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> dimensions;
  size_t at = 0;
  while (at < key.size()) {
    size_t end = key.find('\n', at);
    if (end == std::string::npos) end = key.size();
    std::string line = key.substr(at, end - at);
    size_t equals = line.find('=');
    dimensions.emplace_back(line.substr(0, equals), equals == std::string::npos ? "" : line.substr(equals + 1));
    at = end + 1;
  }
  return dimensions;
}

}  // namespace

std::string dimensionsKey(std::vector<std::pair<std::string, std::string>>& dimensions) {
  std::sort(dimensions.begin(), dimensions.end());
  // Names and values are validated not to hold a newline; a name, no '='.
  std::string key;
  for (const auto& [name, value] : dimensions) {
    if (!key.empty()) key += '\n';
    key += name + "=" + value;
  }
  return key;
}

MetricStore::MetricStore(const std::filesystem::path& dataDir)
    : db_(dataDir / "monitoring" / "metrics.db"), observed_(dataDir / "monitoring" / "metrics.db") {
  // WAL with synchronous=NORMAL: a commit is appended to the WAL, which the
  // next synced commit of either connection (or a checkpoint) takes to
  // disk, in order. Set once, on this connection alone.
  observed_.exec("PRAGMA synchronous=NORMAL");
  db_.exec(R"(
    CREATE TABLE IF NOT EXISTS metrics (
      id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL,
      name TEXT NOT NULL, dimensions TEXT NOT NULL, last_put REAL NOT NULL DEFAULT 0,
      UNIQUE (account, region, namespace, name, dimensions));
    CREATE TABLE IF NOT EXISTS datapoints (
      metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE, timestamp REAL NOT NULL,
      count REAL NOT NULL, sum REAL NOT NULL, minimum REAL NOT NULL, maximum REAL NOT NULL, unit TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS datapoints_by_time ON datapoints (metric_id, timestamp);
  )");
}

void MetricStore::put(const std::string& account, const std::string& region, MetricId metric,
                      const std::vector<MetricSample>& samples) {
  std::lock_guard lock(mutex_);
  db_.transaction([&] { insertSamples(db_, account, region, metric, samples); });
}

void MetricStore::putObserved(const std::string& account, const std::string& region,
                              std::vector<std::pair<MetricId, MetricSample>> points) {
  std::lock_guard lock(mutex_);
  observed_.transaction([&] {
    for (auto& [metric, sample] : points) insertSamples(observed_, account, region, metric, {sample});
  });
}

void MetricStore::insertSamples(SqliteDb& db, const std::string& account, const std::string& region,
                                MetricId& metric, const std::vector<MetricSample>& samples) {
  std::string key = dimensionsKey(metric.dimensions);
  double newest = 0;
  for (const MetricSample& sample : samples) newest = std::max(newest, sample.timestamp);
  auto id = db.prepare(
      "INSERT INTO metrics (account, region, namespace, name, dimensions, last_put) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (account, region, namespace, name, dimensions) "
      "DO UPDATE SET last_put = max(last_put, excluded.last_put) RETURNING id");
  id.bind(1, account).bind(2, region).bind(3, metric.nameSpace).bind(4, metric.name).bind(5, key).bindReal(6, newest);
  if (!id.step()) throw SqliteError("the metric just stored is not there");
  int64_t metricId = id.integer(0);
  auto insert = db.prepare("INSERT INTO datapoints VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const MetricSample& sample : samples) {
    insert.bind(1, metricId).bindReal(2, sample.timestamp).bindReal(3, sample.count).bindReal(4, sample.sum)
        .bindReal(5, sample.minimum).bindReal(6, sample.maximum).bind(7, sample.unit);
    insert.run();
    insert.reset();
  }
}

std::vector<MetricBucket> MetricStore::statistics(const std::string& account, const std::string& region,
                                                  MetricId metric, double start, double end, double period,
                                                  const std::string& unit) {
  std::string key = dimensionsKey(metric.dimensions);
  std::lock_guard lock(mutex_);
  auto query = db_.prepare(
      "SELECT CAST((d.timestamp - ?1) / ?3 AS INTEGER) AS bucket, sum(d.count), sum(d.sum), min(d.minimum), "
      "max(d.maximum), max(d.unit) FROM datapoints d JOIN metrics m ON m.id = d.metric_id "
      "WHERE m.account = ?4 AND m.region = ?5 AND m.namespace = ?6 AND m.name = ?7 AND m.dimensions = ?8 "
      "AND d.timestamp >= ?1 AND d.timestamp < ?2 AND (?9 = '' OR d.unit = ?9) GROUP BY bucket ORDER BY bucket");
  query.bindReal(1, start).bindReal(2, end).bindReal(3, period).bind(4, account).bind(5, region)
      .bind(6, metric.nameSpace).bind(7, metric.name).bind(8, key).bind(9, unit);
  std::vector<MetricBucket> buckets;
  while (query.step()) {
    buckets.push_back({start + static_cast<double>(query.integer(0)) * period, query.real(1), query.real(2),
                       query.real(3), query.real(4), query.text(5)});
  }
  return buckets;
}

std::vector<std::pair<int64_t, MetricId>> MetricStore::list(const std::string& account, const std::string& region,
                                                            const std::string& nameSpace, const std::string& name,
                                                            const std::vector<DimensionFilter>& dimensions,
                                                            double activeSince, int64_t after, size_t limit) {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare(
      "SELECT id, namespace, name, dimensions FROM metrics WHERE account = ? AND region = ? AND id > ? "
      "AND (? = '' OR namespace = ?) AND (? = '' OR name = ?) AND last_put >= ? ORDER BY id");
  query.bind(1, account).bind(2, region).bind(3, after).bind(4, nameSpace).bind(5, nameSpace).bind(6, name)
      .bind(7, name).bindReal(8, activeSince);
  std::vector<std::pair<int64_t, MetricId>> found;
  while (found.size() < limit && query.step()) {
    MetricId metric{query.text(1), query.text(2), parseDimensions(query.text(3))};
    bool matches = std::all_of(dimensions.begin(), dimensions.end(), [&](const DimensionFilter& filter) {
      return std::any_of(metric.dimensions.begin(), metric.dimensions.end(), [&](const auto& dimension) {
        return dimension.first == filter.name && (!filter.value || dimension.second == *filter.value);
      });
    });
    if (matches) found.emplace_back(query.integer(0), std::move(metric));
  }
  return found;
}

void MetricStore::prune(double now) {
  std::lock_guard lock(mutex_);
  db_.prepare("DELETE FROM datapoints WHERE timestamp < ?").bindReal(1, now - kRetentionSeconds).run();
  db_.prepare("DELETE FROM metrics WHERE last_put < ? AND id NOT IN (SELECT metric_id FROM datapoints)")
      .bindReal(1, now - kRetentionSeconds)
      .run();
}

}  // namespace kura
