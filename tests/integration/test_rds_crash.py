"""SIGKILL of `kura serve` in the middle of RDS work: after a restart the
work finishes (or is marked failed), nothing is half-made, and no engine is
left running without a Kura that knows it."""
import subprocess
import time

import pytest

from rds_support import create_instance, psql, wait_status


def postgres_processes(data_dir):
    result = subprocess.run(["pgrep", "-f", f"postgres -D {data_dir}"], capture_output=True, text=True)
    return [line for line in result.stdout.split() if line]


@pytest.mark.serial
def test_sigkill_during_snapshot_and_restore(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "crashy")
    psql(rds, "crashy", "CREATE TABLE k (n int); INSERT INTO k SELECT generate_series(1, 50000)")

    rds.create_db_snapshot(DBInstanceIdentifier="crashy", DBSnapshotIdentifier="crashy-snap")
    server.stop(sigkill=True)  # while the snapshot is being taken (or queued)
    server.start()
    rds = server.client("rds")
    wait_status(rds, "crashy-snap", "available", snapshot=True)
    assert psql(rds, "crashy", "SELECT count(*) FROM k") == "50000"  # the engine was adopted or restarted

    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="crashy-back", DBSnapshotIdentifier="crashy-snap")
    time.sleep(0.3)
    server.stop(sigkill=True)  # mid-restore
    server.start()
    rds = server.client("rds")
    wait_status(rds, "crashy-back", "available")
    assert psql(rds, "crashy-back", "SELECT count(*) FROM k") == "50000"


@pytest.mark.serial
def test_engines_are_adopted_after_sigkill_and_stopped_with_kura(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "adopted", BackupRetentionPeriod=0)
    psql(rds, "adopted", "CREATE TABLE a (x int); INSERT INTO a VALUES (7)")
    server.stop(sigkill=True)
    assert postgres_processes(server.data_dir), "the engine keeps serving while Kura restarts"
    server.start()
    rds = server.client("rds")
    wait_status(rds, "adopted", "available")
    assert psql(rds, "adopted", "SELECT x FROM a") == "7"
    assert server.stop() == 0
    deadline = time.monotonic() + 30
    while postgres_processes(server.data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert postgres_processes(server.data_dir) == []


@pytest.mark.serial
def test_corrupted_snapshot_fails_the_restore_and_nothing_else(kura_factory):
    import glob
    import os
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "src", BackupRetentionPeriod=0)
    rds.create_db_snapshot(DBInstanceIdentifier="src", DBSnapshotIdentifier="src-snap")
    wait_status(rds, "src-snap", "available", snapshot=True)
    [archive] = glob.glob(os.path.join(server.data_dir, "rds", "snapshots", "src-snap-*", "base", "base.tar.gz"))
    with open(archive, "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xFF]))
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="broken", DBSnapshotIdentifier="src-snap")
    wait_status(rds, "broken", "incompatible-restore")
    events = rds.describe_events(SourceType="db-instance", SourceIdentifier="broken")["Events"]
    assert any("checksum" in e["Message"] for e in events)
    assert psql(rds, "src", "SELECT 1") == "1"
    assert rds.describe_db_instances(DBInstanceIdentifier="src")["DBInstances"][0]["DBInstanceStatus"] == "available"


@pytest.mark.serial
def test_a_stop_cuts_a_long_snapshot_short_and_the_next_start_takes_it_again(kura_factory):
    """SIGTERM while pg_basebackup copies a large database: Kura does not
    wait for it (a service manager would kill a stop that outlasts its
    timeout); the step is not recorded, and the next start takes the
    snapshot again, whole."""
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "long", BackupRetentionPeriod=0)
    # About 300 MB that gzip halves at best: seconds of pg_basebackup -z.
    psql(rds, "long", "CREATE TABLE b AS SELECT i, repeat(md5(i::text) || md5((i + 1)::text), 12) AS pad "
                      "FROM generate_series(1, 400000) i")
    rds.create_db_snapshot(DBInstanceIdentifier="long", DBSnapshotIdentifier="long-snap")

    def copying():
        # Its copy goes into the snapshot's folder under the data directory.
        found = subprocess.run(["pgrep", "-f", f"pg_basebackup .* -D {server.data_dir}/"], capture_output=True,
                               text=True)
        return found.stdout.split()

    deadline = time.monotonic() + 60
    while not copying() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert copying(), "pg_basebackup never ran"
    started = time.monotonic()
    assert server.stop() == 0
    stopped_in = time.monotonic() - started
    assert "a step cut short by the stop runs again at the next start" in server.read_log()
    assert not copying(), "the tool outlived Kura"
    assert stopped_in < 20, stopped_in

    server.start()
    rds = server.client("rds")
    wait_status(rds, "long-snap", "available", snapshot=True)
    events = rds.describe_events(SourceType="db-snapshot", SourceIdentifier="long-snap")["Events"]
    assert not [e for e in events if "fail" in e["Message"].lower()], events
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="long-back", DBSnapshotIdentifier="long-snap")
    wait_status(rds, "long-back", "available")
    assert psql(rds, "long-back", "SELECT count(*) FROM b") == "400000"
