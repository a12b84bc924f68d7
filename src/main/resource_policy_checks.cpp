#include "main/resource_policy_checks.h"

#include <map>
#include <memory>
#include <set>

#include "kms/key_access.h"
#include "services/kms/kms_access_handlers.h"
#include "services/secretsmanager/secret_access.h"

namespace kura {
namespace {

bool carriesValue(const nlohmann::json& input) {
  return input.contains("SecretString") || input.contains("SecretBinary");
}

// The KMS operation Secrets Manager makes for a call, on the caller's
// behalf: null when it makes none.
const char* kmsUseOf(const std::string& operation, const nlohmann::json& input) {
  if (operation == "GetSecretValue") return "Decrypt";
  if (operation == "PutSecretValue") return "GenerateDataKey";
  if ((operation == "CreateSecret" || operation == "UpdateSecret") && carriesValue(input)) return "GenerateDataKey";
  // A new key for the secret's next versions: the caller must be able to
  // have Secrets Manager use it, as AWS asks (kms:GenerateDataKey).
  if (operation == "UpdateSecret" && input.is_object() && input.contains("KmsKeyId")) return "GenerateDataKey";
  return nullptr;
}

// The secret an ARN names, in the caller's account and region: the full
// ARN, or the partial one (without the random suffix) that the handlers
// accept too.
std::optional<secrets::SecretRecord> secretNamedBy(secrets::SecretStore& secrets, const RequestContext& context,
                                                   const std::string& arn) {
  std::string prefix = "arn:aws:secretsmanager:" + context.region + ":" + context.accountId + ":secret:";
  if (arn.rfind(prefix, 0) != 0) return std::nullopt;
  if (auto secret = secrets.byArn(arn)) return secret;
  auto secret = secrets.byName(context.accountId, context.region, arn.substr(prefix.size()));
  if (secret && secret->arn.size() == arn.size() + 7 && secret->arn.rfind(arn + "-", 0) == 0) return secret;
  return std::nullopt;
}

// The KMS keys a creation call names for services to encrypt with, each
// with the service that uses it: the resource's own (KmsKeyId, a table's
// SSE key), and RDS's master user secret's, which Secrets Manager seals.
struct NamedKey {
  std::string keyRef;
  std::string service;  // the call's own service when empty
};
std::vector<NamedKey> keysNamedBy(const nlohmann::json& input) {
  std::vector<NamedKey> keys;
  if (auto key = input.find("KmsKeyId"); key != input.end() && key->is_string()) keys.push_back({key->get<std::string>(), ""});
  if (auto key = input.find("MasterUserSecretKmsKeyId"); key != input.end() && key->is_string()) {
    keys.push_back({key->get<std::string>(), "secretsmanager"});
  }
  for (const char* name : {"SSESpecification", "SSESpecificationOverride"}) {
    auto sse = input.find(name);
    if (sse == input.end() || !sse->is_object()) continue;
    if (auto key = sse->find("KMSMasterKeyId"); key != sse->end() && key->is_string()) {
      keys.push_back({key->get<std::string>(), ""});
    }
  }
  return keys;
}

// A call that has a service encrypt a resource under a customer's key: the
// caller's identity policies decide the call, and the key's policy (or a
// grant) must let the caller have the service use the key, as AWS's
// services ask for it (kms:CreateGrant and kms:DescribeKey through the
// service: kms:ViaService).
auth::ResourceVerdict encryptingCall(kms::KeyAccess& access, const std::string& service, const RequestContext& context,
                                     const nlohmann::json& input, const auth::RequestFacts& facts,
                                     const iam::RequestAuthorizer::IdentityDecision& identity) {
  auth::Decision decision = identity(facts);
  if (decision != auth::Decision::Allow) return {decision};
  for (const NamedKey& key : keysNamedBy(input)) {
    auth::RequestFacts viaService = facts;
    viaService.keys.insert_or_assign(
        "kms:viaservice", (key.service.empty() ? service : key.service) + "." + context.region + ".amazonaws.com");
    for (const char* operation : {"DescribeKey", "CreateGrant"}) {
      auth::ResourceVerdict verdict = access.authorize({context.accountId, context.region}, callerOf(context),
                                                       operation, {{"KeyId", key.keyRef}}, viaService, identity);
      if (verdict.decision != auth::Decision::Allow) return verdict;
    }
  }
  return {auth::Decision::Allow};
}

}  // namespace

void addResourcePolicyChecks(iam::RequestAuthorizer& authorizer, kms::KeyManager& keys, secrets::SecretStore& secrets) {
  auto access = std::make_shared<kms::KeyAccess>(keys);
  authorizer.setResourcePolicyCheck("kms", [access](const RequestContext& context, const nlohmann::json& input,
                                                    const auth::RequestFacts& facts,
                                                    const iam::RequestAuthorizer::IdentityDecision& identity) {
    return access->authorize({context.accountId, context.region}, callerOf(context), context.operation, input, facts,
                             identity);
  });
  authorizer.setResourcePolicyCheck("secretsmanager", [access, &secrets](
                                                          const RequestContext& context, const nlohmann::json& input,
                                                          const auth::RequestFacts& facts,
                                                          const iam::RequestAuthorizer::IdentityDecision& identity) {
    std::optional<secrets::SecretRecord> secret;
    auth::RequestFacts resolved = facts;
    for (std::string& resource : resolved.resources) {
      secret = secretNamedBy(secrets, context, resource);
      if (!secret) continue;
      resource = secret->arn;  // a partial ARN stands for the secret's own
      break;
    }
    auth::Caller caller = callerOf(context);
    auth::ResourceVerdict verdict =
        secrets::authorizeSecretCall(secret ? &*secret : nullptr, caller, resolved, identity);
    const char* kmsOperation = kmsUseOf(context.operation, input);
    if (verdict.decision != auth::Decision::Allow || kmsOperation == nullptr) return verdict;
    // The secret's value is sealed under its KMS key, which Secrets Manager
    // uses for the caller: the key's policy, grants and the caller's
    // identity policies must let it, through Secrets Manager.
    // The key the call names (a new one, for CreateSecret and UpdateSecret)
    // seals what it writes; else the secret's own.
    std::string keyRef = input.is_object() && input.contains("KmsKeyId") && input["KmsKeyId"].is_string()
                             ? input["KmsKeyId"].get<std::string>()
                             : (secret ? secret->kmsKeyId : std::string());
    if (keyRef.empty()) keyRef = "alias/aws/secretsmanager";
    nlohmann::json kmsInput = {{"KeyId", keyRef}};
    if (secret) kmsInput["EncryptionContext"] = {{"SecretARN", secret->arn}};
    auth::RequestFacts kmsFacts = resolved;
    kmsFacts.keys.insert_or_assign("kms:viaservice", "secretsmanager." + context.region + ".amazonaws.com");
    auth::ResourceVerdict kmsVerdict =
        access->authorize({context.accountId, context.region}, caller, kmsOperation, kmsInput, kmsFacts, identity);
    return kmsVerdict.decision == auth::Decision::Allow ? verdict : kmsVerdict;
  });
  // The calls that have a service encrypt under a key the caller names.
  const std::map<std::string, std::set<std::string, std::less<>>> encrypting = {
      {"rds",
       {"CreateDBInstance", "CreateDBCluster", "CreateDBInstanceReadReplica", "CopyDBSnapshot", "CopyDBClusterSnapshot",
        "RestoreDBClusterFromSnapshot", "RestoreDBClusterToPointInTime", "ModifyDBInstance", "ModifyDBCluster"}},
      {"dynamodb", {"CreateTable", "UpdateTable", "RestoreTableFromBackup", "RestoreTableToPointInTime"}},
      {"elasticache", {"CreateReplicationGroup", "CreateSnapshot", "CopySnapshot"}}};
  for (const auto& [service, operations] : encrypting) {
    authorizer.setResourcePolicyCheck(
        service,
        [access, service](const RequestContext& context, const nlohmann::json& input, const auth::RequestFacts& facts,
                          const iam::RequestAuthorizer::IdentityDecision& identity) {
          return encryptingCall(*access, service, context, input, facts, identity);
        },
        operations);
  }
}

}  // namespace kura
