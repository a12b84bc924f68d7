"""StopDBCluster and StartDBCluster on real PostgreSQL: every server of an
Aurora cluster stopped and started together, the data and the readers'
streaming kept; what a stopped cluster refuses; and a stopped cluster, or
instance, started by itself once it has been stopped longer than the limit
(Aurora's and RDS's seven days; here `--rds-stop-limit-seconds`)."""
import time
from datetime import datetime, timedelta, timezone

import pytest

from rds_support import PASSWORD, cluster, wait_cluster, wait_instances
from test_rds_aurora import ENGINE, error_code, eventually, make_cluster, on_reader, on_writer, sql_at

pytest.importorskip("psycopg2")


def instance(rds, name):
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]


def wait_instance_status(rds, name, wanted, timeout=120):
    eventually(lambda: instance(rds, name)["DBInstanceStatus"] == wanted, f"{name} {wanted}", timeout)


def messages(rds, source_type, name):
    return [e["Message"] for e in rds.describe_events(SourceType=source_type, SourceIdentifier=name)["Events"]]


def test_a_stopped_cluster_keeps_its_data_and_its_readers(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    make_cluster(rds, "stp", readers=1)
    on_writer(rds, "stp", "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 100)")
    eventually(lambda: on_reader(rds, "stp", "SELECT count(*) FROM t", check=False) == "100", "the reader's rows")
    assert error_code(rds.stop_db_cluster, DBClusterIdentifier="nope") == "DBClusterNotFoundFault"
    assert error_code(rds.start_db_cluster, DBClusterIdentifier="stp") == "InvalidDBClusterStateFault"
    # A cluster's instances stop and start with it, as in Aurora.
    assert error_code(rds.stop_db_instance, DBInstanceIdentifier="stp-2") == "InvalidParameterCombination"

    assert rds.stop_db_cluster(DBClusterIdentifier="stp")["DBCluster"]["Status"] == "stopping"
    wait_cluster(rds, "stp", "stopped")
    for name in ("stp-1", "stp-2"):
        assert instance(rds, name)["DBInstanceStatus"] == "stopped"
    restart = cluster(rds, "stp")["AutomaticRestartTime"]
    assert abs(restart - (datetime.now(timezone.utc) + timedelta(days=7))) < timedelta(minutes=10)
    # No server answers: not the endpoints, not the instances' own.
    assert on_writer(rds, "stp", "SELECT 1", check=False).returncode != 0
    for name in ("stp-1", "stp-2"):
        endpoint = instance(rds, name)["Endpoint"]
        assert sql_at(endpoint["Address"], endpoint["Port"], "SELECT 1", check=False).returncode != 0
    # What a stopped cluster refuses, changing nothing.
    assert error_code(rds.stop_db_cluster, DBClusterIdentifier="stp") == "InvalidDBClusterStateFault"
    assert error_code(rds.modify_db_cluster, DBClusterIdentifier="stp",
                      BackupRetentionPeriod=3) == "InvalidDBClusterStateFault"
    assert error_code(rds.failover_db_cluster, DBClusterIdentifier="stp") == "InvalidDBClusterStateFault"
    assert error_code(rds.create_db_cluster_snapshot, DBClusterIdentifier="stp",
                      DBClusterSnapshotIdentifier="snap") == "InvalidDBClusterStateFault"
    assert error_code(rds.delete_db_instance, DBInstanceIdentifier="stp-2") == "InvalidDBClusterStateFault"
    assert error_code(rds.start_db_instance, DBInstanceIdentifier="stp-1") == "InvalidParameterCombination"
    assert error_code(rds.create_db_instance, DBInstanceIdentifier="stp-3", DBClusterIdentifier="stp",
                      Engine=ENGINE, DBInstanceClass="db.r6g.large") == "InvalidDBClusterStateFault"
    assert {i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]} == {"stp-1", "stp-2"}
    assert cluster(rds, "stp")["Status"] == "stopped"

    assert rds.start_db_cluster(DBClusterIdentifier="stp")["DBCluster"]["Status"] == "starting"
    wait_cluster(rds, "stp")
    wait_instances(rds, ["stp-1", "stp-2"])
    assert "AutomaticRestartTime" not in cluster(rds, "stp")
    # The same writer, its rows, and a reader that streams from it again.
    writer = [m["DBInstanceIdentifier"] for m in cluster(rds, "stp")["DBClusterMembers"] if m["IsClusterWriter"]]
    assert writer == ["stp-1"]
    eventually(lambda: on_writer(rds, "stp", "SELECT count(*) FROM t", check=False) == "100", "the writer's rows")
    on_writer(rds, "stp", "INSERT INTO t VALUES (101)")
    eventually(lambda: on_reader(rds, "stp", "SELECT max(n) FROM t", check=False) == "101", "the reader streaming")
    events = messages(rds, "db-cluster", "stp")
    for message in ("DB cluster is being stopped", "DB cluster stopped", "DB cluster is being started",
                    "DB cluster started"):
        assert message in events
    assert "DB instance stopped" in messages(rds, "db-instance", "stp-2")


