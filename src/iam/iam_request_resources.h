#pragma once
// The resources of IAM's own calls and of STS's AssumeRole, as IAM
// authorizes them: a call on a managed policy acts on the policy, a call
// on a group (its members and policies included) on the group, on a role
// on the role, on a user (its keys and policies) on the user, each by its
// ARN with its path, which only its record knows. One member decides,
// in that order, so that a member the call ignores (a UserName beside
// CreatePolicyVersion's PolicyArn) cannot stand in for what it acts on.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "iam/iam_principals.h"
#include "services/core/request_context.h"

namespace kura::iam {

std::vector<std::string> iamRequestResources(const RequestContext& context, const nlohmann::json& input,
                                             IamPrincipals& principals);

}  // namespace kura::iam
