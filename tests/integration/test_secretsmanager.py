"""Secrets Manager through boto3 and the AWS CLI: values read back, version
stages, deletion and recovery, filters, and values sealed under KMS."""
import os

import botocore.exceptions
import pytest


def error_code(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"]


@pytest.fixture
def sm(kura):
    return kura.client("secretsmanager")


def test_create_get_and_describe(sm):
    created = sm.create_secret(Name="app/db", SecretString='{"password":"hunter2"}', Description="db login",
                               Tags=[{"Key": "team", "Value": "db"}])
    assert created["ARN"].startswith("arn:aws:secretsmanager:ap-northeast-1:000000000000:secret:app/db-")
    value = sm.get_secret_value(SecretId="app/db")
    assert value["SecretString"] == '{"password":"hunter2"}' and value["VersionStages"] == ["AWSCURRENT"]
    assert value["VersionId"] == created["VersionId"]
    assert sm.get_secret_value(SecretId=created["ARN"])["SecretString"] == '{"password":"hunter2"}'
    partial = created["ARN"][:-7]
    assert sm.get_secret_value(SecretId=partial)["Name"] == "app/db"
    described = sm.describe_secret(SecretId="app/db")
    assert described["Description"] == "db login" and described["Tags"] == [{"Key": "team", "Value": "db"}]
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}
    assert "LastAccessedDate" in described
    assert error_code(sm.create_secret, Name="app/db", SecretString="x") == "ResourceExistsException"
    assert error_code(sm.get_secret_value, SecretId="app/none") == "ResourceNotFoundException"
    assert error_code(sm.create_secret, Name="both", SecretString="x", SecretBinary=b"y") == "InvalidParameterException"


def test_binary_secret(sm):
    sm.create_secret(Name="bin", SecretBinary=b"\x00\x01\xff")
    assert sm.get_secret_value(SecretId="bin")["SecretBinary"] == b"\x00\x01\xff"


def test_versions_and_stages(sm):
    first = sm.create_secret(Name="rotating", SecretString="v1")["VersionId"]
    second = sm.put_secret_value(SecretId="rotating", SecretString="v2")["VersionId"]
    assert sm.get_secret_value(SecretId="rotating")["SecretString"] == "v2"
    assert sm.get_secret_value(SecretId="rotating", VersionStage="AWSPREVIOUS")["SecretString"] == "v1"
    assert sm.get_secret_value(SecretId="rotating", VersionId=first)["SecretString"] == "v1"
    pending = sm.put_secret_value(SecretId="rotating", SecretString="v3", VersionStages=["AWSPENDING"])
    assert pending["VersionStages"] == ["AWSPENDING"]
    assert sm.get_secret_value(SecretId="rotating")["SecretString"] == "v2"
    assert error_code(sm.update_secret_version_stage, SecretId="rotating", VersionStage="AWSCURRENT",
                      MoveToVersionId=pending["VersionId"]) == "InvalidParameterException"
    sm.update_secret_version_stage(SecretId="rotating", VersionStage="AWSCURRENT",
                                   MoveToVersionId=pending["VersionId"], RemoveFromVersionId=second)
    assert sm.get_secret_value(SecretId="rotating")["SecretString"] == "v3"
    assert sm.get_secret_value(SecretId="rotating", VersionStage="AWSPREVIOUS")["SecretString"] == "v2"
    stages = {v["VersionId"]: v["VersionStages"] for v in sm.list_secret_version_ids(SecretId="rotating")["Versions"]}
    assert sorted(stages[pending["VersionId"]]) == ["AWSCURRENT", "AWSPENDING"]
    assert stages[second] == ["AWSPREVIOUS"] and first not in stages
    all_versions = sm.list_secret_version_ids(SecretId="rotating", IncludeDeprecated=True)["Versions"]
    assert first in [v["VersionId"] for v in all_versions]
    # A retried request with the same token is the same version; another value is refused.
    token = "a" * 32
    again = sm.put_secret_value(SecretId="rotating", SecretString="v4", ClientRequestToken=token)
    assert sm.put_secret_value(SecretId="rotating", SecretString="v4", ClientRequestToken=token)["VersionId"] == \
        again["VersionId"] == token
    assert error_code(sm.put_secret_value, SecretId="rotating", SecretString="v5",
                      ClientRequestToken=token) == "ResourceExistsException"


def test_update_secret(sm):
    sm.create_secret(Name="upd", SecretString="old")
    out = sm.update_secret(SecretId="upd", SecretString="new", Description="changed")
    assert "VersionId" in out
    assert sm.get_secret_value(SecretId="upd")["SecretString"] == "new"
    assert sm.describe_secret(SecretId="upd")["Description"] == "changed"


