"""RDS master passwords managed in Secrets Manager: the secret RDS creates
holds the password psql logs in with, RotateSecret changes the real
password (the old one stops working), and the secret goes with the
instance."""
import json

import botocore.exceptions
import pytest

from model_overlay import newer_client
from rds_support import psql, wait_cluster, wait_instances, wait_status


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


@pytest.mark.serial
def test_a_secret_whose_instance_a_crash_never_recorded_is_deleted_at_start(kura_factory):
    """ManageMasterUserPassword makes the secret, then the instance's
    record: Kura killed between the two leaves a secret no instance names,
    which the next start deletes; a secret an instance names is kept, and
    one whose instance's deletion was recorded before a kill goes too."""
    server = kura_factory(["--enable-test-controllers"], env={"KURA_CRASH_AT": "rds-managed-secret-created"})
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    base = dict(Engine="postgres", DBInstanceClass="db.t3.micro", MasterUsername="admin", AllocatedStorage=20,
                BackupRetentionPeriod=0, ManageMasterUserPassword=True)
    with pytest.raises(botocore.exceptions.BotoCoreError):  # the server dies before it answers
        rds.create_db_instance(DBInstanceIdentifier="cut-short", **base)
    assert server.proc.wait(timeout=10) == -9
    server.stop()
    del server.env["KURA_CRASH_AT"]
    server.start()
    assert error_code(rds.describe_db_instances, DBInstanceIdentifier="cut-short") == "DBInstanceNotFound"
    assert [s["Name"] for s in sm.list_secrets()["SecretList"]] == []
    assert "deleting a managed master secret no DB instance or cluster names" in server.read_log()

    kept = rds.create_db_instance(DBInstanceIdentifier="kept", **base)["DBInstance"]["MasterUserSecret"]["SecretArn"]
    server.restart(sigkill=True)
    assert sm.describe_secret(SecretId=kept)["OwningService"] == "rds"
    assert [s["ARN"] for s in sm.list_secrets()["SecretList"]] == [kept]

    server.stop()
    server.env["KURA_CRASH_AT"] = "rds-instance-deletion-recorded"
    server.start()
    with pytest.raises(botocore.exceptions.BotoCoreError):
        rds.delete_db_instance(DBInstanceIdentifier="kept", SkipFinalSnapshot=True)
    assert server.proc.wait(timeout=10) == -9
    server.stop()
    del server.env["KURA_CRASH_AT"]
    server.start()
    assert error_code(sm.describe_secret, SecretId=kept) == "ResourceNotFoundException"


def test_an_instance_of_a_password_of_its_own_is_switched_to_a_managed_one(kura_factory):
    """ModifyDBInstance --manage-master-user-password: a new password in a
    secret RDS owns, set on the running instance (the old one stops
    working), as `kura check`'s rds-master-password-managed advises."""
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    rds.create_db_instance(DBInstanceIdentifier="switched", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="Own-pass-1234", AllocatedStorage=20,
                           BackupRetentionPeriod=0)
    wait_status(rds, "switched", "available")
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="switched", ApplyImmediately=True,
                      MasterUserSecretKmsKeyId="alias/aws/secretsmanager") == "InvalidParameterCombination"
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="switched", ApplyImmediately=True,
                      ManageMasterUserPassword=True, MasterUserPassword="Other-pass-1234") == \
        "InvalidParameterCombination"
    modified = rds.modify_db_instance(DBInstanceIdentifier="switched", ApplyImmediately=True,
                                      ManageMasterUserPassword=True)["DBInstance"]
    secret_arn = modified["MasterUserSecret"]["SecretArn"]
    wait_status(rds, "switched", "available")
    value = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])
    assert value["username"] == "admin" and value["password"] != "Own-pass-1234"
    assert psql(rds, "switched", "SELECT current_user", password=value["password"]) == "admin"
    assert psql(rds, "switched", "SELECT 1", password="Own-pass-1234", check=False).returncode != 0
    # Managed from now on: asking again changes nothing; going back is refused.
    rds.modify_db_instance(DBInstanceIdentifier="switched", ApplyImmediately=True, ManageMasterUserPassword=True)
    assert rds.describe_db_instances(DBInstanceIdentifier="switched")["DBInstances"][0]["MasterUserSecret"][
        "SecretArn"] == secret_arn
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="switched", ApplyImmediately=True,
                      ManageMasterUserPassword=False) == "InvalidParameterValue"
    rds.delete_db_instance(DBInstanceIdentifier="switched", SkipFinalSnapshot=True)
    assert error_code(sm.describe_secret, SecretId=secret_arn) == "ResourceNotFoundException"


