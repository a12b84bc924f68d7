"""RDS master passwords managed in Secrets Manager: the secret RDS creates
holds the password psql logs in with, RotateSecret changes the real
password (the old one stops working), and the secret goes with the
instance."""
import json

import botocore.exceptions
import pytest

from model_overlay import newer_client
from rds_support import psql, wait_status


def error_code(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"]


def test_managed_master_password_lives_in_secrets_manager_and_rotates(kura_factory):
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    base = dict(DBInstanceIdentifier="managed", Engine="postgres", DBInstanceClass="db.t3.micro",
                MasterUsername="admin", AllocatedStorage=20, BackupRetentionPeriod=0)
    assert error_code(rds.create_db_instance, ManageMasterUserPassword=True, MasterUserPassword="S3cret-pass",
                      **base) == "InvalidParameterCombination"
    created = rds.create_db_instance(ManageMasterUserPassword=True, **base)["DBInstance"]
    secret_arn = created["MasterUserSecret"]["SecretArn"]
    assert ":secret:rds!db-" in secret_arn and created["MasterUserSecret"]["SecretStatus"] == "active"
    wait_status(rds, "managed", "available")

    first = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])
    assert first["username"] == "admin"
    assert psql(rds, "managed", "SELECT current_user", password=first["password"]) == "admin"
    assert sm.describe_secret(SecretId=secret_arn)["OwningService"] == "rds"
    assert error_code(sm.put_secret_value, SecretId=secret_arn, SecretString="x") == "InvalidRequestException"
    assert error_code(sm.delete_secret, SecretId=secret_arn) == "InvalidRequestException"

    sm.rotate_secret(SecretId=secret_arn)
    wait_status(rds, "managed", "available")
    second = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])
    assert second["password"] != first["password"]
    previous = json.loads(sm.get_secret_value(SecretId=secret_arn, VersionStage="AWSPREVIOUS")["SecretString"])
    assert previous == first
    assert psql(rds, "managed", "SELECT 1", password=second["password"]) == "1"
    assert psql(rds, "managed", "SELECT 1", password=first["password"], check=False).returncode != 0
    assert "LastRotatedDate" in sm.describe_secret(SecretId=secret_arn)

    rds.delete_db_instance(DBInstanceIdentifier="managed", SkipFinalSnapshot=True)
    assert error_code(sm.describe_secret, SecretId=secret_arn) == "ResourceNotFoundException"
