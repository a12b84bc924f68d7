"""SIGKILL of `kura serve` in the middle of MariaDB work (what
test_rds_crash.py does for PostgreSQL): while mariadb-backup takes a manual
snapshot, while a restore from that snapshot copies its files, and while a
point-in-time restore replays the binary log archive. After a restart on the
same data directory the work finishes with every row, the running server is
adopted (never started twice), no tool Kura ran outlives it, and deletes
leave no half-made directory behind."""
import datetime
import os
import time

import botocore.exceptions
import pytest

pymysql = pytest.importorskip("pymysql")

from rds_support import PASSWORD, endpoint, wait_gone, wait_restorable, wait_status  # noqa: E402

if not os.path.exists("/usr/sbin/mariadbd") or not os.path.exists("/usr/bin/mariadb-backup"):
    pytest.skip("no MariaDB server installed", allow_module_level=True)

ROWS = 30000  # in the snapshot
LATER = 20000  # written after it: only the binary log archive holds them


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


def connect(rds, identifier):
    host, port = endpoint(rds, identifier)
    return pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, connect_timeout=10,
                           autocommit=True)


def query(rds, identifier, sql, args=None):
    with connect(rds, identifier) as connection, connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def insert_rows(rds, identifier, first, count):
    with connect(rds, identifier) as connection, connection.cursor() as cursor:
        for start in range(first, first + count, 2000):
            batch = range(start, min(start + 2000, first + count))
            cursor.executemany("INSERT INTO k.r (n, pad) VALUES (%s, %s)",
                               [(n, f"row-{n:08d}-" + "x" * 180) for n in batch])


def rows_of(rds, identifier):
    return query(rds, identifier, "SELECT COUNT(*), COALESCE(SUM(n), 0), COUNT(DISTINCT n) FROM k.r")[0]


def expected(count):
    return (count, count * (count + 1) // 2, count)


def instance_dir(server, rds, identifier):
    resource = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DbiResourceId"]
    return os.path.join(server.data_dir, "rds", "instances", resource)


def processes():
    """Every live process: pid -> (comm, argv, cwd)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        found[int(entry)] = (comm, argv, cwd)
    return found


def working_on(data_dir, kura_pid=None):
    """Processes working on Kura's data directory (their cwd is beneath it,
    or an argument names it): pid -> (comm, argv, cwd). Kura itself is not."""
    root = os.path.realpath(data_dir)
    out = {}
    for pid, (comm, argv, cwd) in processes().items():
        if pid in (kura_pid, os.getpid()) or comm == "kura":
            continue
        if cwd == root or cwd.startswith(root + "/") or any(root in arg or data_dir in arg for arg in argv):
            out[pid] = (comm, argv, cwd)
    return out


def owned_servers(data_dir):
    """The mariadbd of each instance directory: the pid its pid file names,
    a mariadbd working in that instance's data directory. pid -> instance dir."""
    instances = os.path.join(data_dir, "rds", "instances")
    owned = {}
    for name in os.listdir(instances) if os.path.isdir(instances) else []:
        directory = os.path.join(instances, name)
        try:
            with open(os.path.join(directory, "run", "mariadbd.pid")) as f:
                pid = int(f.read().strip() or 0)
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except (OSError, ValueError):
            continue
        if comm == "mariadbd" and cwd == os.path.realpath(os.path.join(directory, "data")):
            owned[pid] = directory
    return owned


def servers_in(data_dir):
    return {pid for pid, (comm, _, _) in working_on(data_dir).items() if comm == "mariadbd"}


def orphans(data_dir, kura_pid=None):
    """Processes on the data directory that no instance owns: a mariadbd not
    an instance's server, or a tool left running."""
    owned = owned_servers(data_dir)
    return {pid: (comm, " ".join(argv)[:300]) for pid, (comm, argv, _) in working_on(data_dir, kura_pid).items()
            if pid not in owned}


def assert_no_orphans(data_dir, kura_pid=None, within=5.0):
    """None left once `within` seconds passed (a tool Kura is running right
    now, a supervisor's probe say, ends well within that)."""
    deadline = time.monotonic() + within
    left = orphans(data_dir, kura_pid)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = orphans(data_dir, kura_pid)
    assert not left, f"processes left on the data directory that no instance owns: {left}"


