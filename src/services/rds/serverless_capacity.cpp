#include "services/rds/serverless_capacity.h"

#include <cmath>

#include <fmt/format.h>

#include "services/rds/instance_class_memory.h"

namespace kura::rds {
namespace {

constexpr double kLargestCapacity = 256;  // ACUs, Aurora's largest
constexpr uint64_t kBytesPerCapacityUnit = uint64_t{2} << 30;

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

// A capacity the call gave: a number in steps of 0.5 ACU.
Result<double> capacityOf(const nlohmann::json& given, const char* name) {
  if (!given[name].is_number()) return invalid(fmt::format("{} must be a number of ACUs.", name));
  double value = given[name].get<double>();
  if (!std::isfinite(value) || std::fmod(value * 2, 1.0) != 0) {
    return invalid(fmt::format("{} {} isn't valid: Serverless v2 capacity is set in steps of 0.5 ACU.", name, value));
  }
  return value;
}

}  // namespace

Result<nlohmann::json> scalingRangeOf(const nlohmann::json& given, const nlohmann::json* current) {
  if (!given.is_object()) return invalid("ServerlessV2ScalingConfiguration must be a structure.");
  bool initial = current == nullptr || !current->is_object();
  if (initial && (!given.contains("MinCapacity") || !given.contains("MaxCapacity"))) {
    return invalid("Both MinCapacity and MaxCapacity must be specified when you initialize Serverless v2 scaling "
                   "configuration.");
  }
  nlohmann::json range = initial ? nlohmann::json::object() : *current;
  for (const char* name : {"MinCapacity", "MaxCapacity"}) {
    if (!given.contains(name)) continue;
    auto value = capacityOf(given, name);
    if (!value) return value.error();
    range[name] = *value;
  }
  double minimum = range["MinCapacity"].get<double>(), maximum = range["MaxCapacity"].get<double>();
  if (minimum == 0) {
    // Aurora pauses an instance at 0 ACUs once idle; Kura keeps every server running.
    return invalid("Kura does not pause Aurora Serverless v2 instances: MinCapacity must be at least 0.5 ACU.");
  }
  if (minimum < 0.5 || minimum > kLargestCapacity) {
    return invalid(fmt::format("MinCapacity {} isn't valid: it must be from 0.5 to {} ACUs.", minimum, kLargestCapacity));
  }
  if (maximum < 1 || maximum > kLargestCapacity) {
    return invalid(fmt::format("MaxCapacity {} isn't valid: it must be from 1 to {} ACUs.", maximum, kLargestCapacity));
  }
  if (minimum > maximum) {
    return invalid(fmt::format("MinCapacity {} must be less than or equal to MaxCapacity {}.", minimum, maximum));
  }
  return range;
}

ApiError noScalingRange() {
  return ApiError::sender("InvalidDBClusterStateFault",
                          "Set the Serverless v2 scaling configuration on the parent DB cluster before creating a "
                          "Serverless v2 DB instance.");
}

uint64_t instanceMemoryBytes(const nlohmann::json& spec) {
  std::string instanceClass = spec.value("DBInstanceClass", "");
  if (instanceClass != kServerlessClass) return instanceClassMemoryBytes(instanceClass);
  auto range = spec.find(kServerlessScaling);
  if (range == spec.end() || !range->is_object() || !range->contains("MaxCapacity")) return 0;
  return static_cast<uint64_t>(std::llround((*range)["MaxCapacity"].get<double>() * 2)) * (kBytesPerCapacityUnit / 2);
}

}  // namespace kura::rds
