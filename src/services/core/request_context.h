#pragma once
#include <string>

#include "common/clock.h"

namespace kura {

// Who asked, where, and under which request id: what every handler may need
// beside the operation's input.
struct RequestContext {
  std::string requestId;
  std::string accountId = "000000000000";
  std::string region = "us-east-1";
  std::string accessKeyId;
  std::string userName;     // the caller's IAM-style user name
  // The caller's IAM user id (AIDA...) and ARN; empty for the account root.
  std::string userId;
  std::string userArn;
  // "Root", "IAMUser" or "AssumedRole" (a role's session: userName is the
  // session's name, userId "<role id>:<session>", userArn the session's
  // ARN); for an assumed role, its role (name, ARN, id AROA...).
  std::string principalType = "Root";
  std::string roleName, roleArn, roleId;
  // Temporary credentials (STS): when they were issued; unset for a key.
  SystemTime sessionIssuedAt{};
  std::string sourceIp;
  bool secureTransport = false;  // the request came over TLS
  std::string userAgent;
  std::string host;         // the Host header: where the client reached Kura
  std::string service;      // signing name: rds, dynamodb, sts, ...
  std::string operation;    // e.g. DescribeDBInstances
  SystemTime receivedAt{};
};

}  // namespace kura
