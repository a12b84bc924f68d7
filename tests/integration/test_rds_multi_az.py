"""Multi-AZ RDS on real PostgreSQL: a synchronous standby in another zone
behind an endpoint Kura owns. A client writes numbered rows as fast as it
can through the endpoint while the primary is killed (SIGKILL), hung
(SIGSTOP) or loses its data directory; afterwards every acknowledged row
is there once, the endpoint takes writes again, and the old primary never
answers as a primary."""
import hashlib
import os
import shutil
import signal
import subprocess
import time

import pytest

from rds_support import PASSWORD, create_instance, endpoint, psql, wait_status
from steady_writer import SteadyWriter

psycopg = pytest.importorskip("psycopg2")


def connect(rds, identifier):
    host, port = endpoint(rds, identifier)
    return psycopg.connect(host=host, port=port, user="admin", password=PASSWORD, dbname="postgres",
                           connect_timeout=3)


def primary_pid(server, identifier):
    """The postmaster of the instance's current primary node, from its pid file."""
    for folder, _, files in os.walk(os.path.join(server.data_dir, "rds", "instances")):
        if "postmaster.pid" in files and "standby.signal" not in files:
            try:  # the server may remove its pid file between the walk and the read
                with open(os.path.join(folder, "postmaster.pid")) as f:
                    pid = int(f.readline())
                os.kill(pid, 0)
                return pid, folder
            except (OSError, ValueError):
                continue
    raise AssertionError("no running primary")