def assert_died_with_kura(pids, within=1.0):
    """A tool Kura ran dies with it (its parent-death signal), not when it is done."""
    deadline = time.monotonic() + within
    alive = [pid for pid in pids if pid in processes()]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if pid in processes()]
    assert not alive, f"still running after Kura died: { {pid: processes().get(pid) for pid in alive} }"


def kill_when(server, seen, what, timeout=120):
    """SIGKILLs Kura as soon as `seen()` holds (polled every 10 ms); what it saw."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = seen()
        if found:
            server.stop(sigkill=True)
            return found
        assert server.proc.poll() is None, "kura died by itself"
        time.sleep(0.01)
    raise AssertionError(f"never saw {what}")


def tool_on(data_dir, comm, needle):
    """Pids of the `comm` processes whose arguments name `needle`."""
    return [pid for pid, (c, argv, _) in working_on(data_dir).items() if c == comm and any(needle in a for a in argv)]


def events_of(rds, source_type, identifier):
    try:
        return [e["Message"] for e in rds.describe_events(SourceType=source_type, SourceIdentifier=identifier,
                                                         Duration=600)["Events"]]
    except botocore.exceptions.ClientError as error:
        return [str(error)]


def restart(server):
    server.start()
    return server.client("rds")


def running(server):
    """The module's server, started again if an earlier test failed while it was down."""
    if server.proc is None:
        server.start()
    return server.client("rds")


