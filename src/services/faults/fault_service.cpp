#include "services/faults/fault_service.h"

#include <signal.h>

#include <algorithm>
#include <cctype>

#include "catalog/catalog.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "services/faults/engine_processes.h"
#include "services/faults/fault_targets.h"
#include "services/faults/hang_resumer.h"

namespace kura {
namespace {

using faults::FaultTarget;

ApiError invalid(const std::string& message) { return ApiError::sender("InvalidParameterValueException", message); }

bool validDrillName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool printable(const std::string& text) {
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

class FaultService final : public ServiceModule {
 public:
  FaultService(Catalog& catalog, rds::RdsPaths paths, std::filesystem::path cacheRoot, ClockPtr clock)
      : catalog_(catalog),
        targets_(catalog, paths, std::move(cacheRoot)),
        clock_(std::move(clock)),
        resumer_(paths.root / "fault-hangs") {
    handlers_.add("InjectFault", [this](const RequestContext& c, const Json& in) { return injectFault(c, in); });
    handlers_.add("RecordDrillEvent",
                  [this](const RequestContext& c, const Json& in) { return recordDrillEvent(c, in); });
  }

  std::string signingName() const override { return "kura"; }
  const HandlerTable& handlers() const override { return handlers_; }
  void stop() override { resumer_.shutdown(); }

 private:
  void addEvent(const Resource& resource, const std::string& sourceType, const std::string& message) {
    Event event;
    event.accountId = resource.accountId;
    event.region = resource.region;
    event.sourceType = sourceType;
    event.sourceId = resource.name;
    event.sourceArn = resource.arn;
    event.message = message;
    event.categories = {"notification"};
    catalog_.addEvent(std::move(event));
  }

  Result<Json> injectFault(const RequestContext& context, const Json& input) {
    std::string type = input.value("ResourceType", "");
    std::string id = input.value("ResourceIdentifier", "");
    std::string fault = input.value("Fault", "");
    std::string drill = input.value("DrillName", "");
    if (!drill.empty() && !validDrillName(drill)) {
      return invalid("DrillName must be lower-case letters, digits and hyphens.");
    }
    if (fault != "hang" && input.contains("DurationSeconds"))
      return invalid("DurationSeconds is for the hang fault only.");
    if (fault != "zone-failure" && input.contains("AvailabilityZone")) {
      return invalid("AvailabilityZone is for the zone-failure fault only.");
    }
    auto writer = targets_.writerOf(context, type, id);
    if (!writer) return writer.error();
    // A group with cluster mode enabled has a primary per shard: only a
    // zone (named) fails for it as a whole.
    if (type == "replication-group" && writer->state.value("Primary", "").empty() &&
        (fault != "zone-failure" || !input.contains("AvailabilityZone"))) {
      return invalid("A replication group with cluster mode enabled takes only zone-failure with AvailabilityZone.");
    }
    std::vector<FaultTarget> targets;
    if (fault == "zone-failure") {
      std::string zone = input.value("AvailabilityZone", targets_.primaryOf(*writer).zone);
      targets = targets_.inZone(context, zone);
      if (targets.empty()) {
        return invalid("No node of the account's instances or replication groups is in the zone " + zone + ".");
      }
    } else {
      targets.push_back(targets_.primaryOf(*writer));
    }
    // Found first, all of them, so that a fault acts on every node at once.
    std::vector<std::filesystem::path> dirs;
    for (const auto& target : targets) dirs.push_back(target.dir);
    std::vector<std::vector<faults::EngineProcess>> processes = faults::processesBeneath(dirs);
    for (size_t at = 0; at < targets.size(); ++at) {
      if (processes[at].empty() && fault != "zone-failure") {
        return ApiError::sender("InvalidResourceStateException",
                                "No engine process of " + targets[at].name() + " is running.", 409);
      }
    }
    int seconds = input.value("DurationSeconds", 10);
    if (fault == "hang") {
      if (!resumer_.stopFor(context.accountId, processes.front(), std::chrono::seconds(seconds))) {
        return ApiError::sender("LimitExceededException", "Too many hang faults are pending; wait for one to end.",
                                429);
      }
    } else {
      for (const auto& found : processes) faults::signalEach(faults::serversOf(found), SIGKILL);
    }
    std::string faultId = "fault-" + newUuid();
    std::string by = drill.empty() ? "" : " by drill " + drill;
    Json out = {{"FaultId", faultId}, {"InjectedAt", toEpochSeconds(clock_->now())}, {"Targets", Json::array()}};
    for (size_t at = 0; at < targets.size(); ++at) {
      const FaultTarget& target = targets[at];
      std::string what = fault == "hang"   ? "hang of " + std::to_string(seconds) + " s"
                         : fault == "kill" ? "kill"
                                           : "zone failure";
      std::string node = target.role + (target.member.empty() ? "" : " " + target.member);
      addEvent(target.instance, target.instance.kind,
               "Kura fault injection" + by + ": " + what + " of the " + node + " in " + target.zone + " (" + faultId +
                   ").");
      out["Targets"].push_back({{"ResourceIdentifier", target.name()},
                                {"Role", target.role},
                                {"AvailabilityZone", target.zone},
                                {"ProcessCount", static_cast<int>(processes[at].size())}});
    }
    return out;
  }

  Result<Json> recordDrillEvent(const RequestContext& context, const Json& input) {
    std::string type = input.value("ResourceType", "");
    std::string id = input.value("ResourceIdentifier", "");
    std::string drill = input.value("DrillName", "");
    std::string message = input.value("Message", "");
    if (!validDrillName(drill)) return invalid("DrillName must be lower-case letters, digits and hyphens.");
    if (!printable(message)) return invalid("Message must not hold control characters.");
    auto found = catalog_.getResource(context.accountId, context.region, type, id);
    if (!found || found->goal == "deleted") {
      return ApiError::sender("ResourceNotFoundException", "The " + type + " " + id + " was not found.", 404);
    }
    addEvent(*found, type, "Drill " + drill + ": " + message);
    return Json::object();
  }

  Catalog& catalog_;
  faults::FaultTargets targets_;
  ClockPtr clock_;
  faults::HangResumer resumer_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeFaultService(Catalog& catalog, rds::RdsPaths paths, std::filesystem::path cacheRoot,
                                  ClockPtr clock) {
  return std::make_unique<FaultService>(catalog, std::move(paths), std::move(cacheRoot), std::move(clock));
}

}  // namespace kura
