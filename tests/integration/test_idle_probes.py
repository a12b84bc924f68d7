"""An idle fleet starts no client process in Kura: the probes of every pass
(is all of a PostgreSQL instance's WAL archived, how far its read replica
is behind, does a Redis node answer, its INFO for the metrics) go over
connections of Kura's own, not through psql or redis-cli, each a fork of
Kura's process (bench/idle_fleet.py measures what they cost)."""
import os
import re
import shutil
import subprocess
import time

import pytest

from rds_support import create_instance, wait_status
from test_elasticache import create_cluster, redis
from test_metrics import wait_value

STRACE = shutil.which("strace")
EXEC = re.compile(r'execve\("(?P<program>[^"]+)"')


def programs_started(pid, seconds, meanwhile=None):
    """The programs the process and its children start over `seconds`
    (`meanwhile` called once attached)."""
    tracer = subprocess.Popen([STRACE, "-f", "-qq", "-e", "trace=execve", "-p", str(pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1)  # attached to every thread
    if meanwhile:
        meanwhile()
    time.sleep(seconds)
    assert tracer.poll() is None, "strace could not attach"
    tracer.terminate()
    _, trace = tracer.communicate(timeout=30)
    return [os.path.basename(m.group("program")) for m in EXEC.finditer(trace)]


@pytest.mark.skipif(STRACE is None, reason="strace is not installed")
def test_an_idle_fleet_is_probed_without_starting_clients(kura_factory):
    server = kura_factory()
    rds, ec = server.client("rds"), server.client("elasticache")
    create_instance(rds, "quiet")  # BackupRetentionPeriod 1: Kura follows its WAL archive
    rds.create_db_instance_read_replica(DBInstanceIdentifier="quiet-replica", SourceDBInstanceIdentifier="quiet")
    wait_status(rds, "quiet-replica", "available", timeout=180)
    cluster = create_cluster(ec, "quiet-cache")
    assert redis(cluster, "PING") == "PONG"
    # Settled: the instance's first backup taken, its archive followed.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        instance = rds.describe_db_instances(DBInstanceIdentifier="quiet")["DBInstances"][0]
        if instance["DBInstanceStatus"] == "available" and "LatestRestorableTime" in instance:
            break
        time.sleep(0.5)
    assert "LatestRestorableTime" in instance

    started = programs_started(server.proc.pid, 12)
    assert not [p for p in started if p in ("psql", "redis-cli")], started
    # The trace sees what Kura does start: a new master password is set
    # with psql.
    started = programs_started(server.proc.pid, 5, lambda: rds.modify_db_instance(
        DBInstanceIdentifier="quiet", MasterUserPassword="another-password-1", ApplyImmediately=True))
    assert "psql" in started, started
    wait_status(rds, "quiet", "available")

    # What the probes read is there: the replica's lag, the node up, and
    # the idle instance's window moving (its archive seen to hold everything).
    wait_value(server, lambda lag: lag >= 0, "kura_replication_lag_seconds", name="quiet-replica")
    wait_value(server, lambda up: up == 1, "kura_engine_up", name="quiet-cache")
    wait_value(server, lambda up: up == 1, "kura_engine_up", name="quiet")
    before = rds.describe_db_instances(DBInstanceIdentifier="quiet")["DBInstances"][0]["LatestRestorableTime"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = rds.describe_db_instances(DBInstanceIdentifier="quiet")["DBInstances"][0]["LatestRestorableTime"]
        if after > before:
            break
        time.sleep(0.5)
    assert after > before
