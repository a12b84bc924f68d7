// kms-rotation and kms-pending-deletion-in-use (runbook 1.4): every
// customer-managed key. Runs last: the other groups note the keys their
// resources use.
#include <map>

#include "check/json_fields.h"
#include "check/kms_key_lookup.h"
#include "check/rule_groups.h"

namespace kura::check {
namespace {

// "arn:aws:kms:r:a:key/ID" -> "ID"; aliases (by name or ARN) through the
// account's aliases; a bare id as it is.
std::string keyIdOf(const std::string& reference, const std::map<std::string, std::string>& aliases) {
  if (auto alias = aliases.find(reference); alias != aliases.end()) return alias->second;
  if (size_t slash = reference.find(":key/"); slash != std::string::npos) return reference.substr(slash + 5);
  return reference;
}

std::map<std::string, std::string> aliasTargets(CheckContext& context) {
  std::map<std::string, std::string> targets;
  const auto& answer = context.read("kms", "ListAliases");
  if (client::errorOf(answer) != nullptr) return targets;
  for (const auto& alias : listOf(*client::outputOf(answer), "Aliases")) {
    std::string target = textOf(alias, "TargetKeyId");
    if (target.empty()) continue;
    targets[textOf(alias, "AliasName")] = target;
    targets[textOf(alias, "AliasArn")] = target;
  }
  return targets;
}

void checkRotation(CheckContext& context, const std::string& keyId, const std::string& arn) {
  const auto& answer = context.read("kms", "GetKeyRotationStatus", {{"KeyId", keyId}});
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("kms-rotation", arn, "GetKeyRotationStatus", *error);
  } else if (flagOf(*client::outputOf(answer), "KeyRotationEnabled")) {
    context.passed("kms-rotation", arn, "automatic rotation on");
  } else {
    context.failed("kms-rotation", arn, "automatic rotation off",
                   context.aws("kms") + " enable-key-rotation --key-id " + keyId);
  }
}

}  // namespace

void checkKms(CheckContext& context) {
  const auto& answer = context.read("kms", "ListKeys");
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("kms-rotation", "kms:" + context.region(), "ListKeys", *error);
    context.unreadable("kms-pending-deletion-in-use", "kms:" + context.region(), "ListKeys", *error);
    return;
  }
  std::map<std::string, std::string> aliases = aliasTargets(context);
  std::map<std::string, std::set<std::string>> usesByKey;
  for (const auto& [reference, resources] : context.keyUses()) {
    usesByKey[keyIdOf(reference, aliases)].insert(resources.begin(), resources.end());
  }
  for (const auto& entry : listOf(*client::outputOf(answer), "Keys")) {
    std::string keyId = textOf(entry, "KeyId");
    std::string arn = textOf(entry, "KeyArn").empty() ? keyId : textOf(entry, "KeyArn");
    auto described = describeKey(context, keyId);
    if (auto* error = std::get_if<client::CallError>(&described)) {
      context.unreadable("kms-rotation", arn, "DescribeKey", *error);
      continue;
    }
    const nlohmann::json& metadata = std::get<nlohmann::json>(described);
    if (textOf(metadata, "KeyManager") == "AWS") continue;  // AWS rotates and keeps its own keys
    std::string state = textOf(metadata, "KeyState");
    std::string spec = textOf(metadata, "KeySpec");
    bool rotatable = (spec.empty() || spec == "SYMMETRIC_DEFAULT") &&
                     (textOf(metadata, "Origin").empty() || textOf(metadata, "Origin") == "AWS_KMS");
    if (state == "Enabled" && rotatable) checkRotation(context, keyId, arn);

    const std::set<std::string>& users = usesByKey[keyId];
    if (state != "PendingDeletion" && state != "PendingReplicaDeletion") {
      context.passed("kms-pending-deletion-in-use", arn, "not pending deletion (" + state + ")");
    } else if (users.empty()) {
      context.passed("kms-pending-deletion-in-use", arn, "pending deletion; no resource kura check read uses it");
    } else {
      std::string names;
      for (const std::string& user : users) names += (names.empty() ? "" : ", ") + user;
      context.failed("kms-pending-deletion-in-use", arn, "pending deletion but used by " + names,
                     context.aws("kms") + " cancel-key-deletion --key-id " + keyId + " && " + context.aws("kms") +
                         " enable-key --key-id " + keyId);
    }
  }
}

}  // namespace kura::check
