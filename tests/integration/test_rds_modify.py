"""ModifyDBInstance as RDS applies it: the instance class, storage,
Multi-AZ and turning backups on or off wait for the weekly maintenance
window unless ApplyImmediately (PendingModifiedValues shows them); they are
applied when the window opens, or with the next immediate modification."""
import datetime
import time

from rds_support import create_instance, psql, wait_status

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def weekly(at):
    return f"{DAYS[at.weekday()]}:{at:%H:%M}"


def describe(rds, identifier):
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_modifications_wait_for_the_maintenance_window(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    now = datetime.datetime.now(datetime.timezone.utc)
    # A window that is not now (it opens in three days).
    later = now + datetime.timedelta(days=3)
    create_instance(rds, "mod", BackupRetentionPeriod=0,
                    PreferredMaintenanceWindow=f"{weekly(later)}-{weekly(later + datetime.timedelta(hours=1))}")
    psql(rds, "mod", "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)")

    out = rds.modify_db_instance(DBInstanceIdentifier="mod", DBInstanceClass="db.t3.small")["DBInstance"]
    assert out["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.small"}
    assert out["DBInstanceClass"] == "db.t3.micro"
    rds.modify_db_instance(DBInstanceIdentifier="mod", MultiAZ=True, BackupRetentionPeriod=1)
    rds.modify_db_instance(DBInstanceIdentifier="mod", PreferredBackupWindow="03:00-04:00")  # applies at once
    instance = describe(rds, "mod")
    assert instance["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.small", "MultiAZ": True,
                                                 "BackupRetentionPeriod": 1}
    assert instance["MultiAZ"] is False and instance["BackupRetentionPeriod"] == 0
    assert instance["PreferredBackupWindow"] == "03:00-04:00"
    # Back to what it is: nothing waits for that one any more.
    rds.modify_db_instance(DBInstanceIdentifier="mod", DBInstanceClass="db.t3.micro")
    time.sleep(2)  # the supervisor looks every second: nothing may happen outside the window
    instance = describe(rds, "mod")
    assert instance["PendingModifiedValues"] == {"MultiAZ": True, "BackupRetentionPeriod": 1}
    assert instance["DBInstanceStatus"] == "available" and instance["MultiAZ"] is False

    # The window opens (it is moved to now): what waited is applied.
    start = now - datetime.timedelta(minutes=5)
    rds.modify_db_instance(DBInstanceIdentifier="mod",
                           PreferredMaintenanceWindow=f"{weekly(start)}-{weekly(start + datetime.timedelta(hours=1))}")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        instance = describe(rds, "mod")
        if instance["MultiAZ"] and instance["DBInstanceStatus"] == "available" and not instance["PendingModifiedValues"]:
            break
        time.sleep(0.5)
    assert instance["MultiAZ"] is True and instance["BackupRetentionPeriod"] == 1, instance
    assert instance["PendingModifiedValues"] == {}
    assert psql(rds, "mod", "SELECT count(*) FROM kept") == "1"
    events = [e["Message"] for e in rds.describe_events(SourceType="db-instance", SourceIdentifier="mod")["Events"]]
    assert "Applied the modifications pending for the maintenance window: BackupRetentionPeriod, MultiAZ" in events

    # Retention on: the first automated backup is taken at once (the
    # instance is backing-up, and refuses changes, until it is done).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        snapshots = rds.describe_db_snapshots(DBInstanceIdentifier="mod", SnapshotType="automated")["DBSnapshots"]
        if [s for s in snapshots if s["Status"] == "available"] and describe(rds, "mod")["DBInstanceStatus"] == "available":
            break
        time.sleep(0.5)
    assert describe(rds, "mod")["DBInstanceStatus"] == "available"

    # An immediate modification applies what waits with it.
    rds.modify_db_instance(DBInstanceIdentifier="mod",
                           PreferredMaintenanceWindow=f"{weekly(later)}-{weekly(later + datetime.timedelta(hours=1))}")
    assert rds.modify_db_instance(DBInstanceIdentifier="mod", AllocatedStorage=30)["DBInstance"][
        "PendingModifiedValues"] == {"AllocatedStorage": 30}
    out = rds.modify_db_instance(DBInstanceIdentifier="mod", CopyTagsToSnapshot=True, ApplyImmediately=True)["DBInstance"]
    assert out["AllocatedStorage"] == 30 and out["PendingModifiedValues"] == {} and out["CopyTagsToSnapshot"] is True
