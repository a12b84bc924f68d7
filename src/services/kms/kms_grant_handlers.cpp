#include <algorithm>

#include "common/crypto.h"
#include "services/kms/kms_access_handlers.h"

namespace kura {
namespace {

using kms::GrantRecord;

kms::Place placeOf(const RequestContext& c) { return {c.accountId, c.region}; }

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

ApiError validation(const std::string& message) { return ApiError::sender("ValidationException", message); }

// A principal a grant may name: an IAM or STS principal ARN, or a service.
bool validPrincipal(const std::string& principal) {
  if (principal.size() > 256) return false;
  if (principal.ends_with(".amazonaws.com")) return principal.find(':') == std::string::npos;
  auth::ResourcePolicyStatement parsed;
  std::string policy = nlohmann::json{{"Statement", {{"Effect", "Allow"}, {"Principal", {{"AWS", principal}}},
                                                     {"Action", "kms:*"}, {"Resource", "*"}}}}
                           .dump();
  auto checked = auth::parseResourcePolicy(policy, "InvalidArnException", 4096);
  return checked && !checked->statements.front().anyone;
}

// Operations that take no encryption context refuse grant constraints.
bool takesContext(const std::string& operation) {
  return operation != "DescribeKey" && operation != "GetPublicKey" && operation != "Sign" && operation != "Verify" &&
         operation != "GenerateMac" && operation != "VerifyMac";
}

kms::EncryptionContext contextOf(const Json& value) {
  kms::EncryptionContext context;
  for (const auto& [key, item] : value.items()) context[key] = item.get<std::string>();
  return context;
}

Json grantEntry(const GrantRecord& g, const kms::Place& place) {
  Json out = {{"KeyId", "arn:aws:kms:" + place.region + ":" + place.account + ":key/" + g.keyId},
              {"GrantId", g.grantId},
              {"CreationDate", seconds(g.createdMs)},
              {"GranteePrincipal", g.granteePrincipal},
              {"IssuingAccount", g.issuingAccount},
              {"Operations", g.operations}};
  if (!g.name.empty()) out["Name"] = g.name;
  if (!g.retiringPrincipal.empty()) out["RetiringPrincipal"] = g.retiringPrincipal;
  if (g.hasSubset || g.hasEquals) {
    out["Constraints"] = Json::object();
    if (g.hasSubset) out["Constraints"]["EncryptionContextSubset"] = g.contextSubset;
    if (g.hasEquals) out["Constraints"]["EncryptionContextEquals"] = g.contextEquals;
  }
  return out;
}

// Pages of grants: Marker is the index of the next one.
Result<Json> grantPage(const std::vector<GrantRecord>& grants, const Json& in, const kms::Place& place) {
  size_t limit = static_cast<size_t>(in.value("Limit", 50));
  size_t start = 0;
  if (in.contains("Marker")) {
    try {
      start = std::stoul(in["Marker"].get<std::string>());
    } catch (const std::exception&) {
      return ApiError::sender("InvalidMarkerException", "Marker is not valid.");
    }
  }
  Json out = {{"Grants", Json::array()}, {"Truncated", false}};
  for (size_t i = start; i < grants.size() && out["Grants"].size() < limit; ++i) {
    out["Grants"].push_back(grantEntry(grants[i], place));
  }
  if (start + limit < grants.size()) {
    out["Truncated"] = true;
    out["NextMarker"] = std::to_string(start + limit);
  }
  return out;
}

Result<Json> createGrant(kms::KeyManager& keys, const RequestContext& c, const Json& in) {
  if (auto tokens = checkGrantTokens(keys, in); !tokens) return tokens.error();
  auto key = keys.resolve(placeOf(c), in["KeyId"]);
  if (!key) return key.error();
  if (key->state == kms::KeyState::PendingDeletion) return kms::invalidState(key->arn() + " is pending deletion.");
  if (key->state == kms::KeyState::Disabled) return ApiError::sender("DisabledException", key->arn() + " is disabled.");
  GrantRecord grant;
  grant.keyId = key->keyId;
  grant.account = c.accountId;
  grant.region = c.region;
  grant.name = in.value("Name", "");
  grant.granteePrincipal = in["GranteePrincipal"].get<std::string>();
  grant.retiringPrincipal = in.value("RetiringPrincipal", "");
  grant.issuingAccount = "arn:aws:iam::" + c.accountId + ":root";
  for (const std::string& principal : {grant.granteePrincipal, grant.retiringPrincipal}) {
    if (!principal.empty() && !validPrincipal(principal)) {
      return ApiError::sender("InvalidArnException", "ARN does not refer to a valid principal: " + principal);
    }
  }
  for (const Json& operation : in["Operations"]) {
    std::string name = operation.get<std::string>();
    if (std::find(grant.operations.begin(), grant.operations.end(), name) == grant.operations.end()) {
      grant.operations.push_back(name);
    }
  }
  if (grant.operations.empty()) return validation("A grant must allow at least one operation.");
  if (in.contains("Constraints")) {
    const Json& constraints = in["Constraints"];
    grant.hasSubset = constraints.contains("EncryptionContextSubset");
    grant.hasEquals = constraints.contains("EncryptionContextEquals");
    if (grant.hasSubset) grant.contextSubset = contextOf(constraints["EncryptionContextSubset"]);
    if (grant.hasEquals) grant.contextEquals = contextOf(constraints["EncryptionContextEquals"]);
    if (grant.hasSubset && grant.hasEquals) {
      return validation("A grant can have an EncryptionContextSubset or an EncryptionContextEquals constraint, not both.");
    }
    for (const std::string& operation : grant.operations) {
      if ((grant.hasSubset || grant.hasEquals) && !takesContext(operation)) {
        return validation("Grant constraints are not supported for the " + operation + " operation.");
      }
    }
  }
  auto existing = keys.store().grantsOfKey(key->keyId);
  if (!grant.name.empty()) {
    // The same grant asked for again (same name and terms) is the one made.
    for (const GrantRecord& made : existing) {
      if (made.name == grant.name && made.granteePrincipal == grant.granteePrincipal &&
          made.retiringPrincipal == grant.retiringPrincipal && made.operations == grant.operations &&
          made.hasSubset == grant.hasSubset && made.hasEquals == grant.hasEquals &&
          made.contextSubset == grant.contextSubset && made.contextEquals == grant.contextEquals) {
        return Json{{"GrantId", made.grantId}, {"GrantToken", made.grantToken}};
      }
    }
  }
  if (existing.size() >= 50000) {
    return ApiError::sender("LimitExceededException", "The key " + key->arn() + " has 50000 grants already.");
  }
  if (in.value("DryRun", false)) {
    return ApiError::sender("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
  }
  grant.grantId = toHex(randomBytes(32));
  grant.grantToken = base64Encode(randomBytes(96));
  grant.createdMs = keys.nowMs();
  keys.store().insertGrant(grant);
  return Json{{"GrantId", grant.grantId}, {"GrantToken", grant.grantToken}};
}

// RetireGrant: by token, or by key and id; by the grant's retiring
// principal, its grantee when it allows RetireGrant, or its account's root.
Result<Json> retireGrant(kms::KeyManager& keys, const RequestContext& c, const Json& in) {
  std::optional<GrantRecord> grant;
  if (in.contains("GrantToken")) {
    grant = keys.store().grantByToken(in["GrantToken"].get<std::string>());
    if (!grant || grant->account != c.accountId || grant->region != c.region) {
      return ApiError::sender("InvalidGrantTokenException", "The grant token is not valid.");
    }
  } else {
    if (!in.contains("KeyId") || !in.contains("GrantId")) {
      return validation("Either GrantToken, or both KeyId and GrantId, must be given.");
    }
    auto key = keys.resolve(placeOf(c), in["KeyId"]);
    if (!key) return key.error();
    for (GrantRecord& made : keys.store().grantsOfKey(key->keyId)) {
      if (made.grantId == in["GrantId"]) grant = std::move(made);
    }
    if (!grant) return kms::notFound("Grant ID " + in["GrantId"].get<std::string>() + " not found.");
  }
  auth::Caller caller = callerOf(c);
  bool root = c.userArn.empty();
  bool retiring = !grant->retiringPrincipal.empty() && auth::principalNames(grant->retiringPrincipal, caller);
  bool grantee = auth::principalNames(grant->granteePrincipal, caller) &&
                 std::find(grant->operations.begin(), grant->operations.end(), "RetireGrant") != grant->operations.end();
  if (!root && !retiring && !grantee) {
    return ApiError::sender("AccessDeniedException",
                            "User: " + caller.arn + " is not authorized to perform: kms:RetireGrant on grant " +
                                grant->grantId + ": it is neither the grant's retiring principal nor its grantee "
                                "with the RetireGrant operation.");
  }
  keys.store().eraseGrant(grant->keyId, grant->grantId);
  return Json::object();
}

}  // namespace

Result<bool> checkGrantTokens(kms::KeyManager& keys, const Json& in) {
  if (!in.contains("GrantTokens")) return true;
  for (const Json& token : in["GrantTokens"]) {
    if (!keys.store().grantByToken(token.get<std::string>())) {
      return ApiError::sender("InvalidGrantTokenException", "The grant token is not valid.");
    }
  }
  return true;
}

void addGrantHandlers(HandlerTable& handlers, kms::KeyManager& keys, kms::KeyAccess&) {
  handlers.add("CreateGrant", [&keys](const RequestContext& c, const Json& in) { return createGrant(keys, c, in); });
  handlers.add("RetireGrant", [&keys](const RequestContext& c, const Json& in) { return retireGrant(keys, c, in); });
  handlers.add("RevokeGrant", [&keys](const RequestContext& c, const Json& in) -> Result<Json> {
    auto key = keys.resolve(placeOf(c), in["KeyId"]);
    if (!key) return key.error();
    if (!keys.store().eraseGrant(key->keyId, in["GrantId"].get<std::string>())) {
      return kms::notFound("Grant ID " + in["GrantId"].get<std::string>() + " not found.");
    }
    return Json::object();
  });
  handlers.add("ListGrants", [&keys](const RequestContext& c, const Json& in) -> Result<Json> {
    auto key = keys.resolve(placeOf(c), in["KeyId"]);
    if (!key) return key.error();
    auto grants = keys.store().grantsOfKey(key->keyId);
    std::erase_if(grants, [&](const GrantRecord& g) {
      return (in.contains("GrantId") && g.grantId != in["GrantId"]) ||
             (in.contains("GranteePrincipal") && g.granteePrincipal != in["GranteePrincipal"]);
    });
    return grantPage(grants, in, placeOf(c));
  });
  handlers.add("ListRetirableGrants", [&keys](const RequestContext& c, const Json& in) -> Result<Json> {
    std::string principal = in["RetiringPrincipal"].get<std::string>();
    if (!validPrincipal(principal)) {
      return ApiError::sender("InvalidArnException", "ARN does not refer to a valid principal: " + principal);
    }
    return grantPage(keys.store().grantsRetirableBy(c.accountId, c.region, principal), in, placeOf(c));
  });
}

}  // namespace kura
