"""Aurora MySQL clusters on the installed MariaDB server: the runbook's
own cluster (prod-aurora, aurora-mysql 8.0.mysql_aurora.3.04.1, encrypted
under a KMS key, seven days of backups) made with the AWS CLI, a writer and
a reader behind the cluster and reader endpoints, cluster snapshots that
restore the data, and failovers (asked for, a killed or hung writer) that keep
every acknowledged commit while the cluster endpoint follows the writer."""
import os
import signal
import time

import botocore.exceptions
import pytest

pymysql = pytest.importorskip("pymysql")

from rds_support import PASSWORD, cluster, wait_cluster, wait_instances, writer_of  # noqa: E402
from steady_writer import SteadyWriter  # noqa: E402

if not os.path.exists("/usr/sbin/mariadbd"):
    pytest.skip("no MariaDB server installed", allow_module_level=True)

ENGINE = "aurora-mysql"


def eventually(check, what, timeout=60):
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            value = check()
        except (pymysql.MySQLError, AssertionError, OSError) as error:
            value = error
        else:
            if value:
                return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: {value!r}")


def add_instances(rds, identifier, names):
    for name in names:
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier=identifier, Engine=ENGINE,
                               DBInstanceClass="db.r6g.large")
    wait_instances(rds, names)


def run_sql(host, port, sql, args=None):
    with pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, connect_timeout=5,
                         read_timeout=30, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def on_writer(rds, identifier, sql, args=None):
    c = cluster(rds, identifier)
    return run_sql(c["Endpoint"], c["Port"], sql, args)


def on_reader(rds, identifier, sql, args=None):
    c = cluster(rds, identifier)
    return run_sql(c["ReaderEndpoint"], c["Port"], sql, args)


def on_instance(rds, name, sql, args=None):
    endpoint = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["Endpoint"]
    return run_sql(endpoint["Address"], endpoint["Port"], sql, args)


