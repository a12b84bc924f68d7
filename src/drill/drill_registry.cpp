#include <algorithm>

#include "drill/drill.h"

namespace kura::drill {
namespace {

std::vector<std::pair<std::string, DrillFactory>>& registry() {
  static std::vector<std::pair<std::string, DrillFactory>> drills;
  return drills;
}

}  // namespace

DrillRegistration::DrillRegistration(std::string name, DrillFactory factory) {
  auto& drills = registry();
  auto at = std::lower_bound(drills.begin(), drills.end(), name,
                             [](const auto& entry, const std::string& key) { return entry.first < key; });
  drills.insert(at, {std::move(name), std::move(factory)});
}

const std::vector<std::pair<std::string, DrillFactory>>& registeredDrills() { return registry(); }

DrillPtr makeDrill(const std::string& name) {
  for (const auto& [drillName, factory] : registry()) {
    if (drillName == name) return factory();
  }
  return nullptr;
}

}  // namespace kura::drill
