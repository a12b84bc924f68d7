#include "services/secretsmanager/resource_policy_handlers.h"

#include "services/secretsmanager/secret_access.h"

namespace kura {

void addResourcePolicyHandlers(HandlerTable& handlers, secrets::SecretStore& store, WithSecret withSecret) {
  handlers.add("PutResourcePolicy", [&store, withSecret](const RequestContext& c, const Json& in) -> Result<Json> {
    std::string text = in["ResourcePolicy"].get<std::string>();
    auto policy = secrets::parseSecretPolicy(text);
    if (!policy) return policy.error();
    if (in.value("BlockPublicPolicy", false) && secrets::isPublicPolicy(*policy)) {
      return ApiError::sender("PublicPolicyException",
                              "The BlockPublicPolicy parameter is set to true, and the resource policy did not "
                              "prevent broad access to the secret.");
    }
    return withSecret(c, in["SecretId"], true, [&](secrets::SecretRecord& secret) -> Result<Json> {
      secret.resourcePolicy = text;
      store.save(secret);
      return Json{{"ARN", secret.arn}, {"Name", secret.name}};
    });
  });
  handlers.add("GetResourcePolicy", [withSecret](const RequestContext& c, const Json& in) -> Result<Json> {
    return withSecret(c, in["SecretId"], false, [](secrets::SecretRecord& secret) -> Result<Json> {
      Json out = {{"ARN", secret.arn}, {"Name", secret.name}};
      if (!secret.resourcePolicy.empty()) out["ResourcePolicy"] = secret.resourcePolicy;
      return out;
    });
  });
  handlers.add("DeleteResourcePolicy", [&store, withSecret](const RequestContext& c, const Json& in) -> Result<Json> {
    return withSecret(c, in["SecretId"], true, [&](secrets::SecretRecord& secret) -> Result<Json> {
      secret.resourcePolicy.clear();
      store.save(secret);
      return Json{{"ARN", secret.arn}, {"Name", secret.name}};
    });
  });
  handlers.add("ValidateResourcePolicy", [withSecret](const RequestContext& c, const Json& in) -> Result<Json> {
    auto policy = secrets::parseSecretPolicy(in["ResourcePolicy"].get<std::string>());
    if (!policy) return policy.error();
    if (in.contains("SecretId")) {
      auto secret = withSecret(c, in["SecretId"], false, [](secrets::SecretRecord&) -> Result<Json> { return Json(); });
      if (!secret) return secret.error();
    }
    Json errors = Json::array();
    if (secrets::isPublicPolicy(*policy)) {
      errors.push_back({{"CheckName", "BLOCK_PUBLIC_POLICY"},
                        {"ErrorMessage", "The resource policy grants broad access to the secret: a wildcard principal "
                                         "without a condition."}});
    }
    return Json{{"PolicyValidationPassed", errors.empty()}, {"ValidationErrors", errors}};
  });
}

}  // namespace kura
