// rds-storage-encrypted-cmk, rds-master-password-managed (runbook 1.4),
// rds-iam-auth (1.2), rds-deletion-protection (4.2).
#include "check/json_fields.h"
#include "check/kms_key_lookup.h"
#include "check/rds_database.h"

namespace kura::check {
namespace {

// Encryption cannot be turned on in place: snapshot, copy the snapshot
// under a customer key, restore the copy.
std::string reencryptCommand(const CheckContext& context, const RdsDatabase& database) {
  std::string rds = context.aws("rds");
  std::string plain = database.id + "-plain", sealed = database.id + "-encrypted";
  if (database.cluster) {
    return rds + " create-db-cluster-snapshot --db-cluster-identifier " + database.id +
           " --db-cluster-snapshot-identifier " + plain + " && " + rds +
           " copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier " + plain +
           " --target-db-cluster-snapshot-identifier " + sealed + " --kms-key-id <customer key> && " + rds +
           " restore-db-cluster-from-snapshot --db-cluster-identifier " + sealed + " --snapshot-identifier " + sealed +
           " --engine " + database.engine;
  }
  return rds + " create-db-snapshot --db-instance-identifier " + database.id + " --db-snapshot-identifier " + plain +
         " && " + rds + " copy-db-snapshot --source-db-snapshot-identifier " + plain +
         " --target-db-snapshot-identifier " + sealed + " --kms-key-id <customer key> && " + rds +
         " restore-db-instance-from-db-snapshot --db-instance-identifier " + sealed + " --db-snapshot-identifier " +
         sealed;
}

void checkEncryption(CheckContext& context, const RdsDatabase& database) {
  if (!flagOf(database.raw, "StorageEncrypted")) {
    context.failed("rds-storage-encrypted-cmk", database.arn, "storage not encrypted",
                   reencryptCommand(context, database));
    return;
  }
  std::string keyId = textOf(database.raw, "KmsKeyId");
  context.noteKeyUse(keyId, database.arn);
  if (keyId.empty()) {
    context.notCheckable("rds-storage-encrypted-cmk", database.arn, "encrypted, but the answer names no KMS key");
    return;
  }
  auto key = describeKey(context, keyId);
  if (auto* error = std::get_if<client::CallError>(&key)) {
    context.unreadable("rds-storage-encrypted-cmk", database.arn, "its KMS key " + keyId, *error);
    return;
  }
  const nlohmann::json& metadata = std::get<nlohmann::json>(key);
  std::string manager = textOf(metadata, "KeyManager");
  if (manager == "CUSTOMER") {
    context.passed("rds-storage-encrypted-cmk", database.arn, "encrypted with customer key " + keyId);
  } else {
    context.failed("rds-storage-encrypted-cmk", database.arn,
                   "encrypted with " +
                       (manager.empty() ? std::string("a key of unknown manager") : "an " + manager + "-managed key") +
                       " " + keyId,
                   reencryptCommand(context, database));
  }
}

}  // namespace

void checkRdsSecurity(CheckContext& context, const RdsDatabase& database) {
  checkEncryption(context, database);
  if (flagOf(database.raw, "IAMDatabaseAuthenticationEnabled")) {
    context.passed("rds-iam-auth", database.arn, "IAM database authentication enabled");
  } else {
    context.failed("rds-iam-auth", database.arn, "IAM database authentication off",
                   database.modifyCommand(context) + " --enable-iam-database-authentication --apply-immediately");
  }
  if (flagOf(database.raw, "DeletionProtection")) {
    context.passed("rds-deletion-protection", database.arn, "deletion protection on");
  } else {
    context.failed("rds-deletion-protection", database.arn, "deletion protection off",
                   database.modifyCommand(context) + " --deletion-protection --apply-immediately");
  }
  // A read replica's master password is its source's.
  if (!database.cluster && !textOf(database.raw, "ReadReplicaSourceDBInstanceIdentifier").empty()) return;
  auto secret = database.raw.find("MasterUserSecret");
  if (secret != database.raw.end() && secret->is_object() && !textOf(*secret, "SecretArn").empty()) {
    context.noteKeyUse(textOf(*secret, "KmsKeyId"), database.arn);
    context.passed("rds-master-password-managed", database.arn,
                   "master password in Secrets Manager (" + textOf(*secret, "SecretArn") + ")");
  } else {
    context.failed("rds-master-password-managed", database.arn, "master password not managed by Secrets Manager",
                   database.modifyCommand(context) + " --manage-master-user-password --apply-immediately");
  }
}

}  // namespace kura::check
