#include "dbauth/db_auth_policy.h"

#include "common/ids.h"

namespace kura::dbauth {
namespace {

constexpr const char* kService = "rds-db";
constexpr const char* kArnMember = "DBUserArn";

}  // namespace

DbAuthTokenVerifier::Authorize authorizeWith(iam::RequestAuthorizer& authorizer) {
  authorizer.setResourceResolver(kService, [](const RequestContext&, const nlohmann::json& input) {
    return input.value(kArnMember, std::string());
  });
  return [&authorizer](const auth::Identity& signer, const std::string& region, const std::string& resourceArn,
                       const DbAuthTokenVerifier::ClientAddress& client) -> std::optional<std::string> {
    const auth::Credential& credential = signer.credential;
    if (credential.userArn.empty()) return std::nullopt;  // the account root
    RequestContext context;
    context.requestId = newUuid();
    context.accountId = credential.accountId;
    context.region = region;
    context.accessKeyId = credential.accessKeyId;
    context.userName = credential.userName;
    context.userId = credential.userId;
    context.userArn = credential.userArn;
    context.principalType = credential.principalType;
    context.roleName = credential.roleName;
    context.roleArn = credential.roleArn;
    context.roleId = credential.roleId;
    context.sessionIssuedAt = credential.issuedAt;
    context.secureTransport = true;  // the engines take tokens over TLS only
    // aws:SourceIp: the database client's address, not the engine's.
    if (client) context.sourceIp = client();
    context.service = kService;
    context.operation = "connect";
    context.receivedAt = std::chrono::system_clock::now();
    auto denied = authorizer.authorize(context, nlohmann::json{{kArnMember, resourceArn}}, "query");
    if (!denied) return std::nullopt;
    return denied->message;
  };
}

}  // namespace kura::dbauth