def wait_snapshot(rds, identifier, timeout=180):
    """The snapshot ends available; failed is a failure, said with its events."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]["Status"]
        if status in ("available", "failed"):
            break
        time.sleep(0.2)
    assert status == "available", (identifier, status, events_of(rds, "db-snapshot", identifier))


@pytest.mark.serial
def test_sigkill_while_mariadb_backup_takes_a_snapshot(server):
    rds = server.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="crashy", Engine="mariadb", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                           BackupRetentionPeriod=1)
    wait_status(rds, "crashy", "available", timeout=180)
    query(rds, "crashy", "CREATE DATABASE k")
    query(rds, "crashy", "CREATE TABLE k.r (n INT PRIMARY KEY, pad VARCHAR(200))")
    insert_rows(rds, "crashy", 1, ROWS)
    assert rows_of(rds, "crashy") == expected(ROWS)
    servers = servers_in(server.data_dir)
    assert len(servers) == 1

    rds.create_db_snapshot(DBInstanceIdentifier="crashy", DBSnapshotIdentifier="crashy-snap")
    tools = kill_when(server, lambda: tool_on(server.data_dir, "mariadb-backup", "crashy-snap"),
                      "mariadb-backup taking crashy-snap")
    assert_died_with_kura(tools)
    # The server keeps serving while Kura is down; the backup tool died with Kura.
    assert servers_in(server.data_dir) == servers
    assert_no_orphans(server.data_dir)

    rds = restart(server)
    wait_snapshot(rds, "crashy-snap")
    wait_status(rds, "crashy", "available")
    assert rows_of(rds, "crashy") == expected(ROWS)
    time.sleep(2)  # a supervisor pass or two
    assert servers_in(server.data_dir) == servers  # adopted, not started again
    assert_no_orphans(server.data_dir, server.proc.pid)

    # Again while mariadb-backup --prepare works on the copy (in place): the
    # next attempt starts over, and a point-in-time restore below starts from
    # this snapshot (the newest before the time asked for).
    rds.create_db_snapshot(DBInstanceIdentifier="crashy", DBSnapshotIdentifier="crashy-snap2")
    tools = kill_when(server, lambda: [pid for pid in tool_on(server.data_dir, "mariadb-backup", "crashy-snap2")
                                       if "--prepare" in processes().get(pid, ("", []))[1]],
                      "mariadb-backup --prepare of crashy-snap2")
    assert_died_with_kura(tools)
    assert servers_in(server.data_dir) == servers
    assert_no_orphans(server.data_dir)
    rds = restart(server)
    wait_snapshot(rds, "crashy-snap2")
    assert servers_in(server.data_dir) == servers
    # No half-made backup is left beside the snapshots.
    snapshots = os.listdir(os.path.join(server.data_dir, "rds", "snapshots"))
    assert not [name for name in snapshots if name.endswith((".plain", ".copying"))], snapshots


@pytest.mark.serial
def test_sigkill_while_a_restore_copies_the_snapshot(server):
    rds = running(server)
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="crashy-back", DBSnapshotIdentifier="crashy-snap")
    directory = instance_dir(server, rds, "crashy-back")
    # The copy (cp, as the engine user) or, if that was quicker than a poll,
    # the server starting on the copied files: the restore is under way.
    seen = kill_when(server, lambda: {pid: comm for pid, (comm, argv, cwd) in working_on(directory).items()
                                      if comm in ("cp", "mariadbd")}, "the restore of crashy-back")
    assert_died_with_kura([pid for pid, comm in seen.items() if comm != "mariadbd"])
    assert_no_orphans(server.data_dir)

    rds = restart(server)
    wait_status(rds, "crashy-back", "available", timeout=180)
    assert rows_of(rds, "crashy-back") == expected(ROWS)
    assert rows_of(rds, "crashy") == expected(ROWS)  # the source is untouched
    time.sleep(2)
    assert len([pid for pid, d in owned_servers(server.data_dir).items() if d == directory]) == 1
    assert len(servers_in(server.data_dir)) == 2  # one each: none started twice
    assert_no_orphans(server.data_dir, server.proc.pid)


@pytest.mark.serial
def test_sigkill_while_a_point_in_time_restore_replays_the_binary_log(server):
    rds = running(server)
    insert_rows(rds, "crashy", ROWS + 1, LATER)
    written = datetime.datetime.now(datetime.timezone.utc)
    wait_restorable(rds, "crashy", written)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="crashy",
                                             TargetDBInstanceIdentifier="crashy-pitr", UseLatestRestorableTime=True)
    directory = instance_dir(server, rds, "crashy-pitr")
    # The replay: mariadb-binlog reading the archive, piped into the mariadb
    # client of the instance's own server (started for the replay).
    def replay():
        tools = {pid: comm for pid, (comm, argv, cwd) in working_on(server.data_dir).items()
                 if comm == "mariadb-binlog" or (comm == "mariadb" and "--batch" not in argv
                                                 and any(directory in a for a in argv))}
        return tools if "mariadb-binlog" in tools.values() else None
    tools = kill_when(server, replay, "the binary log replayed into crashy-pitr")
    assert_died_with_kura(list(tools))
    assert_no_orphans(server.data_dir)

    rds = restart(server)
    wait_status(rds, "crashy-pitr", "available", timeout=180)
    assert rows_of(rds, "crashy-pitr") == expected(ROWS + LATER)  # each row once: replayed once, from the copy
    time.sleep(2)
    assert len([pid for pid, d in owned_servers(server.data_dir).items() if d == directory]) == 1
    assert len(servers_in(server.data_dir)) == 3
    assert_no_orphans(server.data_dir, server.proc.pid)


@pytest.mark.serial
def test_deletes_after_the_crashes_leave_nothing_behind(server):
    rds = running(server)
    names = ["crashy", "crashy-back", "crashy-pitr"]
    for name in names:
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    for name in ("crashy-snap", "crashy-snap2"):
        rds.delete_db_snapshot(DBSnapshotIdentifier=name)
    wait_gone(rds, names)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and rds.describe_db_snapshots()["DBSnapshots"]:
        time.sleep(0.3)
    assert rds.describe_db_snapshots()["DBSnapshots"] == []
    assert_no_orphans(server.data_dir, server.proc.pid, within=10)
    assert servers_in(server.data_dir) == set()
    rds_dir = os.path.join(server.data_dir, "rds")
    for sub in ("instances", "snapshots", "wal"):
        path = os.path.join(rds_dir, sub)
        assert not os.path.isdir(path) or os.listdir(path) == [], (sub, os.listdir(path))
    leftovers = [os.path.join(d, n) for d, dirs, files in os.walk(rds_dir) for n in dirs + files
                 if n.endswith((".opened-wal", ".opened-snapshot", ".plain", ".copying"))]
    assert leftovers == []
