#include "drill/rds_waits.h"

#include <fmt/format.h>

#include <thread>

namespace kura::drill {

using Json = nlohmann::json;

std::optional<Json> waitForRds(DrillContext& context, const std::string& operation, const std::string& idKey,
                               const std::string& listKey, const std::string& statusKey, const std::string& id,
                               const std::string& status, std::chrono::seconds timeout, std::string& problem) {
  client::AwsClient& client = context.client();
  context.step(fmt::format("waiting for {} to be {} (at most {} s)", id, status, timeout.count()));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (true) {
    auto answer = client.call("rds", operation, {{idKey, id}});
    if (const auto* error = client::errorOf(answer)) {
      problem = operation + " of " + id + ": " + error->describe();
      return std::nullopt;
    }
    const Json& list = (*client::outputOf(answer))[listKey];
    if (list.is_array() && !list.empty()) {
      last = list[0].value(statusKey, "");
      if (last == status) return list[0];
      if (last == "failed" || last == "incompatible-restore" || last == "error") {
        problem = id + " is " + last;
        return std::nullopt;
      }
      std::string shown = fmt::format("{} is {}", id, last);
      if (auto progress = list[0].find("PercentProgress"); progress != list[0].end() && progress->is_string()) {
        shown += fmt::format(" ({})", progress->get<std::string>());
      } else if (progress != list[0].end() && progress->is_number()) {
        shown += fmt::format(" ({}%)", progress->get<int>());
      }
      context.status(shown);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      problem = id + " is still " + (last.empty() ? "unknown" : last) + ", not " + status + ", after " +
                std::to_string(timeout.count()) + " s";
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::optional<Json> waitForInstance(DrillContext& context, const std::string& id, const std::string& status,
                                    std::chrono::seconds timeout, std::string& problem) {
  return waitForRds(context, "DescribeDBInstances", "DBInstanceIdentifier", "DBInstances", "DBInstanceStatus", id,
                    status, timeout, problem);
}

bool waitForSnapshot(DrillContext& context, const std::string& id, std::chrono::seconds timeout,
                     std::string& problem) {
  return waitForRds(context, "DescribeDBSnapshots", "DBSnapshotIdentifier", "DBSnapshots", "Status", id, "available",
                    timeout, problem)
      .has_value();
}

}  // namespace kura::drill