def test_what_is_stopped_too_long_starts_by_itself(kura_factory):
    server = kura_factory(["--rds-stop-limit-seconds", "6"])
    rds = server.client("rds")
    make_cluster(rds, "auto", readers=1)  # its writer starts with no reader streaming yet
    on_writer(rds, "auto", "CREATE TABLE t (n int); INSERT INTO t VALUES (7)")
    rds.create_db_instance(DBInstanceIdentifier="solo", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20)
    wait_instances(rds, ["solo"])
    endpoint = instance(rds, "solo")["Endpoint"]
    sql_at(endpoint["Address"], endpoint["Port"], "CREATE TABLE s (n int); INSERT INTO s VALUES (8)")

    stopped_at = datetime.now(timezone.utc)
    rds.stop_db_cluster(DBClusterIdentifier="auto")
    rds.stop_db_instance(DBInstanceIdentifier="solo")
    wait_cluster(rds, "auto", "stopped", timeout=60)
    restart = cluster(rds, "auto")["AutomaticRestartTime"]
    assert stopped_at < restart < stopped_at + timedelta(seconds=6 + 60)
    wait_instance_status(rds, "solo", "stopped", timeout=60)
    assert "AutomaticRestartTime" in instance(rds, "solo")

    # Nobody starts them: the supervisor does, once the limit has passed.
    wait_cluster(rds, "auto", "available", timeout=120)
    assert time.time() >= restart.timestamp() - 1
    wait_instances(rds, ["auto-1", "auto-2", "solo"])
    eventually(lambda: on_writer(rds, "auto", "SELECT n FROM t", check=False) == "7", "the cluster's row")
    on_writer(rds, "auto", "INSERT INTO t VALUES (8)")
    eventually(lambda: on_reader(rds, "auto", "SELECT max(n) FROM t", check=False) == "8", "the reader streaming")
    assert sql_at(endpoint["Address"], endpoint["Port"], "SELECT n FROM s") == "8"
    due = "exceeding the maximum allowed time being stopped"
    assert any(due in m for m in messages(rds, "db-cluster", "auto"))
    assert any(due in m for m in messages(rds, "db-instance", "solo"))
    # The cluster's instance started with the cluster, not on its own.
    assert not any(due in m for m in messages(rds, "db-instance", "auto-1"))


def test_an_aurora_mysql_cluster_stops_and_starts_with_its_reader(kura_factory):
    mysql = pytest.importorskip("test_rds_aurora_mysql")
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_cluster(DBClusterIdentifier="my", Engine="aurora-mysql", MasterUsername="admin",
                          MasterUserPassword=PASSWORD)
    wait_cluster(rds, "my")
    mysql.add_instances(rds, "my", ["my-1"])
    mysql.add_instances(rds, "my", ["my-2"])
    mysql.on_writer(rds, "my", "CREATE DATABASE app")
    mysql.on_writer(rds, "my", "CREATE TABLE app.t (n int primary key)")
    mysql.on_writer(rds, "my", "INSERT INTO app.t VALUES (1), (2), (3)")
    mysql.eventually(lambda: mysql.on_reader(rds, "my", "SELECT count(*) FROM app.t") == ((3,),), "the reader's rows")

    rds.stop_db_cluster(DBClusterIdentifier="my")
    wait_cluster(rds, "my", "stopped")
    assert {instance(rds, name)["DBInstanceStatus"] for name in ("my-1", "my-2")} == {"stopped"}
    with pytest.raises(mysql.pymysql.MySQLError):
        mysql.on_instance(rds, "my-1", "SELECT 1")

    rds.start_db_cluster(DBClusterIdentifier="my")
    wait_cluster(rds, "my")
    wait_instances(rds, ["my-1", "my-2"])
    mysql.eventually(lambda: mysql.on_writer(rds, "my", "SELECT count(*) FROM app.t") == ((3,),), "the writer's rows")
    mysql.on_writer(rds, "my", "INSERT INTO app.t VALUES (4)")
    mysql.eventually(lambda: mysql.on_reader(rds, "my", "SELECT max(n) FROM app.t") == ((4,),), "the reader streaming")


def test_a_kill_while_a_cluster_stops_or_starts_is_resumed(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    make_cluster(rds, "crash", readers=1)
    on_writer(rds, "crash", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
    eventually(lambda: on_reader(rds, "crash", "SELECT count(*) FROM t", check=False) == "1", "the reader's row")

    rds.stop_db_cluster(DBClusterIdentifier="crash")
    server.restart(sigkill=True)  # Kura dies with the stop recorded, its servers wherever they were
    rds = server.client("rds")
    wait_cluster(rds, "crash", "stopped")
    for name in ("crash-1", "crash-2"):
        assert instance(rds, name)["DBInstanceStatus"] == "stopped"
        endpoint = instance(rds, name)["Endpoint"]
        eventually(lambda: sql_at(endpoint["Address"], endpoint["Port"], "SELECT 1", check=False).returncode != 0,
                   f"{name}'s server stopped")

    rds.start_db_cluster(DBClusterIdentifier="crash")
    server.restart(sigkill=True)
    rds = server.client("rds")
    wait_cluster(rds, "crash")
    wait_instances(rds, ["crash-1", "crash-2"])
    eventually(lambda: on_writer(rds, "crash", "SELECT count(*) FROM t", check=False) == "1", "the writer's row")
    on_writer(rds, "crash", "INSERT INTO t VALUES (2)")
    eventually(lambda: on_reader(rds, "crash", "SELECT max(n) FROM t", check=False) == "2", "the reader streaming")
