"""Automated backups a deleted instance keeps (DeleteDBInstance with
DeleteAutomatedBackups false), as RDS keeps them: listed by
DescribeDBInstanceAutomatedBackups ("retained", beside live instances'
"active"), and a point-in-time restore from them, by DbiResourceId or by
their ARN, brings back the rows written before the deletion."""
import os
import time

import botocore.exceptions
import pytest

from rds_support import create_instance, psql, wait_restorable, wait_status


def backups(rds, **params):
    return {b["DBInstanceIdentifier"]: b for b in rds.describe_db_instance_automated_backups(**params)[
        "DBInstanceAutomatedBackups"]}


def wait_gone(rds, name, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if name not in {i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]}:
            return
        time.sleep(0.2)
    raise AssertionError(f"{name} is not deleted")


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

    rds.delete_db_instance(DBInstanceIdentifier="kept", SkipFinalSnapshot=True, DeleteAutomatedBackups=False)
    rds.delete_db_instance(DBInstanceIdentifier="gone", SkipFinalSnapshot=True)
    for name in ("kept", "gone"):
        wait_gone(rds, name)
    kept = backups(rds)
    assert set(kept) == {"kept"}
    assert (kept["kept"]["Status"], kept["kept"]["DbiResourceId"], kept["kept"]["Engine"]) == (
        "retained", dbi, "postgres")
    window = kept["kept"]["RestoreWindow"]
    assert window["EarliestTime"] <= window["LatestTime"]
    assert backups(rds, Filters=[{"Name": "status", "Values": ["active"]}]) == {}
    assert set(backups(rds, DbiResourceId=dbi)) == {"kept"}

    rds.restore_db_instance_to_point_in_time(SourceDbiResourceId=dbi, TargetDBInstanceIdentifier="back",
                                             UseLatestRestorableTime=True)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceAutomatedBackupsArn=arn,
                                             TargetDBInstanceIdentifier="back-by-arn", UseLatestRestorableTime=True)
    for name in ("back", "back-by-arn"):
        wait_status(rds, name, "available")
        assert psql(rds, name, "SELECT v FROM t") == "before the deletion"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.restore_db_instance_to_point_in_time(SourceDbiResourceId="db-NOSUCHRESOURCE", UseLatestRestorableTime=True,
                                                 TargetDBInstanceIdentifier="nope")
    assert info.value.response["Error"]["Code"] == "DBInstanceAutomatedBackupNotFound"

    # Deleted: the record, the automated snapshots and the WAL archive go.
    automated = [s for s in rds.describe_db_snapshots(SnapshotType="automated")["DBSnapshots"]
                 if s["DBInstanceIdentifier"] == "kept"]
    assert automated
    archive = os.path.join(server.data_dir, "rds", "wal", dbi)
    assert os.path.isdir(archive)
    deleted = rds.delete_db_instance_automated_backup(DbiResourceId=dbi)["DBInstanceAutomatedBackup"]
    assert (deleted["DbiResourceId"], deleted["Status"]) == (dbi, "deleting")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and ("kept" in backups(rds) or os.path.exists(archive) or [
            s for s in rds.describe_db_snapshots(SnapshotType="automated")["DBSnapshots"]
            if s["DBInstanceIdentifier"] == "kept"]):
        time.sleep(0.2)
    assert "kept" not in backups(rds) and not os.path.exists(archive)
    assert backups(rds, Filters=[{"Name": "status", "Values": ["retained"]}]) == {}
    assert {b["Status"] for b in backups(rds).values()} == {"active"}  # the restored instances' own
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.delete_db_instance_automated_backup(DbiResourceId=dbi)
    assert info.value.response["Error"]["Code"] == "DBInstanceAutomatedBackupNotFound"
    # The restored instances are their own, with their own backups.
    assert psql(rds, "back", "SELECT count(*) FROM t") == "1"
