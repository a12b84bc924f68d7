"""Secrets Manager rotation without Lambda, for the master password secrets
RDS manages: rotation is on from the start (every 7 days, as RDS sets it),
RotateSecret stages a new password as AWSPENDING, RDS puts it on the engine,
then it becomes AWSCURRENT (the old one AWSPREVIOUS): the client reads the
new password from the secret and logs in with it, and the old one no longer
works. A rotation cut short by SIGKILL completes after the restart. An
ordinary secret's Lambda rotation is refused as AWS refuses a function it
cannot invoke."""
import contextlib
import json
import os
import sqlite3
import time

import botocore.exceptions
import pytest

from model_overlay import newer_client
from rds_support import endpoint, psql, wait_status


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def raw_describe(sm, secret_id):
    """DescribeSecret as the server sent it (Debian's botocore predates NextRotationDate)."""
    seen = {}

    def keep(http_response, **_):
        seen["body"] = json.loads(http_response.text)

    sm.meta.events.register("after-call.secretsmanager.DescribeSecret", keep)
    try:
        sm.describe_secret(SecretId=secret_id)
    finally:
        sm.meta.events.unregister("after-call.secretsmanager.DescribeSecret", keep)
    return seen["body"]


def password_of(sm, arn, stage="AWSCURRENT"):
    return json.loads(sm.get_secret_value(SecretId=arn, VersionStage=stage)["SecretString"])["password"]


def wait_rotated(sm, arn, version, timeout=90):
    """Waits until `version` is AWSCURRENT and no rotation is under way."""
    deadline = time.monotonic() + timeout
    stages = None
    while time.monotonic() < deadline:
        stages = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
        pending = [v for v, labels in stages.items() if "AWSPENDING" in labels]
        if "AWSCURRENT" in stages.get(version, []) and not pending:
            return
        time.sleep(0.3)
    raise AssertionError(f"{version} is not AWSCURRENT: {stages}")


def stages_in_store(server, arn):
    path = os.path.join(server.data_dir, "secretsmanager", "secrets.db")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
        rows = db.execute("SELECT version_id, stages FROM versions WHERE arn = ?", (arn,)).fetchall()
    return {version: json.loads(stages) for version, stages in rows}


def logs_in(engine, rds, identifier, password):
    if engine == "postgres":
        return psql(rds, identifier, "SELECT 1", password=password, check=False) == "1"
    import pymysql
    host, port = endpoint(rds, identifier)
    try:
        pymysql.connect(host=host, port=port, user="admin", password=password, connect_timeout=10).close()
        return True
    except pymysql.err.OperationalError:
        return False


def create_managed(rds, identifier, engine):
    created = rds.create_db_instance(DBInstanceIdentifier=identifier, Engine=engine, DBInstanceClass="db.t3.micro",
                                     MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                                     BackupRetentionPeriod=0)["DBInstance"]
    wait_status(rds, identifier, "available", timeout=180)
    return created["MasterUserSecret"]["SecretArn"]


ENGINES = ["postgres", pytest.param("mariadb", marks=pytest.mark.skipif(
    not os.path.exists("/usr/sbin/mariadbd"), reason="no MariaDB server installed"))]


@pytest.mark.parametrize("engine", ENGINES)
def test_managed_master_secret_rotates_on_the_engine(kura_factory, engine):
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    arn = create_managed(rds, "rotating", engine)

    described = raw_describe(sm, arn)
    assert described["RotationEnabled"] is True and described["RotationRules"] == {"AutomaticallyAfterDays": 7}
    assert "RotationLambdaARN" not in described and "LastRotatedDate" not in described
    assert abs(described["NextRotationDate"] - (described["CreatedDate"] + 7 * 86400)) < 1
    first = password_of(sm, arn)
    assert logs_in(engine, rds, "rotating", first)

    version = sm.rotate_secret(SecretId=arn)["VersionId"]
    # Under way, the new password is AWSPENDING until the engine uses it, and
    # another rotation is refused; one the engine was quick to finish is not.
    again = None
    try:
        again = sm.rotate_secret(SecretId=arn)["VersionId"]
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidRequestException"
        assert "previous rotation isn't complete" in error.response["Error"]["Message"]
    wait_rotated(sm, arn, again or version)
    second = password_of(sm, arn)
    assert second != first
    if again is None:
        assert password_of(sm, arn, "AWSPREVIOUS") == first
    assert logs_in(engine, rds, "rotating", second)
    assert not logs_in(engine, rds, "rotating", first)
    described = raw_describe(sm, arn)
    assert abs(described["NextRotationDate"] - (described["LastRotatedDate"] + 7 * 86400)) < 1
    assert described["LastRotatedDate"] >= described["CreatedDate"]