def semi_synchronous(rds, identifier):
    status = dict(on_writer(rds, identifier, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_%'"))
    return status.get("Rpl_semi_sync_master_status") == "ON" and status.get("Rpl_semi_sync_master_clients") == "1"


def test_runbook_cluster_with_the_cli_snapshot_and_restore(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    key = server.aws("kms", "create-key", "--description", "db")["KeyMetadata"]["Arn"]
    # The Terraform's network: aws_security_group.db, aws_db_subnet_group.aurora,
    # and the runbook's rule (1.2): only the app reaches the DB. This test's
    # client, at 127.0.0.1, is the app server (a network interface in "app").
    vpc = server.aws("ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true")["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in
               server.aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vpc}")["Subnets"]]
    app = server.aws("ec2", "create-security-group", "--group-name", "app", "--description", "app servers",
                     "--vpc-id", vpc)["GroupId"]
    db = server.aws("ec2", "create-security-group", "--group-name", "db", "--description", "aurora",
                    "--vpc-id", vpc)["GroupId"]
    server.aws("ec2", "authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "0-65535",
               "--source-group", app)
    server.aws("ec2", "create-network-interface", "--subnet-id", subnets[0], "--groups", app,
               "--private-ip-address", "127.0.0.1", "--description", "app server")
    server.aws("rds", "create-db-subnet-group", "--db-subnet-group-name", "aurora", "--db-subnet-group-description",
               "aurora", "--subnet-ids", *subnets)
    made = server.aws(
        "rds", "create-db-cluster", "--db-cluster-identifier", "prod-aurora", "--engine", "aurora-mysql",
        "--engine-version", "8.0.mysql_aurora.3.04.1", "--master-username", "admin",
        "--master-user-password", PASSWORD, "--backup-retention-period", "7",
        "--preferred-backup-window", "02:00-03:00", "--vpc-security-group-ids", db,
        "--db-subnet-group-name", "aurora", "--storage-encrypted", "--kms-key-id", key)["DBCluster"]
    assert made["Engine"] == "aurora-mysql" and made["EngineVersion"] == "8.0.mysql_aurora.3.04.1"
    wait_cluster(rds, "prod-aurora")
    described = cluster(rds, "prod-aurora")
    assert described["StorageEncrypted"] is True and described["KmsKeyId"] == key
    assert described["BackupRetentionPeriod"] == 7 and described["PreferredBackupWindow"] == "02:00-03:00"
    assert described["DBClusterParameterGroup"] == "default.aurora-mysql8.0"
    for name in ("prod-aurora-1", "prod-aurora-2"):
        server.aws("rds", "create-db-instance", "--db-instance-identifier", name, "--db-cluster-identifier",
                   "prod-aurora", "--engine", "aurora-mysql", "--db-instance-class", "db.r6g.large")
    server.aws("rds", "wait", "db-instance-available", "--db-instance-identifier", "prod-aurora-1")
    server.aws("rds", "wait", "db-instance-available", "--db-instance-identifier", "prod-aurora-2")
    assert writer_of(rds, "prod-aurora") == "prod-aurora-1"

    # Anyone else is refused at the endpoint, before the engine.
    c = cluster(rds, "prod-aurora")
    with pytest.raises(pymysql.MySQLError):
        pymysql.connect(host=c["Endpoint"], port=c["Port"], user="admin", password=PASSWORD, connect_timeout=3,
                        bind_address="127.0.0.9")
    on_writer(rds, "prod-aurora", "CREATE DATABASE shop")
    on_writer(rds, "prod-aurora", "CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(20))")
    on_writer(rds, "prod-aurora", "INSERT INTO shop.orders VALUES (1, 'tea'), (2, 'rice'), (3, 'miso')")
    eventually(lambda: on_reader(rds, "prod-aurora", "SELECT COUNT(*) FROM shop.orders") == ((3,),),
               "the reader endpoint does not see the writes")
    # A reader refuses writes, even the master user's.
    with pytest.raises(pymysql.MySQLError) as info:
        on_instance(rds, "prod-aurora-2", "INSERT INTO shop.orders VALUES (4, 'nori')")
    assert info.value.args[0] == 1290

    # The runbook's parameter section (1.2): SQL mode, time zone and connection
    # limits in a cluster parameter group reach every instance.
    server.aws("rds", "create-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "prod-aurora-params",
               "--db-parameter-group-family", "aurora-mysql8.0", "--description", "prod")
    server.aws("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "prod-aurora-params",
               "--parameters",
               "ParameterName=sql_mode,ParameterValue=STRICT_ALL_TABLES,ApplyMethod=immediate",
               "ParameterName=time_zone,ParameterValue=Asia/Tokyo,ApplyMethod=immediate",
               "ParameterName=max_connections,ParameterValue=77,ApplyMethod=immediate")
    server.aws("rds", "modify-db-cluster", "--db-cluster-identifier", "prod-aurora", "--db-cluster-parameter-group-name",
               "prod-aurora-params", "--apply-immediately")
    wanted = {"max_connections": "77", "sql_mode": "STRICT_ALL_TABLES", "time_zone": "Asia/Tokyo"}
    for name in ("prod-aurora-1", "prod-aurora-2"):
        eventually(lambda: dict(on_instance(rds, name, "SHOW GLOBAL VARIABLES WHERE Variable_name IN "
                                                       "('max_connections', 'sql_mode', 'time_zone')")) == wanted,
                   f"{name} does not run with the cluster's parameters")

    # The runbook's audit section: the MySQL audit log shipped to CloudWatch Logs.
    server.aws("rds", "modify-db-cluster", "--db-cluster-identifier", "prod-aurora",
               "--cloudwatch-logs-export-configuration", '{"EnableLogTypes":["audit"]}')
    assert cluster(rds, "prod-aurora")["EnabledCloudwatchLogsExports"] == ["audit"]
    on_writer(rds, "prod-aurora", "SELECT item FROM shop.orders WHERE id = 2 /* audited-query */")
    logs = server.client("logs")

    def audited():
        try:
            events = logs.filter_log_events(logGroupName="/aws/rds/cluster/prod-aurora/audit",
                                            filterPattern='"audited-query"')["events"]
        except logs.exceptions.ResourceNotFoundException:
            return False
        return events and events[0]["logStreamName"] == "prod-aurora-1"
    eventually(audited, "the audit log does not reach CloudWatch Logs")

    # The runbook's snapshot command on a cluster member answers as RDS does.
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        rds.create_db_snapshot(DBInstanceIdentifier="prod-aurora-1", DBSnapshotIdentifier="prod-aurora-snap-20250630")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    server.aws("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "prod-aurora",
               "--db-cluster-snapshot-identifier", "prod-aurora-snap-20250630")
    server.aws("rds", "wait", "db-cluster-snapshot-available", "--db-cluster-snapshot-identifier",
               "prod-aurora-snap-20250630")
    snapshot = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="prod-aurora-snap-20250630")
    snapshot = snapshot["DBClusterSnapshots"][0]
    assert snapshot["Engine"] == "aurora-mysql" and snapshot["StorageEncrypted"] is True
    on_writer(rds, "prod-aurora", "INSERT INTO shop.orders VALUES (4, 'after the snapshot')")

    server.aws("rds", "restore-db-cluster-from-snapshot", "--db-cluster-identifier", "prod-aurora-restore",
               "--snapshot-identifier", "prod-aurora-snap-20250630", "--engine", "aurora-mysql",
               "--vpc-security-group-ids", db, "--db-subnet-group-name", "aurora")
    wait_cluster(rds, "prod-aurora-restore")
    add_instances(rds, "prod-aurora-restore", ["prod-aurora-restore-1"])
    assert on_writer(rds, "prod-aurora-restore", "SELECT id, item FROM shop.orders ORDER BY id") == (
        (1, "tea"), (2, "rice"), (3, "miso"))

    # Failover asked for: the reader becomes the writer, the data stays.
    rds.failover_db_cluster(DBClusterIdentifier="prod-aurora", TargetDBInstanceIdentifier="prod-aurora-2")
    eventually(lambda: writer_of(rds, "prod-aurora") == "prod-aurora-2", "the writer did not move")
    wait_cluster(rds, "prod-aurora")
    eventually(lambda: on_writer(rds, "prod-aurora", "INSERT INTO shop.orders VALUES (5, 'after failover')") == (),
               "the new writer takes no writes")
    assert on_writer(rds, "prod-aurora", "SELECT COUNT(*) FROM shop.orders") == ((5,),)


@pytest.mark.serial
def test_killed_writer_loses_no_acknowledged_commit(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_cluster(DBClusterIdentifier="fo", Engine=ENGINE, MasterUsername="admin", MasterUserPassword=PASSWORD)
    wait_cluster(rds, "fo")
    add_instances(rds, "fo", ["fo-1"])
    add_instances(rds, "fo", ["fo-2"])
    on_writer(rds, "fo", "CREATE DATABASE app")
    on_writer(rds, "fo", "CREATE TABLE app.acked (n INT PRIMARY KEY)")
    c = cluster(rds, "fo")
    writer = SteadyWriter(lambda: pymysql.connect(host=c["Endpoint"], port=c["Port"], user="admin", password=PASSWORD,
                                                  connect_timeout=3, read_timeout=30, autocommit=True),
                          "INSERT INTO app.acked (n) VALUES (%s)")
    writer.start()
    writer.wait_resumed()
    try:
        for fault in ("kill", "hang"):
            # Commits wait for the reader again before the next fault.
            # (while a reader is rebuilt they do not: docs/operations.md).
            eventually(lambda: semi_synchronous(rds, "fo"), "a semi-synchronous reader", timeout=120)
            old = writer_of(rds, "fo")
            instance = rds.describe_db_instances(DBInstanceIdentifier=old)["DBInstances"][0]
            pid_file = os.path.join(server.data_dir, "rds", "instances", instance["DbiResourceId"], "run", "mariadbd.pid")
            with open(pid_file) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL if fault == "kill" else signal.SIGSTOP)
            eventually(lambda: writer_of(rds, "fo") != old, "the writer did not move")
            wait_cluster(rds, "fo", timeout=120)
            writer.wait_resumed()
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    stored = [row[0] for row in on_writer(rds, "fo", "SELECT n FROM app.acked")]
    missing = set(writer.acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged rows lost: {sorted(missing)[:20]} of {len(writer.acked)}"
    # The old writer came back as a reader and holds every row.
    last = writer.acked[-1]
    for member in cluster(rds, "fo")["DBClusterMembers"]:
        name = member["DBInstanceIdentifier"]
        eventually(lambda: on_instance(rds, name, "SELECT COUNT(*) FROM app.acked WHERE n = %s", (last,)) == ((1,),),
                   f"{name} does not follow the writer", timeout=120)
    # A point-in-time restore spans the failovers: each writer's binary log
    # is in the cluster's archive under a generation of its own.
    written = time.time()
    # (and the first backup, which a loaded machine may still be taking, is there to restore from)
    eventually(lambda: (c := cluster(rds, "fo")).get("EarliestRestorableTime") and
               c.get("LatestRestorableTime") and c["LatestRestorableTime"].timestamp() > written + 1,
               "LatestRestorableTime stalls", timeout=180)
    rds.restore_db_cluster_to_point_in_time(DBClusterIdentifier="fo-pitr", SourceDBClusterIdentifier="fo",
                                            UseLatestRestorableTime=True)
    wait_cluster(rds, "fo-pitr", timeout=240)
    add_instances(rds, "fo-pitr", ["fo-pitr-1"])
    restored = {row[0] for row in on_writer(rds, "fo-pitr", "SELECT n FROM app.acked")}
    assert set(writer.acked) <= restored, f"{len(set(writer.acked) - restored)} acknowledged rows not restored"
