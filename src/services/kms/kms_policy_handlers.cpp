#include "services/kms/kms_access_handlers.h"

namespace kura {
namespace {

kms::Place placeOf(const RequestContext& c) { return {c.accountId, c.region}; }

Result<bool> checkPolicyName(const Json& in) {
  if (in.value("PolicyName", "default") != "default") {
    return kms::notFound("No such policy exists: the only policy name of a key is 'default'.");
  }
  return true;
}

}  // namespace

auth::Caller callerOf(const RequestContext& context) {
  std::string arn = context.userArn.empty() ? "arn:aws:iam::" + context.accountId + ":root" : context.userArn;
  return {arn, context.accountId};
}

void addKeyPolicyHandlers(HandlerTable& handlers, kms::KeyManager& keys, kms::KeyAccess& access) {
  handlers.add("GetKeyPolicy", [&keys, &access](const RequestContext& c, const Json& in) -> Result<Json> {
    if (auto named = checkPolicyName(in); !named) return named.error();
    auto key = keys.resolve(placeOf(c), in["KeyId"]);
    if (!key) return key.error();
    return Json{{"Policy", access.policyText(*key)}, {"PolicyName", "default"}};
  });
  handlers.add("ListKeyPolicies", [&keys](const RequestContext& c, const Json& in) -> Result<Json> {
    auto key = keys.resolve(placeOf(c), in["KeyId"]);
    if (!key) return key.error();
    return Json{{"PolicyNames", Json::array({"default"})}, {"Truncated", false}};
  });
  handlers.add("PutKeyPolicy", [&keys, &access](const RequestContext& c, const Json& in) -> Result<Json> {
    if (auto named = checkPolicyName(in); !named) return named.error();
    auto key = keys.resolve(placeOf(c), in["KeyId"]);
    if (!key) return key.error();
    if (key->awsManaged) {
      return ApiError::sender("UnsupportedOperationException",
                              key->arn() + " is an AWS managed key: its key policy cannot be changed.");
    }
    std::string text = in["Policy"].get<std::string>();
    auto policy = kms::KeyAccess::parse(text);
    if (!policy) return policy.error();
    if (!in.value("BypassPolicyLockoutSafetyCheck", false)) {
      // An IAM principal's identity policies were weighed when the call was
      // authorized; here the policy must at least name the caller.
      auto kept = access.checkLockout(*policy, callerOf(c), key->arn(), {},
                                      [](const auth::RequestFacts&) { return auth::Decision::Allow; });
      if (!kept) return kept.error();
    }
    keys.store().setPolicy(key->keyId, text);
    return Json::object();
  });
}

}  // namespace kura
