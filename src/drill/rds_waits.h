#pragma once
// Waiting on RDS resources through the API, as a drill must: until an
// instance or snapshot reaches a status, or until it is gone.
#include <optional>
#include <string>

#include "client/aws_client.h"
#include "common/clock.h"

namespace kura::drill {

// The instance's description once its status is `status`; nullopt and
// `problem` set on timeout, an error answer, or a status of failure.
std::optional<nlohmann::json> waitForInstance(client::AwsClient& client, const std::string& id,
                                              const std::string& status, std::chrono::seconds timeout,
                                              std::string& problem);
bool waitForSnapshot(client::AwsClient& client, const std::string& id, std::chrono::seconds timeout,
                     std::string& problem);

}  // namespace kura::drill