def test_delete_and_restore(sm):
    sm.create_secret(Name="doomed", SecretString="x")
    assert error_code(sm.delete_secret, SecretId="doomed", RecoveryWindowInDays=3) == "InvalidParameterException"
    assert error_code(sm.delete_secret, SecretId="doomed", RecoveryWindowInDays=7,
                      ForceDeleteWithoutRecovery=True) == "InvalidParameterException"
    deleted = sm.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
    assert "DeletionDate" in deleted
    assert error_code(sm.get_secret_value, SecretId="doomed") == "InvalidRequestException"
    assert "DeletedDate" in sm.describe_secret(SecretId="doomed")
    assert "doomed" not in [s["Name"] for s in sm.list_secrets()["SecretList"]]
    assert error_code(sm.create_secret, Name="doomed", SecretString="y") == "InvalidRequestException"
    sm.restore_secret(SecretId="doomed")
    assert sm.get_secret_value(SecretId="doomed")["SecretString"] == "x"
    sm.delete_secret(SecretId="doomed", ForceDeleteWithoutRecovery=True)
    assert error_code(sm.describe_secret, SecretId="doomed") == "ResourceNotFoundException"
    sm.create_secret(Name="doomed", SecretString="reborn")
    assert sm.get_secret_value(SecretId="doomed")["SecretString"] == "reborn"


def test_list_filters_paging_and_tags(sm):
    for i in range(5):
        sm.create_secret(Name=f"list/s{i}", SecretString=str(i), Tags=[{"Key": "idx", "Value": str(i)}])
    names = []
    token = None
    for _ in range(20):
        page = sm.list_secrets(MaxResults=2, Filters=[{"Key": "name", "Values": ["list/"]}],
                               **({"NextToken": token} if token else {}))
        names += [s["Name"] for s in page["SecretList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == [f"list/s{i}" for i in range(5)]
    tagged = sm.list_secrets(Filters=[{"Key": "tag-value", "Values": ["3"]}])["SecretList"]
    assert [s["Name"] for s in tagged] == ["list/s3"]
    sm.tag_resource(SecretId="list/s0", Tags=[{"Key": "env", "Value": "ci"}])
    sm.untag_resource(SecretId="list/s0", TagKeys=["idx"])
    assert sm.describe_secret(SecretId="list/s0")["Tags"] == [{"Key": "env", "Value": "ci"}]


def test_random_password(sm):
    password = sm.get_random_password(PasswordLength=40, ExcludePunctuation=True)["RandomPassword"]
    assert len(password) == 40 and password.isalnum()
    assert any(c.isdigit() for c in password) and any(c.isupper() for c in password)
    digits = sm.get_random_password(PasswordLength=12, ExcludeLowercase=True, ExcludeUppercase=True,
                                    ExcludePunctuation=True)["RandomPassword"]
    assert digits.isdigit()


def test_customer_key_guards_the_value(kura, sm):
    kms = kura.client("kms")
    key = kms.create_key(Description="secrets")["KeyMetadata"]["KeyId"]
    sm.create_secret(Name="guarded", SecretString="behind a key", KmsKeyId=key)
    assert sm.describe_secret(SecretId="guarded")["KmsKeyId"] == key
    kms.disable_key(KeyId=key)
    assert error_code(sm.get_secret_value, SecretId="guarded") == "DecryptionFailure"
    assert error_code(sm.put_secret_value, SecretId="guarded", SecretString="more") == "EncryptionFailure"
    kms.enable_key(KeyId=key)
    assert sm.get_secret_value(SecretId="guarded")["SecretString"] == "behind a key"


def test_rotation_without_lambda_is_refused(sm):
    sm.create_secret(Name="norotate", SecretString="x")
    assert error_code(sm.rotate_secret, SecretId="norotate") == "InvalidRequestException"


def test_values_sealed_on_disk_survive_sigkill(kura_factory):
    server = kura_factory()
    sm = server.client("secretsmanager")
    marker = "plaintext-marker-" + os.urandom(8).hex()
    sm.create_secret(Name="durable", SecretString=marker)
    server.restart(sigkill=True)
    sm = server.client("secretsmanager")
    assert sm.get_secret_value(SecretId="durable")["SecretString"] == marker
    for folder, _, files in os.walk(server.data_dir):
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                assert marker.encode() not in f.read(), name
    assert marker not in server.read_log()


def test_cli_round_trip(kura):
    kura.aws("secretsmanager", "create-secret", "--name", "cli/secret", "--secret-string", "s3cr3t")
    out = kura.aws("secretsmanager", "get-secret-value", "--secret-id", "cli/secret")
    assert out["SecretString"] == "s3cr3t"