def check_rows(rds, identifier, writer):
    rows = psql(rds, identifier, "SELECT string_agg(n::text, ',' ORDER BY n) FROM acked").split(",")
    stored = [int(r) for r in rows if r]
    assert len(stored) == len(set(stored)), "a row appears twice"
    missing = set(writer.acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged rows lost"


@pytest.mark.serial
def test_failovers_keep_every_acknowledged_write(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "maz", MultiAZ=True, BackupRetentionPeriod=0)
    instance = rds.describe_db_instances(DBInstanceIdentifier="maz")["DBInstances"][0]
    assert instance["MultiAZ"] is True
    zones = {instance["AvailabilityZone"], instance["SecondaryAvailabilityZone"]}
    assert len(zones) == 2
    address = endpoint(rds, "maz")
    psql(rds, "maz", "CREATE TABLE acked (n int)")

    def connect_autocommit():
        connection = connect(rds, "maz")
        connection.autocommit = True
        return connection
    writer = SteadyWriter(connect_autocommit, "INSERT INTO acked (n) VALUES (%s)")
    writer.start()
    time.sleep(1)
    try:
        for fault in ("kill", "stop", "vanish", "kill", "planned"):
            pid, folder = primary_pid(server, "maz")
            before = len(writer.acked)
            if fault == "kill":
                os.kill(pid, signal.SIGKILL)
            elif fault == "stop":
                os.killpg(pid, signal.SIGSTOP)  # the whole server hangs, backends too
            elif fault == "vanish":
                # The primary's data directory is gone under the running
                # server (which may remove a file first: not an error).
                shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(folder, ignore_errors=True)
                assert not os.path.exists(folder)
            else:
                rds.reboot_db_instance(DBInstanceIdentifier="maz", ForceFailover=True)
            deadline = time.monotonic() + 30
            new_folder = folder
            while time.monotonic() < deadline and new_folder == folder:
                try:
                    _, new_folder = primary_pid(server, "maz")
                except AssertionError:
                    pass
                time.sleep(0.05)
            assert new_folder != folder, f"{fault}: the primary did not move"
            writer.wait_resumed(timeout=30)
            assert len(writer.acked) > before
            if fault == "stop":
                # The hung primary was fenced: it is gone, not merely stopped.
                with pytest.raises(OSError):
                    os.killpg(pid, signal.SIGCONT)
            if fault == "vanish":
                # Its server (and every backend working in the removed folder) was fenced.
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
                    time.sleep(0.1)
                assert not os.path.exists(f"/proc/{pid}"), "the server of the removed folder still runs"
            wait_status(rds, "maz", "available", timeout=60)
            # The standby is back before the next fault: the primary has it
            # as its synchronous standby (without one, a lost primary is
            # restarted where it is, not failed over).
            deadline = time.monotonic() + 90
            synchronous = "0"
            while time.monotonic() < deadline and synchronous != "1":
                answer = psql(rds, "maz", "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'",
                              check=False)
                synchronous = answer if isinstance(answer, str) else "0"
                time.sleep(0.2)
            assert synchronous == "1", f"{fault}: no standby was rebuilt"
            time.sleep(1)  # the supervisor records it as ready
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    assert endpoint(rds, "maz") == address  # the endpoint never moved
    check_rows(rds, "maz", writer)
    messages = [e["Message"] for e in rds.describe_events(SourceType="db-instance", SourceIdentifier="maz")["Events"]]
    assert messages.count("Multi-AZ instance failover completed.") >= 5
    # Nothing is left running once the instance is gone.
    rds.delete_db_instance(DBInstanceIdentifier="maz", SkipFinalSnapshot=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not rds.describe_db_instances()["DBInstances"]:
            break
        time.sleep(0.3)
    left = subprocess.run(["pgrep", "-f", os.path.join(server.data_dir, "rds")], capture_output=True, text=True)
    assert left.stdout.strip() == ""


def test_multi_az_is_turned_on_and_off_online(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "convert", BackupRetentionPeriod=0)
    address = endpoint(rds, "convert")
    psql(rds, "convert", "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2)")

    # On: the same endpoint, now behind Kura's proxy with a synchronous standby.
    out = rds.modify_db_instance(DBInstanceIdentifier="convert", MultiAZ=True, ApplyImmediately=True)
    assert out["DBInstance"]["DBInstanceStatus"] == "modifying"
    wait_status(rds, "convert", "available")
    instance = rds.describe_db_instances(DBInstanceIdentifier="convert")["DBInstances"][0]
    assert instance["MultiAZ"] is True and instance["SecondaryAvailabilityZone"]
    assert endpoint(rds, "convert") == address
    assert psql(rds, "convert", "SELECT count(*) FROM kept") == "2"
    standby = psql(rds, "convert", "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")
    assert standby == "1"
    # A planned failover works on the converted instance, and keeps the rows.
    psql(rds, "convert", "INSERT INTO kept VALUES (3)")
    rds.reboot_db_instance(DBInstanceIdentifier="convert", ForceFailover=True)
    wait_status(rds, "convert", "available")
    assert psql(rds, "convert", "SELECT count(*) FROM kept") == "3"

    # Off: a single engine on the same endpoint again, the rows still there.
    rds.modify_db_instance(DBInstanceIdentifier="convert", MultiAZ=False, ApplyImmediately=True)
    wait_status(rds, "convert", "available")
    instance = rds.describe_db_instances(DBInstanceIdentifier="convert")["DBInstances"][0]
    assert instance["MultiAZ"] is False and "SecondaryAvailabilityZone" not in instance
    assert endpoint(rds, "convert") == address
    psql(rds, "convert", "INSERT INTO kept VALUES (4)")
    assert psql(rds, "convert", "SELECT count(*) FROM kept") == "4"
    events = [e["Message"] for e in rds.describe_events(SourceType="db-instance", SourceIdentifier="convert")["Events"]]
    assert "Finished applying modification to convert to a Multi-AZ DB Instance" in events
    assert "Finished applying modification to convert to a standard (Single-AZ) DB Instance" in events
    rds.delete_db_instance(DBInstanceIdentifier="convert", SkipFinalSnapshot=True)
    deadline = time.monotonic() + 60
    left = ["convert"]
    while left and time.monotonic() < deadline:
        left = [i for i in rds.describe_db_instances()["DBInstances"] if i["DBInstanceIdentifier"] == "convert"]
        time.sleep(0.3)
    assert not left, "the converted instance was not deleted"


def test_a_deep_data_directory_still_serves_multi_az(kura_factory):
    """A Unix socket's path holds 107 bytes at most: under a deep data
    directory the instance's sockets go elsewhere, and both nodes start."""
    server = kura_factory(subdir="a-data-directory-as-deep-as-an-operator-may-choose/" + "x" * 40)
    rds = server.client("rds")
    create_instance(rds, "deep", MultiAZ=True, BackupRetentionPeriod=0)
    psql(rds, "deep", "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the standby streams synchronously
        if psql(rds, "deep", "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == "1":
            break
        time.sleep(0.5)
    assert psql(rds, "deep", "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == "1"
    assert psql(rds, "deep", "SELECT n FROM kept") == "7"
    # Each node's sockets are in a short directory of its own, removed with it.
    nodes = [folder for folder, dirs, _ in os.walk(os.path.join(server.data_dir, "rds", "instances")) if "pgdata" in dirs]
    assert len(nodes) == 2
    short = ["/tmp/kura-pg-" + hashlib.sha256(os.path.normpath(n).encode()).hexdigest()[:16] for n in nodes]
    assert all(os.path.isdir(d) for d in short), short
    rds.delete_db_instance(DBInstanceIdentifier="deep", SkipFinalSnapshot=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and rds.describe_db_instances()["DBInstances"]:
        time.sleep(0.2)
    assert not rds.describe_db_instances()["DBInstances"]
    assert not any(os.path.exists(d) for d in short), short
