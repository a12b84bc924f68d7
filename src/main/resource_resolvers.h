#pragma once
// The resources of IAM users' calls that only a service's own records know
// (docs/iam.md): a KMS alias's key, and a secret's full ARN, whose random
// suffix the name does not carry.
#include "ddb/table_store.h"
#include "iam/request_authorizer.h"
#include "kms/key_manager.h"
#include "services/secretsmanager/secret_store.h"

namespace kura {

void addResourceResolvers(iam::RequestAuthorizer& authorizer, kms::KeyManager& keys, secrets::SecretStore& secrets);
// DynamoDB's condition keys (iam/dynamodb_condition_keys.h) and PartiQL's
// dynamodb:FullTableScan, which read a table's key schema.
void addDynamoDbConditionKeys(iam::RequestAuthorizer& authorizer, ddb::TableStore& tables);

}  // namespace kura
