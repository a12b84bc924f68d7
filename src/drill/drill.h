#pragma once
// One drill: a name, what it rehearses, and how it runs. Each drill lives
// in a file of its own under drills/ and registers itself there with a
// DrillRegistration; `kura drill NAME` finds it in the registry. A drill
// fills the report; the command writes it and records the incident.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drill/drill_context.h"
#include "drill/drill_report.h"

namespace kura::drill {

class Drill {
 public:
  virtual ~Drill() = default;
  virtual std::string name() const = 0;     // "instance-failure"
  virtual std::string summary() const = 0;  // one sentence for --help and docs
  // Runs the drill against context.options().resource; what goes wrong
  // before anything is measured is an error (one sentence), else the report.
  virtual DrillResult run(DrillContext& context) = 0;
};
using DrillPtr = std::unique_ptr<Drill>;
using DrillFactory = std::function<DrillPtr()>;

// Every registered drill, by name.
const std::vector<std::pair<std::string, DrillFactory>>& registeredDrills();
DrillPtr makeDrill(const std::string& name);

// A static instance in a drill's file registers it:
//   const DrillRegistration registration{"instance-failure", [] { return std::make_unique<InstanceFailure>(); }};
struct DrillRegistration {
  DrillRegistration(std::string name, DrillFactory factory);
};

}  // namespace kura::drill
