#include "main/resource_resolvers.h"

#include "iam/dynamodb_condition_keys.h"
#include "iam/service_condition_keys.h"
#include "main/resource_policy_checks.h"
#include "services/dynamodb/partiql_requests.h"

namespace kura {
namespace {

std::string stringMember(const nlohmann::json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void addResourceResolvers(iam::RequestAuthorizer& authorizer, kms::KeyManager& keys, secrets::SecretStore& secrets) {
  // KMS authorizes a call that names its key by alias on the key itself.
  authorizer.setResourceResolver("kms", [&keys](const RequestContext& context, const nlohmann::json& input) {
    std::string keyId = stringMember(input, "KeyId");
    bool alias = keyId.rfind("alias/", 0) == 0 || keyId.find(":alias/") != std::string::npos;
    // AWS's own aliases (alias/aws/rds) make their key on first use: an
    // authorization must not, so they are evaluated as written.
    if (!alias || keyId.find("alias/aws/") != std::string::npos) return std::string();
    auto key = keys.resolve({context.accountId, context.region}, keyId);
    return key ? key->arn() : std::string();
  });
  // A secret named by name is evaluated on its ARN (secret:<name>-AbCdEf).
  authorizer.setResourceResolver("secretsmanager", [&secrets](const RequestContext& context,
                                                              const nlohmann::json& input) {
    std::string id = stringMember(input, "SecretId");
    if (id.empty() || id.rfind("arn:", 0) == 0) return std::string();
    auto secret = secrets.byName(context.accountId, context.region, id);
    return secret ? secret->arn : std::string();
  });
  // aws:ResourceTag/<key> of the keys a call acts on: their tags, per key
  // (for identity policies that read them; AWS's managed aliases as written).
  authorizer.setServiceKeys("kms", [&keys](const RequestContext& context, const nlohmann::json&,
                                           const std::vector<std::string>& wanted, auth::RequestFacts& facts) {
    if (!iam::wantsPrefix(wanted, "aws:resourcetag/")) return;
    for (const auto& arn : facts.resources) {
      if (arn.find(":key/") == std::string::npos || facts.resourceKeys.contains(arn)) continue;
      auto key = keys.resolve({context.accountId, context.region}, arn);
      if (!key) continue;
      auth::ConditionKeys tags;
      for (const auto& [name, value] : keys.store().tags(key->keyId)) {
        std::string lowered = "aws:resourcetag/" + name;
        for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        tags.insert_or_assign(std::move(lowered), value);
      }
      facts.resourceKeys.emplace(arn, std::move(tags));
    }
  });
  // Key policies, grants and secrets' resource policies.
  addResourcePolicyChecks(authorizer, keys, secrets);
}

void addDynamoDbConditionKeys(iam::RequestAuthorizer& authorizer, ddb::TableStore& tables) {
  authorizer.setServiceKeys("dynamodb", [&tables](const RequestContext& context, const nlohmann::json& input,
                                                  const std::vector<std::string>& wanted, auth::RequestFacts& facts) {
    iam::addDynamoDbKeys(context.operation, input, wanted, [&](const std::string& table) {
      return tables.tableShared({context.accountId, context.region, table});
    }, facts);
  });
  // A SELECT without an equality on its key's partition key reads the whole
  // table (or index): it runs as a Scan.
  authorizer.setFullTableScanCheck([&tables](const RequestContext& context, const ddb::partiql::Statement& statement) {
    auto table = tables.tableShared({context.accountId, context.region, statement.table});
    if (!table) return false;  // the call answers ResourceNotFoundException
    auto request = ddb::requestFor(statement, *table, /*oneItem=*/false);
    return request && request->op == ddb::StatementRequest::Op::Scan;
  });
}

}  // namespace kura
