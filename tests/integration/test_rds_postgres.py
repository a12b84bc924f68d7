"""RDS on real PostgreSQL through boto3, the AWS CLI and psql: the data
written is read back, snapshots hold it, restores bring it back, and a point
in time restore has exactly what was committed by then."""
import datetime
import time

import botocore.exceptions
import pytest

from rds_support import PASSWORD, create_instance, endpoint, psql, wait_status


@pytest.fixture(scope="module")
def rds(kura_factory):
    server = kura_factory()
    return server.client("rds")


def test_create_connect_and_read_back(rds):
    create_instance(rds, "app")
    instance = rds.describe_db_instances(DBInstanceIdentifier="app")["DBInstances"][0]
    assert instance["Engine"] == "postgres"
    assert instance["DBInstanceArn"] == "arn:aws:rds:ap-northeast-1:000000000000:db:app"
    assert instance["MasterUsername"] == "admin"
    assert "MasterUserPassword" not in str(instance)
    psql(rds, "app", "CREATE TABLE t (id int primary key, v text); INSERT INTO t VALUES (1, 'one')")
    assert psql(rds, "app", "SELECT v FROM t WHERE id = 1") == "one"
    assert psql(rds, "app", "SELECT 1", password="wrong-password", check=False).returncode != 0
    events = rds.describe_events(SourceType="db-instance", SourceIdentifier="app")["Events"]
    messages = [e["Message"] for e in events]
    assert "DB instance created" in messages and "Finished DB Instance backup" in messages
    # In order, once each: the request, the first backup, the instance ready.
    assert messages.count("DB instance created") == 1
    assert messages.index("Creating DB instance") < messages.index("DB instance created")


def test_duplicate_identifier(rds):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.create_db_instance(DBInstanceIdentifier="app", Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20)
    assert info.value.response["Error"]["Code"] == "DBInstanceAlreadyExists"


def test_snapshot_holds_the_data_and_restore_brings_it_back(rds):
    psql(rds, "app", "CREATE TABLE snap (n int); INSERT INTO snap VALUES (1), (2)")
    rds.create_db_snapshot(DBInstanceIdentifier="app", DBSnapshotIdentifier="app-snap-20250630")
    wait_status(rds, "app-snap-20250630", "available", snapshot=True)
    psql(rds, "app", "INSERT INTO snap VALUES (3)")
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="app-restore",
                                             DBSnapshotIdentifier="app-snap-20250630")
    wait_status(rds, "app-restore", "available")
    assert psql(rds, "app-restore", "SELECT string_agg(n::text, ',' ORDER BY n) FROM snap") == "1,2"
    assert psql(rds, "app", "SELECT count(*) FROM snap") == "3"  # the source is untouched
    assert endpoint(rds, "app-restore") != endpoint(rds, "app")


def test_point_in_time_restore(rds):
    psql(rds, "app", "CREATE TABLE pitr (label text)")
    psql(rds, "app", "INSERT INTO pitr VALUES ('A')")
    time.sleep(1.2)
    target = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    time.sleep(1.2)
    psql(rds, "app", "INSERT INTO pitr VALUES ('B')")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        latest = rds.describe_db_instances(DBInstanceIdentifier="app")["DBInstances"][0].get("LatestRestorableTime")
        if latest and latest >= target:
            break
        time.sleep(0.5)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="app", TargetDBInstanceIdentifier="app-pitr",
                                             RestoreTime=target)
    wait_status(rds, "app-pitr", "available")
    assert psql(rds, "app-pitr", "SELECT string_agg(label, ',') FROM pitr") == "A"


def test_restore_time_outside_the_window(rds):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="app", TargetDBInstanceIdentifier="x",
                                                 RestoreTime=datetime.datetime(2001, 1, 1))
    assert info.value.response["Error"]["Code"] == "InvalidRestoreFault"


def test_modify_master_password_changes_the_real_password(rds):
    rds.modify_db_instance(DBInstanceIdentifier="app", MasterUserPassword="N3w-password", ApplyImmediately=True)
    wait_status(rds, "app", "available")
    assert psql(rds, "app", "SELECT 1", password="N3w-password") == "1"
    assert psql(rds, "app", "SELECT 1", check=False).returncode != 0
    rds.modify_db_instance(DBInstanceIdentifier="app", MasterUserPassword=PASSWORD, ApplyImmediately=True)
    wait_status(rds, "app", "available")


def test_stop_start_reboot_keep_the_data(rds):
    rds.stop_db_instance(DBInstanceIdentifier="app")
    wait_status(rds, "app", "stopped")
    assert psql(rds, "app", "SELECT 1", check=False).returncode != 0
    rds.start_db_instance(DBInstanceIdentifier="app")
    wait_status(rds, "app", "available")
    rds.reboot_db_instance(DBInstanceIdentifier="app")
    wait_status(rds, "app", "available")
    assert psql(rds, "app", "SELECT v FROM t WHERE id = 1") == "one"


def test_deletion_protection_and_final_snapshot(rds):
    create_instance(rds, "guarded", DeletionProtection=True, BackupRetentionPeriod=0)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.delete_db_instance(DBInstanceIdentifier="guarded", SkipFinalSnapshot=True)
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert psql(rds, "guarded", "SELECT 1") == "1"  # nothing changed
    rds.modify_db_instance(DBInstanceIdentifier="guarded", DeletionProtection=False, ApplyImmediately=True)
    psql(rds, "guarded", "CREATE TABLE keep (x int); INSERT INTO keep VALUES (42)")
    rds.delete_db_instance(DBInstanceIdentifier="guarded", FinalDBSnapshotIdentifier="guarded-final")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            rds.describe_db_instances(DBInstanceIdentifier="guarded")
            time.sleep(0.2)
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "DBInstanceNotFound"
            break
    wait_status(rds, "guarded-final", "available", snapshot=True)
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="guarded-back", DBSnapshotIdentifier="guarded-final")
    wait_status(rds, "guarded-back", "available")
    assert psql(rds, "guarded-back", "SELECT x FROM keep") == "42"


def test_tags_round_trip(rds):
    arn = rds.describe_db_instances(DBInstanceIdentifier="app")["DBInstances"][0]["DBInstanceArn"]
    rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "env", "Value": "prod"}])
    assert rds.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "env", "Value": "prod"}]
    rds.remove_tags_from_resource(ResourceName=arn, TagKeys=["env"])
    assert rds.list_tags_for_resource(ResourceName=arn)["TagList"] == []
