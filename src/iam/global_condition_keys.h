#pragma once
// The global condition keys of a request, as IAM fills them for the
// principal that made it (docs/iam.md): aws:SourceIp, aws:SecureTransport,
// aws:RequestedRegion, aws:CurrentTime, aws:EpochTime, aws:UserAgent,
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
// aws:username (IAM users only), aws:PrincipalTag/<key>, and for temporary
// credentials aws:TokenIssueTime.
#include <string>
#include <utility>
#include <vector>

#include "auth/policy_evaluation.h"
#include "services/core/request_context.h"

namespace kura::iam {

void addGlobalKeys(const RequestContext& context, const std::vector<std::pair<std::string, std::string>>& principalTags,
                   auth::RequestFacts& facts);

}  // namespace kura::iam
