#include "kms/key_access.h"

#include <algorithm>

#include "common/crypto.h"
#include "kms/key_policy.h"

namespace kura::kms {
namespace {

using Json = nlohmann::json;

std::string member(const Json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

EncryptionContext contextMember(const Json& input, const char* name) {
  EncryptionContext context;
  auto it = input.find(name);
  if (it == input.end() || !it->is_object()) return context;
  for (const auto& [key, value] : it->items()) {
    if (value.is_string()) context[key] = value.get<std::string>();
  }
  return context;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// One key a call uses, and how: ReEncrypt uses two.
struct Target {
  std::string action;     // "kms:Decrypt"
  std::string keyRef;     // as the input names it; empty: the blob's
  const char* blobMember = nullptr;
  const char* contextName = "EncryptionContext";
};

std::vector<Target> targetsOf(const std::string& operation, const Json& input) {
  if (operation == "ReEncrypt") {
    return {{"kms:ReEncryptFrom", member(input, "SourceKeyId"), "CiphertextBlob", "SourceEncryptionContext"},
            {"kms:ReEncryptTo", member(input, "DestinationKeyId"), nullptr, "DestinationEncryptionContext"}};
  }
  if (operation == "Decrypt") return {{"kms:Decrypt", member(input, "KeyId"), "CiphertextBlob"}};
  if (operation == "CreateAlias") return {{"kms:CreateAlias", member(input, "TargetKeyId")}};
  // Moving an alias takes it from the key it names now (through the alias)
  // as much as it gives it to the new one: both keys must allow it, as KMS
  // asks, or a caller could point another's alias at a key of its own and
  // read what the alias's users then encrypt.
  if (operation == "UpdateAlias") {
    return {{"kms:UpdateAlias", member(input, "AliasName")}, {"kms:UpdateAlias", member(input, "TargetKeyId")}};
  }
  if (operation == "DeleteAlias") return {{"kms:DeleteAlias", member(input, "AliasName")}};
  // ListAliases filtered by key is IAM's alone, as in KMS.
  if (input.contains("KeyId") && operation != "ListAliases") return {{"kms:" + operation, member(input, "KeyId")}};
  return {};
}

bool isAliasRef(const std::string& ref) {
  return ref.rfind("alias/", 0) == 0 || ref.find(":alias/") != std::string::npos;
}

// The service of an AWS managed alias (alias/aws/rds: "rds"), else empty.
std::string managedService(const std::string& ref) {
  size_t at = ref.find("alias/aws/");
  return at == std::string::npos ? std::string() : ref.substr(at + 10);
}

}  // namespace

bool constraintsHold(const GrantRecord& grant, const EncryptionContext& context) {
  if (grant.hasEquals && context != grant.contextEquals) return false;
  if (grant.hasSubset) {
    for (const auto& [key, value] : grant.contextSubset) {
      auto it = context.find(key);
      if (it == context.end() || it->second != value) return false;
    }
  }
  return true;
}

std::string KeyAccess::policyText(const KeyRecord& key) {
  std::string text = keys_.store().policy(key.keyId);
  if (!text.empty()) return text;
  if (key.awsManaged) {
    for (const auto& alias : keys_.aliases({key.account, key.region})) {
      if (alias.keyId == key.keyId && !managedService(alias.name).empty()) {
        return awsManagedKeyPolicy(key.account, key.region, managedService(alias.name));
      }
    }
  }
  return defaultKeyPolicy(key.account);
}

Result<auth::ResourcePolicy> KeyAccess::parse(const std::string& text) {
  return auth::parseResourcePolicy(text, "MalformedPolicyDocumentException", kMaxKeyPolicyChars);
}

std::shared_ptr<const auth::ResourcePolicy> KeyAccess::policyOf(const KeyRecord& key) {
  uint64_t generation = keys_.store().policyGeneration();  // before the text: a change between misses next time
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key.keyId);
    if (it != cache_.end() && it->second.generation == generation) return it->second.policy;
  }
  auto parsed = parse(policyText(key));
  // A stored policy was checked when stored; one that no longer parses
  // allows nothing.
  auto policy = std::make_shared<const auth::ResourcePolicy>(parsed ? std::move(*parsed) : auth::ResourcePolicy{});
  std::lock_guard lock(mutex_);
  if (cache_.size() > 4096) cache_.clear();
  cache_[key.keyId] = {generation, policy};
  return policy;
}

std::optional<KeyRecord> KeyAccess::existingKey(const Place& place, const std::string& ref) {
  std::string keyId = ref;
  std::string arnPrefix = "arn:aws:kms:" + place.region + ":" + place.account + ":key/";
  if (keyId.rfind(arnPrefix, 0) == 0) keyId = keyId.substr(arnPrefix.size());
  if (keyId.size() != 36 || keyId.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos) {
    auto key = keys_.resolve(place, ref);  // an alias, or what KMS will refuse
    if (!key) return std::nullopt;
    return std::move(*key);
  }
  uint64_t generation = keys_.store().keyGeneration();  // before the read: a change between misses next time
  {
    std::lock_guard lock(mutex_);
    auto it = keys_cache_.find(keyId);
    if (it != keys_cache_.end() && it->second.generation == generation) {
      const KeyRecord& key = it->second.key;
      if (key.account != place.account || key.region != place.region) return std::nullopt;
      return key;
    }
  }
  auto key = keys_.store().key(keyId);
  if (!key) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (keys_cache_.size() > 4096) keys_cache_.clear();
  keys_cache_[keyId] = {generation, *key};
  if (key->account != place.account || key->region != place.region) return std::nullopt;
  return key;
}

Result<bool> KeyAccess::checkLockout(const auth::ResourcePolicy& policy, const auth::Caller& caller,
                                     const std::string& keyArn, const auth::RequestFacts& facts,
                                     const IdentityDecision& identity) {
  auth::RequestFacts putFacts = facts;
  putFacts.action = "kms:PutKeyPolicy";
  putFacts.resources = {keyArn};
  putFacts.keys.insert_or_assign("kms:calleraccount", caller.account);
  auto finding = auth::evaluateResourcePolicy(policy, caller, putFacts);
  auth::Decision identityDecision = identity(putFacts);
  bool allowed = identityDecision != auth::Decision::ExplicitDeny && !finding.deny &&
                 (auth::callerGranted(finding, putFacts, identity) ||
                  (finding.allowAccount && identityDecision == auth::Decision::Allow));
  if (allowed) return true;
  return ApiError::sender("MalformedPolicyDocumentException",
                          "The new key policy will not allow you to update the key policy in the future.");
}

bool KeyAccess::grantAllows(const KeyRecord& key, const auth::Caller& caller, const std::string& operation,
                            const EncryptionContext& context, const Json& input) {
  for (const GrantRecord& grant : keys_.store().grantsForGrantee(key.keyId, caller.arn)) {
    if (!auth::principalNames(grant.granteePrincipal, caller)) continue;
    if (std::find(grant.operations.begin(), grant.operations.end(), operation) == grant.operations.end()) continue;
    if (operation == "CreateGrant") {
      // A grant made through a grant gives no more than it: its operations
      // among the parent's, and the parent's constraints kept.
      auto asked = input.find("Operations");
      if (asked == input.end() || !asked->is_array()) continue;
      bool within = std::all_of(asked->begin(), asked->end(), [&](const Json& op) {
        return op.is_string() &&
               std::find(grant.operations.begin(), grant.operations.end(), op.get<std::string>()) != grant.operations.end();
      });
      EncryptionContext subset, equals;
      if (auto constraints = input.find("Constraints"); constraints != input.end()) {
        subset = contextMember(*constraints, "EncryptionContextSubset");
        equals = contextMember(*constraints, "EncryptionContextEquals");
      }
      bool kept = (!grant.hasSubset || subset == grant.contextSubset) && (!grant.hasEquals || equals == grant.contextEquals);
      if (within && kept) return true;
      continue;
    }
    if (operation == "RetireGrant" || constraintsHold(grant, context)) return true;
  }
  return false;
}

auth::ResourceVerdict KeyAccess::authorize(const Place& place, const auth::Caller& caller, const std::string& operation,
                                           const Json& input, const auth::RequestFacts& facts,
                                           const IdentityDecision& identity) {
  // Who may retire a grant is the grant's to say (its retiring principal,
  // its grantee when it allows RetireGrant, its account): not a policy's.
  if (operation == "RetireGrant") return {auth::Decision::Allow};
  auth::RequestFacts base = facts;
  base.keys.insert_or_assign("kms:calleraccount", caller.account);
  std::vector<Target> targets = targetsOf(operation, input);
  bool aliasCall = operation == "CreateAlias" || operation == "UpdateAlias" || operation == "DeleteAlias";
  if (targets.empty() || aliasCall) {
    // Calls on no key (CreateKey, ListKeys, ...) are IAM's alone; an alias
    // needs IAM's leave on the alias and the key's on the key.
    auth::Decision decision = identity(base);
    if (decision != auth::Decision::Allow) return {decision};
  }
  std::string lockoutArn = "arn:aws:kms:" + place.region + ":" + place.account + ":key/*";
  for (const Target& target : targets) {
    std::optional<KeyRecord> key;
    std::string managedPolicy, keyArn;
    std::string ref = target.keyRef;
    if (ref.empty() && target.blobMember != nullptr) {
      std::string blob;
      if (base64Decode(member(input, target.blobMember), blob)) {
        if (auto header = parseBlobHeader(blob)) ref = header->keyId;
      }
    }
    std::string service = managedService(ref);
    if (!service.empty() && !keys_.store().alias(place.account, place.region, ref.substr(ref.find("alias/")))) {
      // An AWS managed key not made yet: its policy is known already.
      managedPolicy = awsManagedKeyPolicy(place.account, place.region, service);
      keyArn = "arn:aws:kms:" + place.region + ":" + place.account + ":" + ref.substr(ref.find("alias/"));
    } else if (auto found = ref.empty() ? std::optional<KeyRecord>() : existingKey(place, ref)) {
      key = std::move(*found);
      keyArn = key->arn();
    } else {
      // No such key: the handler answers NotFoundException, if IAM lets it.
      auth::Decision decision = identity(base);
      if (decision != auth::Decision::Allow) return {decision};
      continue;
    }
    lockoutArn = keyArn;
    auth::RequestFacts one = base;
    one.action = target.action;
    one.resources = {keyArn};
    EncryptionContext context = contextMember(input, target.contextName);
    for (const auto& [name, value] : context) one.keys.insert_or_assign("kms:encryptioncontext:" + lower(name), value);
    if (isAliasRef(target.keyRef)) one.keys.insert_or_assign("kms:requestalias", target.keyRef.substr(target.keyRef.find("alias/")));
    if (operation == "CreateGrant") {
      one.keys.insert_or_assign("kms:granteeprincipal", member(input, "GranteePrincipal"));
      if (input.contains("RetiringPrincipal")) {
        one.keys.insert_or_assign("kms:retiringprincipal", member(input, "RetiringPrincipal"));
      }
    }
    one.keys.insert_or_assign("kms:keyorigin", "AWS_KMS");
    if (key) {
      one.keys.insert_or_assign("kms:keyspec", key->keySpec);
      one.keys.insert_or_assign("kms:keyusage", key->keyUsage);
    }
    std::shared_ptr<const auth::ResourcePolicy> policy;
    if (key) {
      policy = policyOf(*key);
    } else {
      auto parsed = parse(managedPolicy);  // Kura's own text: it parses
      policy = std::make_shared<const auth::ResourcePolicy>(parsed ? std::move(*parsed) : auth::ResourcePolicy{});
    }
    auth::Decision identityDecision = identity(one);
    auto finding = auth::evaluateResourcePolicy(*policy, caller, one);
    if (identityDecision == auth::Decision::ExplicitDeny) return {identityDecision, false, target.action, keyArn};
    if (finding.deny) return {auth::Decision::ExplicitDeny, true, target.action, keyArn};
    std::string grantOperation = target.action.substr(4);
    bool allowed = auth::callerGranted(finding, one, identity) ||
                   (finding.allowAccount && identityDecision == auth::Decision::Allow) ||
                   (key && grantAllows(*key, caller, grantOperation, context, input));
    if (!allowed) {
      return {auth::Decision::ImplicitDeny, identityDecision == auth::Decision::Allow, target.action, keyArn};
    }
  }
  // A policy given to CreateKey or PutKeyPolicy must leave the caller able
  // to change it again, unless the caller says it knows better.
  if ((operation == "CreateKey" || operation == "PutKeyPolicy") && input.contains("Policy") &&
      !input.value("BypassPolicyLockoutSafetyCheck", false)) {
    auto policy = parse(member(input, "Policy"));
    if (!policy) return {auth::Decision::ImplicitDeny, false, "", "", policy.error()};
    auto kept = checkLockout(*policy, caller, lockoutArn, base, identity);
    if (!kept) return {auth::Decision::ImplicitDeny, false, "", "", kept.error()};
  }
  return {auth::Decision::Allow};
}

}  // namespace kura::kms
