#pragma once
// Waiting on RDS resources through the API, as a drill must: until an
// instance, cluster or snapshot reaches a status. The wait is shown as the
// drill's progress (drill_progress.h).
#include <optional>
#include <string>

#include "client/aws_client.h"
#include "drill/drill_context.h"

namespace kura::drill {

// Polls `operation` for `id` until its `listKey` entry's `statusKey` is
// `status`: that entry; nullopt and `problem` set on timeout, an error
// answer, or a status of failure.
std::optional<nlohmann::json> waitForRds(DrillContext& context, const std::string& operation,
                                         const std::string& idKey, const std::string& listKey,
                                         const std::string& statusKey, const std::string& id,
                                         const std::string& status, std::chrono::seconds timeout,
                                         std::string& problem);
std::optional<nlohmann::json> waitForInstance(DrillContext& context, const std::string& id, const std::string& status,
                                              std::chrono::seconds timeout, std::string& problem);
bool waitForSnapshot(DrillContext& context, const std::string& id, std::chrono::seconds timeout,
                     std::string& problem);

}  // namespace kura::drill
