"""DynamoDB backups: each holds its own table alone, a table encrypted
under a KMS key has its backups sealed under that key, restores read the
items back, and a disabled key blocks the restore and nothing else."""
import os

import botocore.exceptions
import pytest


def error_code(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"]


def files_below(folder):
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                yield name, f.read()


def make_table(ddb, name, **extra):
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST", **extra)


def test_sse_table_backups_are_sealed_and_restore(kura_factory):
    server = kura_factory()
    ddb, kms = server.client("dynamodb"), server.client("kms")
    key = kms.create_key(Description="ddb")["KeyMetadata"]
    make_table(ddb, "secure", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["KeyId"]})
    assert ddb.describe_table(TableName="secure")["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key["Arn"]
    make_table(ddb, "plain")
    secret = "secret-" + os.urandom(6).hex()
    public = "public-" + os.urandom(6).hex()
    for i in range(50):
        ddb.put_item(TableName="secure", Item={"id": {"S": str(i)}, "v": {"S": secret}})
        ddb.put_item(TableName="plain", Item={"id": {"S": str(i)}, "v": {"S": public}})
    backup_dir = os.path.join(server.data_dir, "dynamodb-backups")
    sealed_arn = ddb.create_backup(TableName="secure", BackupName="sealed-1")["BackupDetails"]["BackupArn"]
    plain_arn = ddb.create_backup(TableName="plain", BackupName="plain-1")["BackupDetails"]["BackupArn"]
    blobs = [data for _, data in files_below(backup_dir)]
    assert not any(secret.encode() in data for data in blobs)  # not in either backup
    assert any(public.encode() in data for data in blobs)  # the unencrypted table's backup is plain

    ddb.restore_table_from_backup(TargetTableName="secure-back", BackupArn=sealed_arn)
    items = ddb.scan(TableName="secure-back")["Items"]
    assert len(items) == 50 and {i["v"]["S"] for i in items} == {secret}
    assert ddb.describe_table(TableName="secure-back")["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key["Arn"]
    ddb.restore_table_from_backup(TargetTableName="plain-back", BackupArn=plain_arn)
    assert len(ddb.scan(TableName="plain-back")["Items"]) == 50
    # No opened copy is left behind.
    assert not [n for n in os.listdir(backup_dir) if "opened" in n or n.endswith(".plain")]

    kms.disable_key(KeyId=key["KeyId"])
    assert error_code(ddb.restore_table_from_backup, TargetTableName="secure-locked",
                      BackupArn=sealed_arn) == "ValidationException"
    assert error_code(ddb.describe_table, TableName="secure-locked") == "ResourceNotFoundException"
    assert ddb.get_item(TableName="secure", Key={"id": {"S": "1"}})["Item"]["v"]["S"] == secret
    kms.enable_key(KeyId=key["KeyId"])
    ddb.restore_table_from_backup(TargetTableName="secure-again", BackupArn=sealed_arn)
    assert len(ddb.scan(TableName="secure-again")["Items"]) == 50
