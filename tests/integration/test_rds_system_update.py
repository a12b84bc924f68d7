"""Pending system updates: a PostgreSQL or MariaDB package upgrade puts a
new server executable in place, and a server started before it runs the
old one until it restarts. Kura notices (DescribePendingMaintenanceActions
lists a "system-update" for the instance, with an event) and applies it as
RDS does (ApplyPendingMaintenanceAction: in the next maintenance window, or
at once), restarting the servers on the installed executable; a Multi-AZ
instance's standby first, then a failover to it, so that no acknowledged
write is lost.

The upgrade is made as dpkg would make it, seen by Kura alone: Kura runs in
a mount namespace of its own, where a copy of the executable is bind-mounted
over the installed path (a new file there, the same program)."""
import datetime
import glob
import os
import shutil
import subprocess

import pytest

psycopg2 = pytest.importorskip("psycopg2")

from rds_support import PASSWORD, create_instance, endpoint, psql, wait_status
from steady_writer import SteadyWriter
from test_kura_check import find, results_of
from test_rds_aurora import error_code, eventually

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"),
    reason="needs root, unshare and nsenter: the engine's executable is replaced in a mount namespace of Kura's own")


def postgres_executable():
    return sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))[-1]


def kura_in_its_own_mounts(kura_factory, extra_args=()):
    server = kura_factory(list(extra_args), start=False)
    server.prefix = ["unshare", "--mount", "--propagation", "private", "--"]
    return server.start()


def upgrade(server, installed):
    """A new file at the executable's path, in Kura's mount namespace only."""
    copy = os.path.join(os.path.dirname(server.data_dir), f"upgraded-{os.path.basename(server.data_dir)}-"
                        + os.path.basename(installed))
    shutil.copy2(installed, copy)
    subprocess.run(["nsenter", "--mount", "--target", str(server.proc.pid), "mount", "--bind", copy, installed],
                   check=True)


def window_days_away(days):
    """A weekly maintenance window of an hour that opens `days` days from now."""
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    end = start + datetime.timedelta(hours=1)
    return f"{start:%a:%H:%M}-{end:%a:%H:%M}".lower(), start


def postmasters_running(server, executable):
    """The PostgreSQL servers of this Kura (by their data directories) and
    whether each runs the file now at `executable` (as Kura sees it)."""
    installed = os.stat(f"/proc/{server.proc.pid}/root{executable}")
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            running = os.stat(f"/proc/{pid}/exe")
        except OSError:
            continue
        if b"-D" in argv and server.data_dir.encode() in b" ".join(argv):
            data = argv[argv.index(b"-D") + 1].decode()
            found[data] = (running.st_dev, running.st_ino) == (installed.st_dev, installed.st_ino)
    return found


def pending(rds, **params):
    return rds.describe_pending_maintenance_actions(**params)["PendingMaintenanceActions"]


