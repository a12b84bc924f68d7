#include "services/rds/multi_az_change.h"

namespace kura::rds {

std::optional<ApiError> recordMultiAzChange(Resource& instance, bool on, PortAllocator& ports) {
  nlohmann::json& spec = instance.spec;
  if (on) {
    std::string zone = spec.value("AvailabilityZone", instance.region + "a");
    // The caller names the standby's zone (one of the subnet group's).
    std::string other = spec.value("SecondaryAvailabilityZone",
                                   zone == instance.region + "b" ? instance.region + "c" : instance.region + "b");
    auto first = ports.allocate(instance.arn + "#node-a");
    auto second = ports.allocate(instance.arn + "#node-b");
    if (!first || !second) {
      if (first) ports.release(*first);
      return ApiError::sender("InsufficientDBInstanceCapacity", "No free engine port is left in Kura's port range.");
    }
    spec["SecondaryAvailabilityZone"] = other;
    instance.state["PendingNodes"] = {{"a", {{"Port", *first}, {"AvailabilityZone", zone}}},
                                      {"b", {{"Port", *second}, {"AvailabilityZone", other}}}};
  } else {
    // Single-AZ again: the engine gets a port of its own behind the proxy.
    if (!instance.state.contains("EnginePort")) {
      auto port = ports.allocate(instance.arn + "#engine");
      if (!port) {
        return ApiError::sender("InsufficientDBInstanceCapacity", "No free engine port is left in Kura's port range.");
      }
      instance.state["EnginePort"] = *port;
    }
    spec.erase("SecondaryAvailabilityZone");
  }
  spec["MultiAZ"] = on;
  instance.state["MultiAzConversion"] = on ? "on" : "off";
  return std::nullopt;
}

void releaseMultiAzChange(const Resource& instance, PortAllocator& ports) {
  if (!instance.state.contains("PendingNodes")) return;
  for (const char* node : {"a", "b"}) ports.release(instance.state["PendingNodes"][node].value("Port", 0));
}

}  // namespace kura::rds
