// secretsmanager-rotation (runbook 1.4): every secret rotates by itself.
#include "check/json_fields.h"
#include "check/rule_groups.h"

namespace kura::check {

void checkSecretsManager(CheckContext& context) {
  const auto& answer = context.read("secretsmanager", "ListSecrets");
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("secretsmanager-rotation", "secretsmanager:" + context.region(), "ListSecrets", *error);
    return;
  }
  for (const auto& secret : listOf(*client::outputOf(answer), "SecretList")) {
    std::string arn = textOf(secret, "ARN");
    if (arn.empty()) arn = textOf(secret, "Name");
    context.noteKeyUse(textOf(secret, "KmsKeyId"), arn);
    if (flagOf(secret, "RotationEnabled")) {
      context.passed("secretsmanager-rotation", arn, "rotation on");
      continue;
    }
    std::string owner = textOf(secret, "OwningService");
    // A secret a service manages (RDS's master passwords) rotates without a
    // Lambda function of the caller's.
    std::string fix = context.aws("secretsmanager") + " rotate-secret --secret-id " + arn +
                      (owner.empty() ? " --rotation-lambda-arn <rotation function ARN>" : std::string()) +
                      " --rotation-rules AutomaticallyAfterDays=" + (owner.empty() ? "30" : "7");
    context.failed("secretsmanager-rotation", arn,
                   owner.empty() ? std::string("rotation off") : "rotation off (managed by " + owner + ")", fix);
  }
}

}  // namespace kura::check
