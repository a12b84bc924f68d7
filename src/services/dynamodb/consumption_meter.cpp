#include "services/dynamodb/consumption_meter.h"

namespace kura::ddb {

void ConsumptionMeter::add(const nlohmann::json& table, bool read, double units, const std::string& index) {
  if (units <= 0) return;
  auto arnField = table.find("TableArn");
  if (arnField == table.end() || !arnField->is_string()) return;
  const std::string& arn = arnField->get_ref<const std::string&>();
  std::lock_guard lock(mutex_);
  auto found = sums_.find(KeyView{arn, index, read});
  if (found == sums_.end()) {
    // arn:aws:dynamodb:<region>:<account>:table/<name>
    ConsumedUnits entry;
    size_t regionAt = arn.find(':', arn.find(':', arn.find(':') + 1) + 1) + 1;
    size_t accountAt = arn.find(':', regionAt) + 1;
    size_t tableAt = arn.find(':', accountAt) + 1;
    entry.region = arn.substr(regionAt, accountAt - regionAt - 1);
    entry.account = arn.substr(accountAt, tableAt - accountAt - 1);
    entry.table = table.value("TableName", "");
    entry.index = index;
    entry.read = read;
    found = sums_.emplace(Key{arn, index, read}, std::move(entry)).first;
  }
  found->second.units += units;
}

std::vector<ConsumedUnits> ConsumptionMeter::drain() {
  std::lock_guard lock(mutex_);
  std::vector<ConsumedUnits> out;
  // A table's entry stays while it is used (no allocation on its calls);
  // one idle for a whole interval (or deleted) goes.
  for (auto it = sums_.begin(); it != sums_.end();) {
    if (it->second.units <= 0) {
      it = sums_.erase(it);
      continue;
    }
    out.push_back(it->second);
    it->second.units = 0;
    ++it;
  }
  return out;
}

ConsumptionMeter& consumptionMeter() {
  static ConsumptionMeter meter;
  return meter;
}

ConsumedCapacityPublisher::ConsumedCapacityPublisher(std::chrono::milliseconds interval, Sink sink)
    : sink_(std::move(sink)),
      task_("DynamoDB consumed capacity metrics", interval, [this] { publish(); }) {}

ConsumedCapacityPublisher::~ConsumedCapacityPublisher() { stop(); }

void ConsumedCapacityPublisher::start() { task_.start(); }

void ConsumedCapacityPublisher::stop() {
  if (task_.stop()) publish();
}

void ConsumedCapacityPublisher::publish() {
  for (const ConsumedUnits& used : consumptionMeter().drain()) sink_(used);
}

}  // namespace kura::ddb
