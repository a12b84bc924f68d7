"""RDS read replicas on real PostgreSQL: rows written on the source appear
on the replica, the replica refuses writes, and once promoted it takes
writes of its own and no longer follows the source."""
import datetime
import os
import signal
import subprocess
import time

import botocore.exceptions
import pytest

from rds_support import create_instance, psql, wait_status
from test_rds_multi_az import primary_pid


def wait_rows(rds, identifier, sql, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = psql(rds, identifier, sql, check=False)
        if value == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"{identifier}: {sql} gave {value!r}, not {wanted!r}")


def wait_first_backup(rds, identifier, timeout=60):
    """Automated backups just turned on: the first one is taken, then the instance is available."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snapshots = rds.describe_db_snapshots(DBInstanceIdentifier=identifier, SnapshotType="automated")["DBSnapshots"]
        if any(s["Status"] == "available" for s in snapshots):
            return wait_status(rds, identifier, "available")
        time.sleep(0.3)
    raise AssertionError(f"{identifier}: no automated backup")


def test_read_replica_follows_then_promotes(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "src", BackupRetentionPeriod=0)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.create_db_instance_read_replica(DBInstanceIdentifier="early", SourceDBInstanceIdentifier="src")
    assert info.value.response["Error"]["Code"] == "InvalidDBInstanceState"  # no automated backups yet
    rds.modify_db_instance(DBInstanceIdentifier="src", BackupRetentionPeriod=1, ApplyImmediately=True)
    wait_first_backup(rds, "src")
    psql(rds, "src", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
    rds.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier="src")
    wait_status(rds, "replica", "available")
    replica = rds.describe_db_instances(DBInstanceIdentifier="replica")["DBInstances"][0]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == "src"
    assert replica["StatusInfos"][0]["Status"] == "replicating"
    source = rds.describe_db_instances(DBInstanceIdentifier="src")["DBInstances"][0]
    assert source["ReadReplicaDBInstanceIdentifiers"] == ["replica"]

    psql(rds, "src", "INSERT INTO t VALUES (2)")
    wait_rows(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t", "1,2")
    # ReplicaLag in CloudWatch (AWS/RDS), as RDS reports it: the replica has caught up.
    cw = server.client("cloudwatch")
    deadline, points = time.monotonic() + 20, []
    while not points and time.monotonic() < deadline:
        now = datetime.datetime.now(datetime.timezone.utc)
        points = cw.get_metric_statistics(
            Namespace="AWS/RDS", MetricName="ReplicaLag", Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "replica"}],
            StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1), Period=60,
            Statistics=["Maximum", "SampleCount"])["Datapoints"]
        time.sleep(0.5)
    assert points and all(p["Unit"] == "Seconds" for p in points)
    assert 0 <= points[-1]["Maximum"] < 30
    metrics = cw.list_metrics(Namespace="AWS/RDS", MetricName="ReplicaLag")["Metrics"]
    assert metrics == [{"Namespace": "AWS/RDS", "MetricName": "ReplicaLag",
                        "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "replica"}]}]
    refused = psql(rds, "replica", "INSERT INTO t VALUES (99)", check=False)
    assert refused.returncode != 0 and "read-only" in refused.stderr

    rds.promote_read_replica(DBInstanceIdentifier="replica", BackupRetentionPeriod=0)
    wait_status(rds, "replica", "available")
    psql(rds, "replica", "INSERT INTO t VALUES (3)")
    psql(rds, "src", "INSERT INTO t VALUES (4)")
    time.sleep(1)
    assert psql(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t") == "1,2,3"
    assert psql(rds, "src", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t") == "1,2,4"
    promoted = rds.describe_db_instances(DBInstanceIdentifier="replica")["DBInstances"][0]
    assert "ReadReplicaSourceDBInstanceIdentifier" not in promoted
    assert rds.describe_db_instances(DBInstanceIdentifier="src")["DBInstances"][0]["ReadReplicaDBInstanceIdentifiers"] == []


def events_of(rds, identifier):
    return [e["Message"] for e in rds.describe_events(SourceType="db-instance", SourceIdentifier=identifier)["Events"]]


@pytest.mark.serial
def test_replica_follows_its_source_through_multi_az_and_is_promoted_when_the_source_goes(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "src", BackupRetentionPeriod=1)
    psql(rds, "src", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
    rds.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier="src")
    wait_status(rds, "replica", "available")
    wait_rows(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t", "1")

    # The source becomes Multi-AZ online: the replica follows its new primary,
    # and never counts as the synchronous standby.
    rds.modify_db_instance(DBInstanceIdentifier="src", MultiAZ=True, ApplyImmediately=True)
    wait_status(rds, "src", "available")
    standbys = psql(rds, "src", "SELECT string_agg(application_name || ':' || sync_state, ',' "
                                "ORDER BY application_name) FROM pg_stat_replication")
    assert "walreceiver:sync" in standbys, standbys
    psql(rds, "src", "INSERT INTO t VALUES (2)")
    wait_rows(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t", "1,2", timeout=60)
    standbys = psql(rds, "src", "SELECT string_agg(application_name || ':' || sync_state, ',' "
                                "ORDER BY application_name) FROM pg_stat_replication")
    assert standbys == "kura-replica-replica:async,walreceiver:sync", standbys

    # A failover of the source: the replica streams from the promoted standby.
    before = rds.describe_db_instances(DBInstanceIdentifier="src")["DBInstances"][0]
    rds.reboot_db_instance(DBInstanceIdentifier="src", ForceFailover=True)
    wait_status(rds, "src", "available")
    after = rds.describe_db_instances(DBInstanceIdentifier="src")["DBInstances"][0]
    assert (after["AvailabilityZone"], after["SecondaryAvailabilityZone"]) == \
        (before["SecondaryAvailabilityZone"], before["AvailabilityZone"])  # the zones swapped
    psql(rds, "src", "INSERT INTO t VALUES (3)")
    wait_rows(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t", "1,2,3", timeout=60)
    assert "Read replica now streams from the current primary of src" in events_of(rds, "replica")
    deadline, info = time.monotonic() + 20, None
    while time.monotonic() < deadline:  # seen again by the supervisor's next look
        info = rds.describe_db_instances(DBInstanceIdentifier="replica")["DBInstances"][0]["StatusInfos"][0]
        if info["Normal"]:
            break
        time.sleep(0.5)
    assert info == {"StatusType": "read replication", "Normal": True, "Status": "replicating"}

    # The source's primary is killed: the replica follows the standby that
    # takes over (or, had it got ahead of it, is rebuilt from it).
    pid, _ = primary_pid(server, "src")
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    once = "INSERT INTO t SELECT 4 WHERE NOT EXISTS (SELECT FROM t WHERE n = 4)"  # a retry may follow a lost answer
    while isinstance(psql(rds, "src", once, check=False), subprocess.CompletedProcess):
        assert time.monotonic() < deadline, "the source takes no writes after its primary was killed"
        time.sleep(0.3)
    wait_rows(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t", "1,2,3,4", timeout=90)

    # The source is deleted: as in RDS, its replica becomes a stand-alone
    # instance with every row the source had.
    psql(rds, "src", "INSERT INTO t VALUES (5)")
    rds.delete_db_instance(DBInstanceIdentifier="src", SkipFinalSnapshot=True)
    deadline = time.monotonic() + 90
    promoted = None
    while time.monotonic() < deadline:
        promoted = rds.describe_db_instances(DBInstanceIdentifier="replica")["DBInstances"][0]
        if "ReadReplicaSourceDBInstanceIdentifier" not in promoted and promoted["DBInstanceStatus"] == "available":
            break
        time.sleep(0.5)
    assert "ReadReplicaSourceDBInstanceIdentifier" not in promoted, promoted
    assert promoted["DBInstanceStatus"] == "available"
    assert "Promoted Read Replica to a stand-alone database instance" in events_of(rds, "replica")
    psql(rds, "replica", "INSERT INTO t VALUES (6)")
    assert psql(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t") == "1,2,3,4,5,6"
