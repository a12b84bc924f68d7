#include "drill/rds_waits.h"

#include <thread>

namespace kura::drill {
namespace {

using Json = nlohmann::json;

// Polls `operation` for `id` until its `listKey` entry's `statusKey` is `status`.
std::optional<Json> waitFor(client::AwsClient& client, const char* operation, const char* idKey, const char* listKey,
                            const char* statusKey, const std::string& id, const std::string& status,
                            std::chrono::seconds timeout, std::string& problem) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (true) {
    auto answer = client.call("rds", operation, {{idKey, id}});
    if (const auto* error = client::errorOf(answer)) {
      problem = std::string(operation) + " of " + id + ": " + error->describe();
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
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      problem = id + " is still " + (last.empty() ? "unknown" : last) + ", not " + status + ", after " +
                std::to_string(timeout.count()) + " s";
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace

std::optional<Json> waitForInstance(client::AwsClient& client, const std::string& id, const std::string& status,
                                    std::chrono::seconds timeout, std::string& problem) {
  return waitFor(client, "DescribeDBInstances", "DBInstanceIdentifier", "DBInstances", "DBInstanceStatus", id, status,
                 timeout, problem);
}

bool waitForSnapshot(client::AwsClient& client, const std::string& id, std::chrono::seconds timeout,
                     std::string& problem) {
  return waitFor(client, "DescribeDBSnapshots", "DBSnapshotIdentifier", "DBSnapshots", "Status", id, "available",
                 timeout, problem)
      .has_value();
}

}  // namespace kura::drill
