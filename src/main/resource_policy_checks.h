#pragma once
// The services whose resources carry policies of their own decide their
// IAM principals' calls with them (iam::RequestAuthorizer's checks): KMS
// with key policies and grants (kms/key_access.h), Secrets Manager with
// secrets' resource policies (services/secretsmanager/secret_access.h) and,
// for the secret's value, the key policy of its KMS key, which Secrets
// Manager uses on the caller's behalf (kms:ViaService); and the key a
// creation call of RDS, DynamoDB or ElastiCache names for the service to
// encrypt with (kms:CreateGrant and kms:DescribeKey through the service).
#include "iam/request_authorizer.h"
#include "kms/key_manager.h"
#include "services/secretsmanager/secret_store.h"

namespace kura {

void addResourcePolicyChecks(iam::RequestAuthorizer& authorizer, kms::KeyManager& keys, secrets::SecretStore& secrets);

}  // namespace kura