def test_a_replaced_executable_is_a_pending_system_update_applied_on_request(kura_factory):
    # Applied only when asked (no automatic date): nothing schedules it.
    server = kura_in_its_own_mounts(kura_factory, ["--rds-system-update-auto-apply-seconds", "0"])
    rds = server.client("rds")
    window, opens = window_days_away(3)
    create_instance(rds, "patched", PreferredMaintenanceWindow=window)
    create_instance(rds, "other")
    psql(rds, "patched", "CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)")
    arn = rds.describe_db_instances(DBInstanceIdentifier="patched")["DBInstances"][0]["DBInstanceArn"]
    assert pending(rds) == []
    apply = rds.apply_pending_maintenance_action
    assert error_code(apply, ResourceIdentifier=arn, ApplyAction="system-update",
                      OptInType="immediate") == "InvalidParameterValue"  # nothing pending
    assert error_code(apply, ResourceIdentifier=arn.replace("patched", "nope"), ApplyAction="system-update",
                      OptInType="immediate") == "ResourceNotFoundFault"
    assert error_code(rds.describe_pending_maintenance_actions,
                      ResourceIdentifier=arn.replace("patched", "nope")) == "ResourceNotFoundFault"

    installed = postgres_executable()
    upgrade(server, installed)
    # Both instances run the old executable: each has its update.
    eventually(lambda: [p["ResourceIdentifier"].rsplit(":", 1)[1] for p in pending(rds)] == ["other", "patched"],
               "a pending system update for each instance", timeout=30)
    [mine] = pending(rds, ResourceIdentifier=arn)
    [detail] = mine["PendingMaintenanceActionDetails"]
    assert detail["Action"] == "system-update" and "older executable" in detail["Description"]
    assert "OptInStatus" not in detail and "AutoAppliedAfterDate" not in detail and "CurrentApplyDate" not in detail
    assert [p["ResourceIdentifier"] for p in pending(rds, Filters=[{"Name": "db-instance-id", "Values": ["patched"]}])] \
        == [arn]
    events = rds.describe_events(SourceType="db-instance", SourceIdentifier="patched")["Events"]
    assert any("system update is available" in e["Message"] for e in events)

    # kura check (runbook 4.1: patches applied): the update nobody scheduled
    # fails, and the fix it prints, run by the AWS CLI, schedules it.
    _, report = results_of(server.endpoint)
    [result] = find(report, "rds-pending-maintenance", arn)
    assert result["status"] == "failed" and "system-update" in result["detail"], result
    assert find(report, "rds-pending-maintenance", ":db:other")[0]["status"] == "failed"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_PAGER="")
    subprocess.run(["/usr/bin/aws" if os.path.exists("/usr/bin/aws") else "aws", *result["fix"].split()[1:]],
                   check=True, env=env, capture_output=True, timeout=60)
    _, report = results_of(server.endpoint)
    assert find(report, "rds-pending-maintenance", arn)[0]["status"] == "passed"

    # In the next window (three days from now), then not after all.
    [detail] = pending(rds, ResourceIdentifier=arn)[0]["PendingMaintenanceActionDetails"]
    assert detail["OptInStatus"] == "next-maintenance"
    assert abs(detail["CurrentApplyDate"] - opens.replace(second=0, microsecond=0)) < datetime.timedelta(minutes=1)
    answer = apply(ResourceIdentifier=arn, ApplyAction="system-update", OptInType="undo-opt-in")
    assert "OptInStatus" not in answer["ResourcePendingMaintenanceActions"]["PendingMaintenanceActionDetails"][0]
    assert error_code(apply, ResourceIdentifier=arn, ApplyAction="db-upgrade",
                      OptInType="immediate") == "InvalidParameterValue"
    assert error_code(apply, ResourceIdentifier=arn, ApplyAction="system-update",
                      OptInType="soon") == "InvalidParameterValue"

    # At once: restarted on the installed executable, the data kept; the
    # other instance still has its update.
    apply(ResourceIdentifier=arn, ApplyAction="system-update", OptInType="immediate")
    assert rds.describe_db_instances(DBInstanceIdentifier="patched")["DBInstances"][0]["DBInstanceStatus"] in (
        "rebooting", "available")
    wait_status(rds, "patched", "available")
    eventually(lambda: [p["ResourceIdentifier"] for p in pending(rds)] == [arn.replace("patched", "other")],
               "only the other instance's update left", timeout=30)
    assert psql(rds, "patched", "SELECT sum(n) FROM t") == "3"
    events = rds.describe_events(SourceType="db-instance", SourceIdentifier="patched")["Events"]
    assert any("Applied the system update" in e["Message"] for e in events)
    # And it stays applied: the server runs what is installed.
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=12)
    while datetime.datetime.now() < deadline:
        assert pending(rds, ResourceIdentifier=arn) == []


