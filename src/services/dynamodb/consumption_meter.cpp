#include "services/dynamodb/consumption_meter.h"

namespace kura::ddb {

void ConsumptionMeter::add(const nlohmann::json& table, bool read, double units, const std::string& index) {
  if (units <= 0) return;
  auto arnField = table.find("TableArn");
  if (arnField == table.end() || !arnField->is_string()) return;
  const std::string& arn = arnField->get_ref<const std::string&>();
  std::string key = arn + "/" + index + (read ? "/r" : "/w");
  std::lock_guard lock(mutex_);
  auto found = sums_.find(key);
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
    found = sums_.emplace(key, std::move(entry)).first;
  }
  found->second.units += units;
}

std::vector<ConsumedUnits> ConsumptionMeter::drain() {
  std::lock_guard lock(mutex_);
  std::vector<ConsumedUnits> out;
  out.reserve(sums_.size());
  for (auto& [key, entry] : sums_) out.push_back(std::move(entry));
  sums_.clear();
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
