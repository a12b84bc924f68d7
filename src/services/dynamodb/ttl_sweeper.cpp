#include "services/dynamodb/ttl_sweeper.h"

#include <spdlog/spdlog.h>

#include <cmath>

namespace kura::ddb {
namespace {

constexpr size_t kItemsPerTablePerPass = 5000;
constexpr double kFiveYearsSeconds = 5.0 * 365 * 86400;

// The TTL time of an item, when its attribute is a Number.
std::optional<double> expiryOf(const Json& item, const std::string& attribute) {
  if (!item.contains(attribute) || !item[attribute].contains("N")) return std::nullopt;
  try {
    return std::stod(item[attribute]["N"].get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

TtlSweeper::TtlSweeper(TableStore& store, ClockPtr clock, std::chrono::milliseconds interval)
    : store_(store), clock_(std::move(clock)), task_("TTL sweep", interval, [this] { sweepOnce(); }) {}

TtlSweeper::~TtlSweeper() { stop(); }

void TtlSweeper::start() { task_.start(); }

void TtlSweeper::stop() { task_.stop(); }

size_t TtlSweeper::sweepOnce() {
  std::vector<Json> tables;
  store_.listMeta("m|", [&](const std::string&, Json table) {
    if (table.contains("_ttl") && table["_ttl"].value("Enabled", false)) tables.push_back(std::move(table));
  });
  double now = std::chrono::duration<double>(clock_->now().time_since_epoch()).count();
  size_t deleted = 0;
  for (const Json& table : tables) {
    std::string id = table["_id"];
    std::string attribute = table["_ttl"]["AttributeName"];
    std::vector<std::string> expired;
    size_t seen = 0;
    std::string last;
    store_.scanItems(id, "", cursors_[id], [&](const std::string& key, Json item) {
      last = key;
      auto expiry = expiryOf(item, attribute);
      if (expiry && *expiry <= now && now - *expiry <= kFiveYearsSeconds) expired.push_back(key);
      return ++seen < kItemsPerTablePerPass;
    });
    // A full pass starts over at the beginning next time.
    cursors_[id] = seen < kItemsPerTablePerPass ? "" : last;
    for (const std::string& key : expired) {
      bool removed = false;
      // A stream marks the deletion as the service's (WriteCause).
      store_.writeItem(
          id, key,
          [&](const Json* current) -> TableStore::Decision {
            // Still there and still expired, under the table's write lock.
            if (current == nullptr) return nullptr;
            auto expiry = expiryOf(*current, attribute);
            if (!expiry || *expiry > now) return current;
            removed = true;
            return nullptr;
          },
          WriteCause::TimeToLive);
      if (removed) ++deleted;
    }
  }
  return deleted;
}

}  // namespace kura::ddb