def test_schedule_change_cancel_and_refusals(kura_factory):
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    arn = create_managed(rds, "scheduled", "postgres")
    before = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]

    # A new schedule, without rotating now: nothing else changes.
    out = sm.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    assert "VersionId" not in out
    described = raw_describe(sm, arn)
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 30}
    assert abs(described["NextRotationDate"] - (described["CreatedDate"] + 30 * 86400)) < 1
    assert described["VersionIdsToStages"] == before
    for rules in ({"ScheduleExpression": "rate(1 hours)"}, {"ScheduleExpression": "cron(0 12 * * ? *)"},
                  {"AutomaticallyAfterDays": 3, "ScheduleExpression": "rate(5 days)"}):
        assert error_of(sm.rotate_secret, SecretId=arn, RotationRules=rules)["Code"] == "InvalidParameterException"
    lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
    assert error_of(sm.rotate_secret, SecretId=arn, RotationLambdaARN=lambda_arn)["Code"] == "InvalidRequestException"

    # The password is the secret's: not set around it.
    error = error_of(rds.modify_db_instance, DBInstanceIdentifier="scheduled", MasterUserPassword="Another-pass1",
                     ApplyImmediately=True)
    assert error["Code"] == "InvalidParameterCombination"

    sm.cancel_rotate_secret(SecretId=arn)
    described = raw_describe(sm, arn)
    assert described["RotationEnabled"] is False and "NextRotationDate" not in described
    assert described["VersionIdsToStages"] == before
    assert logs_in("postgres", rds, "scheduled", password_of(sm, arn))

    # An ordinary secret: Kura runs no Lambda function, and says so as AWS
    # does when it cannot invoke one; nothing of the rotation is kept.
    sm.create_secret(Name="app", SecretString="v1")
    error = error_of(sm.rotate_secret, SecretId="app", RotationLambdaARN=lambda_arn,
                     RotationRules={"AutomaticallyAfterDays": 30})
    assert error["Code"] == "AccessDeniedException" and "cannot invoke" in error["Message"]
    described = sm.describe_secret(SecretId="app")
    assert not described.get("RotationEnabled") and "RotationLambdaARN" not in described
    assert error_of(sm.rotate_secret, SecretId="app")["Code"] == "InvalidRequestException"
    assert sm.get_secret_value(SecretId="app")["SecretString"] == "v1"


def test_rotation_killed_midway_completes_after_restart(kura_factory):
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    arn = create_managed(rds, "crashy", "postgres")
    first = password_of(sm, arn)
    version = sm.rotate_secret(SecretId=arn)["VersionId"]
    server.restart(sigkill=True)  # AWSPENDING saved, the engine's password change under way
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    wait_status(rds, "crashy", "available", timeout=180)
    # Completed by the server's own pass, with no call on the secret: read
    # from its store, not through the API (a read would complete it too).
    deadline = time.monotonic() + 30
    while stages_in_store(server, arn).get(version) != ["AWSCURRENT"]:
        assert time.monotonic() < deadline, stages_in_store(server, arn)
        time.sleep(0.3)
    wait_rotated(sm, arn, version)
    current = password_of(sm, arn)
    assert current != first and password_of(sm, arn, "AWSPREVIOUS") == first
    assert logs_in("postgres", rds, "crashy", current)
    assert not logs_in("postgres", rds, "crashy", first)


def test_aurora_cluster_master_secret_rotates(kura_factory):
    """An Aurora cluster's managed master password: the writer takes the new
    one; the secret goes with the cluster."""
    from rds_support import wait_cluster, wait_instances
    from test_rds_aurora import sql_at
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    created = rds.create_db_cluster(DBClusterIdentifier="aur", Engine="aurora-postgresql", MasterUsername="admin",
                                    ManageMasterUserPassword=True)["DBCluster"]
    arn = created["MasterUserSecret"]["SecretArn"]
    assert ":secret:rds!cluster-" in arn and created["MasterUserSecret"]["SecretStatus"] == "active"
    wait_cluster(rds, "aur")
    rds.create_db_instance(DBInstanceIdentifier="aur-1", DBClusterIdentifier="aur", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["aur-1"])
    cluster = rds.describe_db_clusters(DBClusterIdentifier="aur")["DBClusters"][0]
    assert cluster["MasterUserSecret"]["SecretArn"] == arn
    assert sm.describe_secret(SecretId=arn)["RotationEnabled"] is True
    first = password_of(sm, arn)

    def login(host, password):
        return sql_at(host, cluster["Port"], "SELECT 1", check=False, password=password) == "1"

    assert login(cluster["Endpoint"], first)
    version = sm.rotate_secret(SecretId=arn)["VersionId"]
    wait_rotated(sm, arn, version)
    second = password_of(sm, arn)
    assert second != first and login(cluster["Endpoint"], second) and not login(cluster["Endpoint"], first)
    error = error_of(rds.modify_db_cluster, DBClusterIdentifier="aur", MasterUserPassword="Another-pass1",
                     ApplyImmediately=True)
    assert error["Code"] == "InvalidParameterCombination"

    rds.delete_db_instance(DBInstanceIdentifier="aur-1", SkipFinalSnapshot=True)
    deadline = time.monotonic() + 120
    while rds.describe_db_clusters(DBClusterIdentifier="aur")["DBClusters"][0]["DBClusterMembers"]:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    rds.delete_db_cluster(DBClusterIdentifier="aur", SkipFinalSnapshot=True)
    assert error_of(sm.describe_secret, SecretId=arn)["Code"] == "ResourceNotFoundException"