def test_rotate_master_user_password_rotates_the_managed_secret_at_once(kura_factory):
    """modify-db-instance / modify-db-cluster --rotate-master-user-password
    --apply-immediately: a new password in the secret and on the engine
    (the old one stops working); refused without ApplyImmediately, for a
    password that is not managed, or beside other changes, each changing
    nothing."""
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    rds.create_db_instance(DBInstanceIdentifier="rotated", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", AllocatedStorage=20, BackupRetentionPeriod=0,
                           ManageMasterUserPassword=True)
    rds.create_db_instance(DBInstanceIdentifier="own-password", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=0)
    wait_status(rds, "rotated", "available")
    wait_status(rds, "own-password", "available")
    secret_arn = rds.describe_db_instances(DBInstanceIdentifier="rotated")["DBInstances"][0]["MasterUserSecret"][
        "SecretArn"]
    first = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])

    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="rotated",
                      RotateMasterUserPassword=True) == "InvalidParameterCombination"  # ApplyImmediately
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="own-password", RotateMasterUserPassword=True,
                      ApplyImmediately=True) == "InvalidParameterCombination"
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="rotated", RotateMasterUserPassword=True,
                      ApplyImmediately=True, DeletionProtection=True) == "InvalidParameterCombination"
    assert json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"]) == first
    assert rds.describe_db_instances(DBInstanceIdentifier="rotated")["DBInstances"][0]["DeletionProtection"] is False

    rds.modify_db_instance(DBInstanceIdentifier="rotated", RotateMasterUserPassword=True, ApplyImmediately=True)
    wait_status(rds, "rotated", "available")
    second = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])
    assert second["password"] != first["password"]
    assert psql(rds, "rotated", "SELECT 1", password=second["password"]) == "1"
    assert psql(rds, "rotated", "SELECT 1", password=first["password"], check=False).returncode != 0

    # An Aurora cluster's, on its writer.
    rds.create_db_cluster(DBClusterIdentifier="rotated-cluster", Engine="aurora-postgresql", MasterUsername="admin",
                          ManageMasterUserPassword=True)
    wait_cluster(rds, "rotated-cluster")
    rds.create_db_instance(DBInstanceIdentifier="rotated-cluster-1", DBClusterIdentifier="rotated-cluster",
                           Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["rotated-cluster-1"])
    cluster_secret = rds.describe_db_clusters(DBClusterIdentifier="rotated-cluster")["DBClusters"][0][
        "MasterUserSecret"]["SecretArn"]
    before = json.loads(sm.get_secret_value(SecretId=cluster_secret)["SecretString"])
    rds.modify_db_cluster(DBClusterIdentifier="rotated-cluster", RotateMasterUserPassword=True, ApplyImmediately=True)
    wait_cluster(rds, "rotated-cluster")
    wait_instances(rds, ["rotated-cluster-1"])  # the writer takes it (modifying, then available)
    after = json.loads(sm.get_secret_value(SecretId=cluster_secret)["SecretString"])
    assert after["password"] != before["password"]
    assert psql(rds, "rotated-cluster-1", "SELECT 1", password=after["password"]) == "1"
    assert psql(rds, "rotated-cluster-1", "SELECT 1", password=before["password"], check=False).returncode != 0