def test_an_update_nobody_asked_for_is_applied_in_the_first_window_after_its_date(kura_factory):
    """RDS applies a required update in the first maintenance window after
    its AutoAppliedAfterDate; Kura does the same a configured time after it
    noticed the update (here 60 s; 14 days by default)."""
    server = kura_in_its_own_mounts(kura_factory, ["--rds-system-update-auto-apply-seconds", "60"])
    rds = server.client("rds")
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    end = start + datetime.timedelta(hours=1)
    open_now = f"{start:%a:%H:%M}-{end:%a:%H:%M}".lower()
    closed, opens = window_days_away(3)
    create_instance(rds, "auto", PreferredMaintenanceWindow=open_now)
    create_instance(rds, "later", PreferredMaintenanceWindow=closed)
    psql(rds, "auto", "CREATE TABLE t (n int); INSERT INTO t VALUES (5), (6)")
    upgraded = datetime.datetime.now(datetime.timezone.utc)
    upgrade(server, postgres_executable())
    eventually(lambda: len(pending(rds)) == 2, "both instances' updates", timeout=30)
    noticed = datetime.datetime.now(datetime.timezone.utc)
    details = {p["ResourceIdentifier"].rsplit(":", 1)[1]: p["PendingMaintenanceActionDetails"][0] for p in pending(rds)}
    for name, detail in details.items():
        assert "OptInStatus" not in detail, detail
        after = detail["AutoAppliedAfterDate"]
        assert upgraded - datetime.timedelta(seconds=1) <= after - datetime.timedelta(seconds=60) <= noticed, detail
    # The open window applies it once the date has passed; the closed one
    # when it opens.
    assert details["auto"]["CurrentApplyDate"] == details["auto"]["AutoAppliedAfterDate"]
    assert abs(details["later"]["CurrentApplyDate"] - opens.replace(second=0, microsecond=0)) < \
        datetime.timedelta(minutes=1)
    # kura check: an update with a date is scheduled.
    _, report = results_of(server.endpoint)
    assert find(report, "rds-pending-maintenance", ":db:later")[0]["status"] == "passed"
    # An undo-opt-in takes back an opt-in, not the automatic date.
    arn = rds.describe_db_instances(DBInstanceIdentifier="later")["DBInstances"][0]["DBInstanceArn"]
    answer = rds.apply_pending_maintenance_action(ResourceIdentifier=arn, ApplyAction="system-update",
                                                  OptInType="undo-opt-in")
    assert "AutoAppliedAfterDate" in answer["ResourcePendingMaintenanceActions"]["PendingMaintenanceActionDetails"][0]

    eventually(lambda: [p["ResourceIdentifier"].rsplit(":", 1)[1] for p in pending(rds)] == ["later"],
               "the update applied by itself in the open window", timeout=150)
    wait_status(rds, "auto", "available")
    assert psql(rds, "auto", "SELECT sum(n) FROM t") == "11"
    events = rds.describe_events(SourceType="db-instance", SourceIdentifier="auto")["Events"]
    assert any("Applied the system update" in e["Message"] for e in events)
    # One server runs the installed executable (the updated one), one the old.
    running = postmasters_running(server, postgres_executable())
    assert sorted(running.values()) == [False, True], running
    assert rds.describe_db_instances(DBInstanceIdentifier="later")["DBInstances"][0]["DBInstanceStatus"] == "available"


