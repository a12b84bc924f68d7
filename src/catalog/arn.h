#pragma once
// Amazon Resource Names as AWS writes them:
//   arn:aws:rds:ap-northeast-1:000000000000:db:app
//   arn:aws:dynamodb:ap-northeast-1:000000000000:table/user-table
#include <optional>
#include <string>
#include <string_view>

namespace kura {

struct Arn {
  std::string partition;  // aws
  std::string service;    // rds, dynamodb, ...
  std::string region;     // empty for global services (iam)
  std::string account;
  std::string resource;   // everything after the fifth colon: "db:app", "table/user-table"
};

// The caller writes the resource part as its service does ("db:app",
// "table/user-table", "cluster:prod").
std::string makeArn(std::string_view service, std::string_view region, std::string_view account,
                    std::string_view resourcePart);

// Empty unless text has the six parts of an ARN with a non-empty partition,
// service and resource.
std::optional<Arn> parseArn(std::string_view text);

}  // namespace kura
