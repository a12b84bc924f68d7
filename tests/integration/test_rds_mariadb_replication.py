"""Multi-AZ and read replicas of RDS MySQL/MariaDB instances on the
installed MariaDB server. A client writes numbered rows one commit each
through the endpoint while the primary is killed (SIGKILL), hung (SIGSTOP)
or failed over on request; afterwards every acknowledged row is there
once, and the old primary never answers as one. A read replica follows its
source, refuses writes, and takes them once promoted."""
import os
import signal
import subprocess
import time

import pytest

pymysql = pytest.importorskip("pymysql")

from rds_support import PASSWORD, endpoint, wait_restorable, wait_status  # noqa: E402
from steady_writer import SteadyWriter  # noqa: E402

if not os.path.exists("/usr/sbin/mariadbd"):
    pytest.skip("no MariaDB server installed", allow_module_level=True)


def connect(rds, identifier, timeout=3):
    host, port = endpoint(rds, identifier)
    return pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, connect_timeout=timeout,
                           read_timeout=30, write_timeout=30, autocommit=True)


def query(rds, identifier, sql, args=None):
    with connect(rds, identifier, timeout=10) as connection, connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def create(rds, identifier, engine="mariadb", **extra):
    params = dict(DBInstanceIdentifier=identifier, Engine=engine, DBInstanceClass="db.t3.micro",
                  MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                  BackupRetentionPeriod=1)
    params.update(extra)
    rds.create_db_instance(**params)
    wait_status(rds, identifier, "available", timeout=240)
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def server_pid(folder):
    try:
        with open(os.path.join(folder, "run", "mariadbd.pid")) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def primary_node(server):
    """The running node that replicates from no one: (pid, folder)."""
    root = os.path.join(server.data_dir, "rds", "instances")
    for instance in os.listdir(root):
        for node in ("node-a", "node-b"):
            folder = os.path.join(root, instance, node)
            pid = server_pid(folder)
            if pid and not os.path.exists(os.path.join(folder, "kura-upstream")):
                return pid, folder
    raise AssertionError("no running primary")


