#pragma once
// What every rule group works with: the client reading the endpoint, the
// clock, the results so far, and the KMS keys the resources named (for
// kms-pending-deletion-in-use). Rule groups are free functions of it, so a
// new group (drills' results, say) is one more function in rule_groups.h.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "check/rule_result.h"
#include "client/aws_client.h"
#include "common/clock.h"

namespace kura::check {

class CheckContext {
 public:
  // endpointUrl: what --endpoint-url named (empty for AWS's own endpoints),
  // repeated in every fix command so that each runs as printed.
  CheckContext(client::AwsClient& client, ClockPtr clock, std::string endpointUrl)
      : client_(client), clock_(std::move(clock)), endpointUrl_(std::move(endpointUrl)) {}

  // Calls (every page), each answer remembered for the run: two rules that
  // read the same thing cost one call.
  const client::CallResult& read(std::string_view service, std::string_view operation,
                                 const nlohmann::json& input = nlohmann::json::object());

  void passed(std::string_view ruleId, std::string resource, std::string detail);
  void failed(std::string_view ruleId, std::string resource, std::string detail, std::string fix);
  void notCheckable(std::string_view ruleId, std::string resource, std::string detail);
  // Not checkable because a read failed: the detail says which and why.
  void unreadable(std::string_view ruleId, std::string resource, std::string_view what, const client::CallError& error);

  // A resource that uses a KMS key (by id, ARN or alias as it named it).
  void noteKeyUse(const std::string& keyReference, const std::string& resource);
  const std::map<std::string, std::set<std::string>>& keyUses() const { return keyUses_; }

  // "aws --endpoint-url URL --region R rds": the start of a fix command.
  std::string aws(std::string_view cliService) const;
  SystemTime now() const { return clock_->now(); }
  const std::string& region() const { return client_.identity().region; }
  std::vector<RuleResult> takeResults() { return std::move(results_); }

 private:
  void add(std::string_view ruleId, std::string resource, Outcome outcome, std::string detail, std::string fix);

  client::AwsClient& client_;
  ClockPtr clock_;
  std::string endpointUrl_;
  std::map<std::string, client::CallResult> answers_;
  std::vector<RuleResult> results_;
  std::map<std::string, std::set<std::string>> keyUses_;
};

}  // namespace kura::check