def test_a_multi_az_instance_is_updated_standby_first_without_losing_a_write(kura_factory):
    server = kura_in_its_own_mounts(kura_factory)
    rds = server.client("rds")
    create_instance(rds, "pair", MultiAZ=True)
    psql(rds, "pair", "CREATE TABLE acked (n int PRIMARY KEY)")
    arn = rds.describe_db_instances(DBInstanceIdentifier="pair")["DBInstances"][0]["DBInstanceArn"]
    executable = postgres_executable()
    upgrade(server, executable)
    eventually(lambda: pending(rds, ResourceIdentifier=arn), "a pending system update", timeout=30)
    before = postmasters_running(server, executable)
    assert len(before) == 2 and not any(before.values()), before  # both nodes on the old executable

    host, port = endpoint(rds, "pair")

    def connect():
        connection = psycopg2.connect(host=host, port=port, user="admin", password=PASSWORD, dbname="postgres",
                                      connect_timeout=3)
        connection.autocommit = True  # each row acknowledged by its own commit
        return connection

    writer = SteadyWriter(connect, "INSERT INTO acked (n) VALUES (%s)")
    writer.start()
    try:
        writer.wait_resumed()
        rds.apply_pending_maintenance_action(ResourceIdentifier=arn, ApplyAction="system-update",
                                             OptInType="immediate")
        wait_status(rds, "pair", "available", timeout=240)
        writer.wait_resumed()
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    events = [e["Message"] for e in rds.describe_events(SourceType="db-instance", SourceIdentifier="pair")["Events"]]
    assert any("failover completed" in m for m in events), events
    # Every acknowledged write is there, through the new primary.
    stored = {int(n) for n in psql(rds, "pair", "SELECT n FROM acked").split()}
    missing = set(writer.acked) - stored
    assert not missing, f"{len(missing)} acknowledged writes lost"
    # Both nodes run the installed executable (the old primary rebuilt as
    # the standby, on it), and nothing stays pending.
    eventually(lambda: (lambda now: len(now) == 2 and all(now.values()))(postmasters_running(server, executable)),
               "both nodes on the installed executable", timeout=120)
    eventually(lambda: pending(rds) == [], "no update left", timeout=30)


@pytest.mark.skipif(not os.path.exists("/usr/sbin/mariadbd"), reason="no MariaDB server installed")
def test_a_mariadb_instance_is_updated_too(kura_factory):
    from test_rds_mariadb import create, query  # pymysql, as the MariaDB tests use it
    server = kura_in_its_own_mounts(kura_factory)
    rds = server.client("rds")
    create(rds, "maria", "mariadb")
    wait_status(rds, "maria", "available")
    query(rds, "maria", "CREATE DATABASE d")
    query(rds, "maria", "CREATE TABLE d.t (n int)")
    query(rds, "maria", "INSERT INTO d.t VALUES (7)")
    arn = rds.describe_db_instances(DBInstanceIdentifier="maria")["DBInstances"][0]["DBInstanceArn"]
    upgrade(server, "/usr/sbin/mariadbd")
    [found] = eventually(lambda: pending(rds), "a pending system update", timeout=30)
    assert found["PendingMaintenanceActionDetails"][0]["Action"] == "system-update"
    rds.apply_pending_maintenance_action(ResourceIdentifier=arn, ApplyAction="system-update", OptInType="immediate")
    wait_status(rds, "maria", "available")
    eventually(lambda: pending(rds) == [], "no update left", timeout=30)
    assert query(rds, "maria", "SELECT n FROM d.t") == ((7,),)


def test_kura_killed_while_an_update_is_applied_finishes_it(kura_factory):
    """SIGKILL right after the update is asked for: the restarted Kura
    takes the step up again; the instance ends available with its rows,
    its server on the executable its mount namespace has installed, and
    nothing pending. (The restarted Kura is in a mount namespace of its
    own again, where the original file is the installed one.)"""
    server = kura_in_its_own_mounts(kura_factory)
    rds = server.client("rds")
    create_instance(rds, "crashy")
    psql(rds, "crashy", "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 50)")
    arn = rds.describe_db_instances(DBInstanceIdentifier="crashy")["DBInstances"][0]["DBInstanceArn"]
    upgrade(server, postgres_executable())
    eventually(lambda: pending(rds, ResourceIdentifier=arn), "a pending system update", timeout=30)
    rds.apply_pending_maintenance_action(ResourceIdentifier=arn, ApplyAction="system-update", OptInType="immediate")
    server.restart(sigkill=True)
    rds = server.client("rds")
    wait_status(rds, "crashy", "available", timeout=240)
    assert psql(rds, "crashy", "SELECT count(*) FROM t") == "50"
    eventually(lambda: pending(rds) == [], "nothing pending", timeout=30)
    running = postmasters_running(server, postgres_executable())
    assert len(running) == 1 and all(running.values()), running