def wait_semi_sync(rds, identifier, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows = dict(query(rds, identifier, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_%'"))
            if rows.get("Rpl_semi_sync_master_status") == "ON" and int(rows["Rpl_semi_sync_master_clients"]) >= 1:
                return
        except pymysql.MySQLError:
            pass
        time.sleep(0.3)
    raise AssertionError("no semi-synchronous standby")


@pytest.mark.serial
def test_multi_az_failovers_keep_every_acknowledged_write(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    instance = create(rds, "mymaz", MultiAZ=True, BackupRetentionPeriod=0)
    assert instance["MultiAZ"] is True
    assert instance["AvailabilityZone"] != instance["SecondaryAvailabilityZone"]
    address = endpoint(rds, "mymaz")
    query(rds, "mymaz", "CREATE DATABASE app")
    query(rds, "mymaz", "CREATE TABLE app.acked (n INT PRIMARY KEY)")
    wait_semi_sync(rds, "mymaz")

    writer = SteadyWriter(lambda: connect(rds, "mymaz"), "INSERT INTO app.acked (n) VALUES (%s)")
    writer.start()
    time.sleep(1)
    try:
        for fault in ("kill", "stop", "planned"):
            pid, folder = primary_node(server)
            before = len(writer.acked)
            if fault == "kill":
                os.kill(pid, signal.SIGKILL)
            elif fault == "stop":
                os.kill(pid, signal.SIGSTOP)  # the server hangs
            else:
                rds.reboot_db_instance(DBInstanceIdentifier="mymaz", ForceFailover=True)
            deadline, new_folder = time.monotonic() + 60, folder
            while time.monotonic() < deadline and new_folder == folder:
                try:
                    _, new_folder = primary_node(server)
                except AssertionError:
                    pass
                time.sleep(0.05)
            assert new_folder != folder, f"{fault}: the primary did not move"
            writer.wait_resumed()
            assert len(writer.acked) > before
            if fault == "stop":
                # The hung primary was fenced: gone, not merely stopped.
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
                    time.sleep(0.1)
                assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
            wait_status(rds, "mymaz", "available", timeout=120)
            wait_semi_sync(rds, "mymaz")  # the old node is the standby again
            time.sleep(1)
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    assert endpoint(rds, "mymaz") == address
    stored = [row[0] for row in query(rds, "mymaz", "SELECT n FROM app.acked")]
    missing = set(writer.acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged rows lost"
    # The master user cannot turn the acknowledgement off.
    with pytest.raises(pymysql.MySQLError):
        query(rds, "mymaz", "SET GLOBAL rpl_semi_sync_master_enabled = OFF")
    messages = [e["Message"] for e in rds.describe_events(SourceType="db-instance",
                                                          SourceIdentifier="mymaz")["Events"]]
    assert messages.count("Multi-AZ instance failover completed.") >= 3
    rds.delete_db_instance(DBInstanceIdentifier="mymaz", SkipFinalSnapshot=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and rds.describe_db_instances()["DBInstances"]:
        time.sleep(0.3)
    left = subprocess.run(["pgrep", "-f", os.path.join(server.data_dir, "rds")], capture_output=True, text=True)
    assert left.stdout.strip() == ""


def test_read_replica_follows_refuses_writes_and_is_promoted(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create(rds, "mysrc", engine="mysql")
    query(rds, "mysrc", "CREATE DATABASE app")
    query(rds, "mysrc", "CREATE TABLE app.t (n INT PRIMARY KEY, v VARCHAR(20))")
    query(rds, "mysrc", "INSERT INTO app.t VALUES (1, 'before')")
    # The master user can see, drop or change Kura's replication account
    # (it has CREATE USER), never use it: a replica is still made.
    assert query(rds, "mysrc", "SELECT Host FROM mysql.user WHERE User = 'rdsrepladmin'") == (("127.0.0.1",),)
    query(rds, "mysrc", "DROP USER 'rdsrepladmin'@'127.0.0.1'")
    rds.create_db_instance_read_replica(DBInstanceIdentifier="myrep", SourceDBInstanceIdentifier="mysrc")
    wait_status(rds, "myrep", "available", timeout=240)
    replica = rds.describe_db_instances(DBInstanceIdentifier="myrep")["DBInstances"][0]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == "mysrc"
    assert replica["Engine"] == "mysql"
    query(rds, "mysrc", "INSERT INTO app.t VALUES (2, 'after')")
    deadline, rows = time.monotonic() + 30, []
    while time.monotonic() < deadline:
        rows = query(rds, "myrep", "SELECT n, v FROM app.t ORDER BY n")
        if len(rows) == 2:
            break
        time.sleep(0.2)
    assert rows == ((1, "before"), (2, "after"))
    # Read-only for the master user (error 1290: --read-only).
    with pytest.raises(pymysql.MySQLError) as info:
        query(rds, "myrep", "INSERT INTO app.t VALUES (3, 'on the replica')")
    assert info.value.args[0] == 1290
    rds.promote_read_replica(DBInstanceIdentifier="myrep")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        described = rds.describe_db_instances(DBInstanceIdentifier="myrep")["DBInstances"][0]
        if described["DBInstanceStatus"] == "available" and "ReadReplicaSourceDBInstanceIdentifier" not in described:
            break
        time.sleep(0.5)
    assert "ReadReplicaSourceDBInstanceIdentifier" not in described
    query(rds, "myrep", "INSERT INTO app.t VALUES (3, 'promoted')")
    assert query(rds, "myrep", "SELECT COUNT(*) FROM app.t") == ((3,),)
    # The source goes on alone.
    query(rds, "mysrc", "INSERT INTO app.t VALUES (4, 'source')")
    assert query(rds, "mysrc", "SELECT COUNT(*) FROM app.t") == ((3,),)


@pytest.mark.serial
def test_point_in_time_and_snapshots_span_a_failover(kura_factory):
    """The archive holds each primary's binary log under a generation of its
    own: a restore replays the old primary's, then the new one's from where
    the first ended."""
    server = kura_factory()
    rds = server.client("rds")
    create(rds, "mypit", MultiAZ=True, BackupRetentionPeriod=1, StorageEncrypted=True)
    wait_semi_sync(rds, "mypit")
    query(rds, "mypit", "CREATE DATABASE app")
    query(rds, "mypit", "CREATE TABLE app.t (n INT PRIMARY KEY, era VARCHAR(10))")
    for n in range(1, 51):
        query(rds, "mypit", "INSERT INTO app.t VALUES (%s, 'before')", (n,))
    rds.create_db_snapshot(DBInstanceIdentifier="mypit", DBSnapshotIdentifier="mypit-before")
    wait_status(rds, "mypit-before", "available", timeout=240, snapshot=True)
    for n in range(51, 101):
        query(rds, "mypit", "INSERT INTO app.t VALUES (%s, 'before')", (n,))
    pid, _ = primary_node(server)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            query(rds, "mypit", "INSERT INTO app.t VALUES (101, 'after')")
            break
        except pymysql.MySQLError:
            time.sleep(0.2)
    for n in range(102, 151):
        query(rds, "mypit", "INSERT INTO app.t VALUES (%s, 'after')", (n,))
    wait_restorable(rds, "mypit", time.time() + 1, timeout=90)
    # From the snapshot taken before the failover, through both primaries' logs.
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="mypit", TargetDBInstanceIdentifier="mypit-pitr",
                                             UseLatestRestorableTime=True)
    wait_status(rds, "mypit-pitr", "available", timeout=300)
    assert query(rds, "mypit-pitr", "SELECT era, COUNT(*) FROM app.t GROUP BY era ORDER BY era") == (
        ("after", 50), ("before", 100))
    # A snapshot of the new primary restores everything too.
    rds.create_db_snapshot(DBInstanceIdentifier="mypit", DBSnapshotIdentifier="mypit-after")
    wait_status(rds, "mypit-after", "available", timeout=240, snapshot=True)
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="mypit-copy", DBSnapshotIdentifier="mypit-after")
    wait_status(rds, "mypit-copy", "available", timeout=300)
    assert query(rds, "mypit-copy", "SELECT COUNT(*) FROM app.t") == ((150,),)


@pytest.mark.serial
def test_managed_password_and_a_replica_follow_the_source_through_a_failover(kura_factory):
    import json

    from model_overlay import newer_client
    server = kura_factory()
    rds, sm = newer_client(server, "rds"), server.client("secretsmanager")
    rds.create_db_instance(DBInstanceIdentifier="mysrc", Engine="mysql", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                           BackupRetentionPeriod=1, MultiAZ=True)
    wait_status(rds, "mysrc", "available", timeout=240)
    secret_arn = rds.describe_db_instances(DBInstanceIdentifier="mysrc")["DBInstances"][0]["MasterUserSecret"]["SecretArn"]

    def password():
        return json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])["password"]

    def run(identifier, sql, secret=None):
        host, port = endpoint(rds, identifier)
        with pymysql.connect(host=host, port=port, user="admin", password=secret or password(), connect_timeout=5,
                             autocommit=True) as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    run("mysrc", "CREATE DATABASE app")
    run("mysrc", "CREATE TABLE app.t (n INT PRIMARY KEY)")
    run("mysrc", "INSERT INTO app.t VALUES (1)")
    rds.create_db_instance_read_replica(DBInstanceIdentifier="myrep", SourceDBInstanceIdentifier="mysrc")
    wait_status(rds, "myrep", "available", timeout=240)
    # A rotation reaches the standby and the replica with replication.
    first = password()
    sm.rotate_secret(SecretId=secret_arn)
    wait_status(rds, "mysrc", "available")
    assert password() != first
    with pytest.raises(pymysql.MySQLError):
        run("mysrc", "SELECT 1", secret=first)
    rds.reboot_db_instance(DBInstanceIdentifier="mysrc", ForceFailover=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            run("mysrc", "INSERT INTO app.t VALUES (2)")
            break
        except pymysql.MySQLError:
            time.sleep(0.3)
    wait_status(rds, "mysrc", "available", timeout=120)
    # The replica follows the new primary.
    deadline, rows = time.monotonic() + 90, ()
    while time.monotonic() < deadline:
        try:
            rows = run("myrep", "SELECT n FROM app.t ORDER BY n")
        except pymysql.MySQLError:
            rows = ()
        if rows == ((1,), (2,)):
            break
        time.sleep(0.3)
    assert rows == ((1,), (2,))
    # Its status says so once the supervisor has seen it stream again.
    deadline, status = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        status = rds.describe_db_instances(DBInstanceIdentifier="myrep")["DBInstances"][0]["StatusInfos"][0]
        if status["Status"] == "replicating":
            break
        time.sleep(0.3)
    assert status["Status"] == "replicating" and status["Normal"] is True
