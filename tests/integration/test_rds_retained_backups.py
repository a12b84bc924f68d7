"""Automated backups a deleted instance keeps (DeleteDBInstance with
DeleteAutomatedBackups false), as RDS keeps them: listed by
DescribeDBInstanceAutomatedBackups ("retained", beside live instances'
"active"); a point-in-time restore from them, by DbiResourceId or by their
ARN, to the latest time or a given one, brings back the rows written
before the deletion, even once a new instance has taken the name; and
DeleteDBInstanceAutomatedBackup removes them and nothing of the new one's."""
import os
import time

import botocore.exceptions
import pytest

from rds_support import create_instance, psql, wait_restorable, wait_status


def backups(rds, **params):
    return {b["DBInstanceIdentifier"]: b for b in rds.describe_db_instance_automated_backups(**params)[
        "DBInstanceAutomatedBackups"]}


def error_code(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"]


def wait_gone(rds, name, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if name not in {i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]}:
            return
        time.sleep(0.2)
    raise AssertionError(f"{name} is not deleted")


def automated_of(rds, dbi):
    return [s for s in rds.describe_db_snapshots(SnapshotType="automated")["DBSnapshots"]
            if s["DbiResourceId"] == dbi and s["Status"] == "available"]


def test_a_deleted_instances_kept_backups_restore_to_a_point_in_time(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "kept")
    create_instance(rds, "gone")
    create_instance(rds, "plain", BackupRetentionPeriod=0)
    psql(rds, "kept", "CREATE TABLE t (v text); INSERT INTO t VALUES ('before the deletion')")
    wait_restorable(rds, "kept", time.time())
    live = backups(rds)
    assert set(live) == {"kept", "gone"} and {b["Status"] for b in live.values()} == {"active"}
    dbi = live["kept"]["DbiResourceId"]
    arn = live["kept"]["DBInstanceAutomatedBackupsArn"]
    assert arn.startswith("arn:aws:rds:") and ":auto-backup:ab-" in arn
    assert error_code(rds.delete_db_instance_automated_backup, DbiResourceId=dbi) == \
        "InvalidDBInstanceAutomatedBackupState"  # a live instance's

    rds.delete_db_instance(DBInstanceIdentifier="kept", SkipFinalSnapshot=True, DeleteAutomatedBackups=False)
    rds.delete_db_instance(DBInstanceIdentifier="gone", SkipFinalSnapshot=True)
    for name in ("kept", "gone"):
        wait_gone(rds, name)
    kept = backups(rds)
    assert set(kept) == {"kept"}
    assert (kept["kept"]["Status"], kept["kept"]["DbiResourceId"], kept["kept"]["Engine"]) == (
        "retained", dbi, "postgres")
    window = kept["kept"]["RestoreWindow"]
    assert window["LatestTime"].timestamp() >= live["kept"]["RestoreWindow"]["LatestTime"].timestamp()
    assert backups(rds, Filters=[{"Name": "status", "Values": ["active"]}]) == {}
    assert set(backups(rds, DbiResourceId=dbi)) == {"kept"}
    archive = os.path.join(server.data_dir, "rds", "wal", dbi)
    assert os.path.isdir(archive) and automated_of(rds, dbi)

    # A new instance takes the name (and so the ARN): the kept backups stay
    # the old one's, for restores and for their deletion.
    create_instance(rds, "kept")
    psql(rds, "kept", "CREATE TABLE t (v text); INSERT INTO t VALUES ('the new one')")
    new_dbi = backups(rds, Filters=[{"Name": "status", "Values": ["active"]}])["kept"]["DbiResourceId"]
    assert new_dbi != dbi
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not automated_of(rds, new_dbi):
        time.sleep(0.2)
    assert automated_of(rds, new_dbi)

    rds.restore_db_instance_to_point_in_time(SourceDbiResourceId=dbi, TargetDBInstanceIdentifier="back",
                                             UseLatestRestorableTime=True)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceAutomatedBackupsArn=arn,
                                             TargetDBInstanceIdentifier="back-by-arn",
                                             RestoreTime=window["LatestTime"])
    for name in ("back", "back-by-arn"):
        wait_status(rds, name, "available")
        assert psql(rds, name, "SELECT string_agg(v, ',') FROM t") == "before the deletion"
    restored = rds.describe_db_instances(DBInstanceIdentifier="back")["DBInstances"][0]
    assert restored["DbiResourceId"] not in (dbi, new_dbi)
    assert error_code(rds.restore_db_instance_to_point_in_time, SourceDbiResourceId="db-NOSUCHRESOURCE",
                      UseLatestRestorableTime=True, TargetDBInstanceIdentifier="nope") == \
        "DBInstanceAutomatedBackupNotFound"

    # Deleted: the record, its automated snapshots and its WAL archive go;
    # the new instance's backups stay.
    deleted = rds.delete_db_instance_automated_backup(DbiResourceId=dbi)["DBInstanceAutomatedBackup"]
    assert (deleted["DbiResourceId"], deleted["Status"]) == (dbi, "deleting")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (backups(rds, Filters=[{"Name": "status", "Values": ["retained", "deleting"]}])
                                           or os.path.exists(archive) or automated_of(rds, dbi)):
        time.sleep(0.2)
    assert not os.path.exists(archive) and not automated_of(rds, dbi)
    assert error_code(rds.describe_db_instance_automated_backups, DbiResourceId=dbi) == \
        "DBInstanceAutomatedBackupNotFound"
    assert error_code(rds.delete_db_instance_automated_backup, DbiResourceId=dbi) == \
        "DBInstanceAutomatedBackupNotFound"
    assert automated_of(rds, new_dbi)
    assert psql(rds, "kept", "SELECT v FROM t") == "the new one"
    assert {b["Status"] for b in backups(rds).values()} == {"active"}  # the live ones' own
