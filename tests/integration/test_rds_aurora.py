"""Aurora PostgreSQL clusters on real PostgreSQL: a writer and streaming
readers behind a cluster endpoint and a reader endpoint that Kura owns;
cluster snapshots and point-in-time restores that hold the data; and
failovers (asked for, a killed writer, a deleted writer) that keep every
acknowledged commit while the cluster endpoint follows the new writer."""
import os
import signal
import subprocess
import time

import botocore.exceptions
import pytest

from rds_support import PASSWORD, cluster, eventually, psql, wait_cluster, wait_instances, writer_of  # noqa: F401 (the drills import them from here)
from steady_writer import SteadyWriter

psycopg = pytest.importorskip("psycopg2")

ENGINE = "aurora-postgresql"


def error_code(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"]


def make_cluster(rds, identifier, readers=0, **extra):
    rds.create_db_cluster(DBClusterIdentifier=identifier, Engine=ENGINE, MasterUsername="admin",
                          MasterUserPassword=PASSWORD, **extra)
    wait_cluster(rds, identifier)
    add_instances(rds, identifier, [f"{identifier}-1"])
    add_instances(rds, identifier, [f"{identifier}-{n + 2}" for n in range(readers)])


def add_instances(rds, identifier, names):
    for name in names:
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier=identifier, Engine=ENGINE,
                               DBInstanceClass="db.r6g.large")
    wait_instances(rds, names)


def sql_at(host, port, sql, check=True, password=PASSWORD):
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                             f"host={host} port={port} user=admin dbname=postgres", "-c", sql],
                            capture_output=True, text=True, env=env, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"psql failed: {result.stderr}")
    return result.stdout.strip() if result.returncode == 0 else result


def on_writer(rds, identifier, sql, check=True):
    c = cluster(rds, identifier)
    return sql_at(c["Endpoint"], c["Port"], sql, check)


def on_reader(rds, identifier, sql, check=True):
    c = cluster(rds, identifier)
    return sql_at(c["ReaderEndpoint"], c["Port"], sql, check)


def test_cluster_writer_readers_and_endpoints(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    assert error_code(rds.create_db_cluster, DBClusterIdentifier="my", Engine="neptune",
                      MasterUsername="admin", MasterUserPassword=PASSWORD) == "InvalidParameterValue"
    rds.create_db_cluster(DBClusterIdentifier="aur", Engine=ENGINE, MasterUsername="admin",
                          MasterUserPassword=PASSWORD, DatabaseName="app", Tags=[{"Key": "team", "Value": "db"}])
    assert error_code(rds.create_db_cluster, DBClusterIdentifier="aur", Engine=ENGINE, MasterUsername="admin",
                      MasterUserPassword=PASSWORD) == "DBClusterAlreadyExistsFault"
    assert error_code(rds.describe_db_clusters, DBClusterIdentifier="nope") == "DBClusterNotFoundFault"
    wait_cluster(rds, "aur")
    described = cluster(rds, "aur")
    assert described["Engine"] == ENGINE and described["DatabaseName"] == "app"
    assert described["DBClusterMembers"] == [] and described["BackupRetentionPeriod"] == 1
    assert described["Endpoint"] == "127.0.0.1" and described["ReaderEndpoint"] == "127.0.0.2"
    assert described["TagList"] == [{"Key": "team", "Value": "db"}]
    assert error_code(rds.create_db_instance, DBInstanceIdentifier="x", DBClusterIdentifier="nope", Engine=ENGINE,
                      DBInstanceClass="db.r6g.large") == "DBClusterNotFoundFault"
    assert error_code(rds.create_db_instance, DBInstanceIdentifier="x", DBClusterIdentifier="aur", Engine=ENGINE,
                      DBInstanceClass="db.r6g.large", MasterUsername="admin",
                      MasterUserPassword=PASSWORD) == "InvalidParameterCombination"
    assert error_code(rds.create_db_cluster_snapshot, DBClusterIdentifier="aur",
                      DBClusterSnapshotIdentifier="empty") == "InvalidDBClusterStateFault"

    add_instances(rds, "aur", ["aur-1"])
    assert writer_of(rds, "aur") == "aur-1"
    on_writer(rds, "aur", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
    add_instances(rds, "aur", ["aur-2", "aur-3"])
    assert writer_of(rds, "aur") == "aur-1"
    assert len(cluster(rds, "aur")["DBClusterMembers"]) == 3 and cluster(rds, "aur")["MultiAZ"] is True
    on_writer(rds, "aur", "INSERT INTO t VALUES (2)")
    # Every reader behind the reader endpoint has the row, and none takes writes.
    for _ in range(4):
        eventually(lambda: on_reader(rds, "aur", "SELECT count(*) FROM t") == "2", "reader rows")
        refused = on_reader(rds, "aur", "INSERT INTO t VALUES (99)", check=False)
        assert refused.returncode != 0 and "read-only" in refused.stderr
    assert on_writer(rds, "aur", "SELECT pg_is_in_recovery()") == "f"
    assert psql(rds, "aur-2", "SELECT pg_is_in_recovery()") == "t"
    members = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": ["aur"]}])["DBInstances"]
    assert sorted(m["DBInstanceIdentifier"] for m in members) == ["aur-1", "aur-2", "aur-3"]
    assert all(m["DBClusterIdentifier"] == "aur" and m["Engine"] == ENGINE for m in members)

    assert error_code(rds.delete_db_cluster, DBClusterIdentifier="aur",
                      SkipFinalSnapshot=True) == "InvalidDBClusterStateFault"
    assert error_code(rds.failover_db_cluster, DBClusterIdentifier="aur",
                      TargetDBInstanceIdentifier="aur-1") == "InvalidDBInstanceState"
    assert error_code(rds.delete_db_instance, DBInstanceIdentifier="aur-2",
                      FinalDBSnapshotIdentifier="no") == "InvalidParameterCombination"
    assert error_code(rds.create_db_snapshot, DBInstanceIdentifier="aur-1",
                      DBSnapshotIdentifier="direct") == "InvalidParameterValue"  # CreateDBClusterSnapshot instead
    # A reader goes: the reader endpoint serves on with the other one.
    rds.delete_db_instance(DBInstanceIdentifier="aur-3")
    eventually(lambda: len(cluster(rds, "aur")["DBClusterMembers"]) == 2, "reader deleted")
    for _ in range(3):
        assert on_reader(rds, "aur", "SELECT count(*) FROM t") == "2"


def steady_writer(host, port):
    """A steady writer of rows into `acked` through the endpoint at host:port."""
    def connect():
        connection = psycopg.connect(host=host, port=port, user="admin", password=PASSWORD, dbname="postgres",
                                     connect_timeout=3)
        connection.autocommit = True
        return connection
    return SteadyWriter(connect, "INSERT INTO acked (n) VALUES (%s)")


def writer_pid(server, rds, identifier):
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    path = os.path.join(server.data_dir, "rds", "instances", instance["DbiResourceId"], "pgdata", "postmaster.pid")
    with open(path) as f:
        return int(f.readline())


@pytest.mark.serial
def test_cluster_failovers_keep_every_acknowledged_commit(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    make_cluster(rds, "fo", readers=2)
    on_writer(rds, "fo", "CREATE TABLE acked (n int)")
    endpoint = cluster(rds, "fo")["Endpoint"], cluster(rds, "fo")["Port"]
    writer = steady_writer(*endpoint)
    writer.start()
    writer.wait_resumed()
    try:
        # Asked for, to a chosen reader; then the writer killed, twice.
        for fault in ("planned", "kill", "kill"):
            # Commits wait for a reader again (during a rebuild they do not: docs/operations.md).
            eventually(lambda: on_writer(rds, "fo", "SELECT count(*) FROM pg_stat_replication "
                                                   "WHERE sync_state = 'sync'", check=False) == "1",
                       "a synchronous reader", timeout=60)
            old = writer_of(rds, "fo")
            if fault == "planned":
                target = sorted(m["DBInstanceIdentifier"] for m in cluster(rds, "fo")["DBClusterMembers"]
                                if not m["IsClusterWriter"])[0]
                rds.failover_db_cluster(DBClusterIdentifier="fo", TargetDBInstanceIdentifier=target)
            else:
                os.kill(writer_pid(server, rds, old), signal.SIGKILL)
            new = eventually(lambda: (w := writer_of(rds, "fo")) != old and w, f"{fault}: the writer did not move")
            if fault == "planned":
                assert new == target
            wait_cluster(rds, "fo", timeout=60)
            writer.wait_resumed()
            # The old writer comes back as a reader of the new one, as does the other reader.
            eventually(lambda: psql(rds, old, "SELECT pg_is_in_recovery()", check=False) == "t",
                       f"{fault}: {old} is not a reader", timeout=90)
            last = writer.acked[-1]
            for member in cluster(rds, "fo")["DBClusterMembers"]:
                name = member["DBInstanceIdentifier"]
                eventually(lambda: (psql(rds, name, f"SELECT count(*) FROM acked WHERE n = {last}",
                                         check=False) == "1"), f"{fault}: {name} does not follow {new}", timeout=90)
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    stored = [int(r) for r in on_writer(rds, "fo", "SELECT string_agg(n::text, ',') FROM acked").split(",")]
    assert len(stored) == len(set(stored)), "a row appears twice"
    missing = set(writer.acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged rows lost"
    assert (cluster(rds, "fo")["Endpoint"], cluster(rds, "fo")["Port"]) == endpoint
    messages = [e["Message"] for e in rds.describe_events(SourceType="db-cluster", SourceIdentifier="fo")["Events"]]
    assert sum(m.startswith("Completed failover to DB instance") for m in messages) == 3

    # Deleting the writer fails over to a reader first; its rows stay.
    old = writer_of(rds, "fo")
    rds.delete_db_instance(DBInstanceIdentifier=old)
    eventually(lambda: writer_of(rds, "fo") != old, "deleting the writer did not fail over")
    eventually(lambda: old not in [m["DBInstanceIdentifier"] for m in cluster(rds, "fo")["DBClusterMembers"]],
               "the writer was not deleted", timeout=60)
    assert int(on_writer(rds, "fo", "SELECT count(*) FROM acked")) == len(stored)


def test_cluster_snapshot_restore_and_point_in_time(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    make_cluster(rds, "src", readers=1)
    on_writer(rds, "src", "CREATE TABLE t (label text); INSERT INTO t VALUES ('before')")
    rds.create_db_cluster_snapshot(DBClusterIdentifier="src", DBClusterSnapshotIdentifier="src-snap")
    eventually(lambda: rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="src-snap")
               ["DBClusterSnapshots"][0]["Status"] == "available", "snapshot", timeout=120)
    assert error_code(rds.create_db_cluster_snapshot, DBClusterIdentifier="src",
                      DBClusterSnapshotIdentifier="src-snap") == "DBClusterSnapshotAlreadyExistsFault"
    on_writer(rds, "src", "INSERT INTO t VALUES ('after')")

    # The automated snapshot of the first writer opens the restorable window
    # (16 s alone; in a full parallel run it once took over 60 s).
    eventually(lambda: "EarliestRestorableTime" in cluster(rds, "src") and "LatestRestorableTime" in cluster(rds, "src"),
               "restorable window", timeout=180)
    automated = rds.describe_db_cluster_snapshots(DBClusterIdentifier="src", SnapshotType="automated")
    assert automated["DBClusterSnapshots"] and automated["DBClusterSnapshots"][0]["SnapshotType"] == "automated"
    time.sleep(1.5)
    marker = time.time()
    time.sleep(1.5)
    on_writer(rds, "src", "INSERT INTO t VALUES ('later')")
    eventually(lambda: cluster(rds, "src")["LatestRestorableTime"].timestamp() > marker + 1, "archive", timeout=60)

    assert error_code(rds.restore_db_cluster_from_snapshot, DBClusterIdentifier="r", SnapshotIdentifier="nope",
                      Engine=ENGINE) == "DBClusterSnapshotNotFoundFault"
    rds.restore_db_cluster_from_snapshot(DBClusterIdentifier="from-snap", SnapshotIdentifier="src-snap", Engine=ENGINE)
    rds.restore_db_cluster_to_point_in_time(DBClusterIdentifier="to-time", SourceDBClusterIdentifier="src",
                                            RestoreToTime=marker)
    assert error_code(rds.restore_db_cluster_to_point_in_time, DBClusterIdentifier="too-early",
                      SourceDBClusterIdentifier="src", RestoreToTime=marker - 86400) == "InvalidRestoreFault"
    wait_cluster(rds, "from-snap")
    wait_cluster(rds, "to-time")
    add_instances(rds, "from-snap", ["from-snap-1"])
    add_instances(rds, "to-time", ["to-time-1"])
    assert on_writer(rds, "from-snap", "SELECT string_agg(label, ',' ORDER BY label) FROM t") == "before"
    assert on_writer(rds, "to-time", "SELECT string_agg(label, ',' ORDER BY label) FROM t") == "after,before"
    # The restores are clusters of their own; the source is untouched.
    on_writer(rds, "from-snap", "INSERT INTO t VALUES ('restored')")
    assert on_writer(rds, "src", "SELECT string_agg(label, ',' ORDER BY label) FROM t") == "after,before,later"

    # The last instance goes: the cluster keeps the data for the next one,
    # and a final snapshot of the cluster holds it too.
    rds.delete_db_instance(DBInstanceIdentifier="from-snap-1")
    eventually(lambda: cluster(rds, "from-snap")["DBClusterMembers"] == [], "instance deleted", timeout=60)
    add_instances(rds, "from-snap", ["from-snap-2"])
    assert on_writer(rds, "from-snap", "SELECT string_agg(label, ',' ORDER BY label) FROM t") == "before,restored"
    rds.delete_db_instance(DBInstanceIdentifier="from-snap-2")
    eventually(lambda: cluster(rds, "from-snap")["DBClusterMembers"] == [], "instance deleted", timeout=60)
    rds.delete_db_cluster(DBClusterIdentifier="from-snap", FinalDBSnapshotIdentifier="from-snap-final")
    eventually(lambda: not rds.describe_db_clusters(Filters=[{"Name": "db-cluster-id", "Values": ["from-snap"]}])
               ["DBClusters"], "cluster deleted", timeout=60)
    final = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="from-snap-final")["DBClusterSnapshots"][0]
    assert final["Status"] == "available"
    rds.restore_db_cluster_from_snapshot(DBClusterIdentifier="again", SnapshotIdentifier="from-snap-final",
                                         Engine=ENGINE)
    wait_cluster(rds, "again")
    add_instances(rds, "again", ["again-1"])
    assert on_writer(rds, "again", "SELECT string_agg(label, ',' ORDER BY label) FROM t") == "before,restored"
    rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="src-snap")
    eventually(lambda: not rds.describe_db_cluster_snapshots(
        Filters=[{"Name": "db-cluster-snapshot-id", "Values": ["src-snap"]}])["DBClusterSnapshots"], "snapshot deleted")
    assert error_code(rds.describe_db_cluster_snapshots,
                      DBClusterSnapshotIdentifier="src-snap") == "DBClusterSnapshotNotFoundFault"

    # Nothing was written to the source since 'later': its window keeps
    # moving to now, and a restore to a moment past its last commit holds it all.
    eventually(lambda: cluster(rds, "src")["LatestRestorableTime"].timestamp() > time.time() - 6,
               "an idle cluster's window reaching now", timeout=30)
    rds.restore_db_cluster_to_point_in_time(DBClusterIdentifier="idle-time", SourceDBClusterIdentifier="src",
                                            RestoreToTime=cluster(rds, "src")["LatestRestorableTime"])
    wait_cluster(rds, "idle-time")
    add_instances(rds, "idle-time", ["idle-time-1"])
    assert on_writer(rds, "idle-time", "SELECT string_agg(label, ',' ORDER BY label) FROM t") == "after,before,later"


def test_cluster_parameter_groups_reach_every_instance(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    version = rds.describe_db_engine_versions(Engine=ENGINE)["DBEngineVersions"][0]
    family = version["DBParameterGroupFamily"]
    assert family.startswith(ENGINE)
    assert error_code(rds.create_db_cluster_parameter_group, DBClusterParameterGroupName="p",
                      DBParameterGroupFamily="aurora-mysql5.7", Description="x") == "InvalidParameterValue"
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="aur-params", DBParameterGroupFamily=family,
                                          Description="for the cluster")
    assert error_code(rds.create_db_cluster_parameter_group, DBClusterParameterGroupName="aur-params",
                      DBParameterGroupFamily=family, Description="x") == "DBParameterGroupAlreadyExists"
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="aur-params", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "250", "ApplyMethod": "immediate"}])
    user = rds.describe_db_cluster_parameters(DBClusterParameterGroupName="aur-params", Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in user] == [("log_min_duration_statement", "250")]
    names = [g["DBClusterParameterGroupName"] for g in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]]
    assert "aur-params" in names and f"default.{family}" in names
    defaults = rds.describe_engine_default_cluster_parameters(DBParameterGroupFamily=family)["EngineDefaults"]
    assert defaults["Parameters"]
    assert error_code(rds.create_db_cluster, DBClusterIdentifier="pc", Engine=ENGINE, MasterUsername="admin",
                      MasterUserPassword=PASSWORD,
                      DBClusterParameterGroupName="nope") == "DBClusterParameterGroupNotFound"

    make_cluster(rds, "pc", readers=1, DBClusterParameterGroupName="aur-params")
    assert cluster(rds, "pc")["DBClusterParameterGroup"] == "aur-params"
    for name in ("pc-1", "pc-2"):
        eventually(lambda: psql(rds, name, "SHOW log_min_duration_statement") == "250ms", f"{name} has the value")
    assert error_code(rds.delete_db_cluster_parameter_group,
                      DBClusterParameterGroupName="aur-params") == "InvalidDBParameterGroupState"
    # A change of the group reaches the running instances at once (a dynamic parameter).
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="aur-params", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "500", "ApplyMethod": "immediate"}])
    for name in ("pc-1", "pc-2"):
        eventually(lambda: psql(rds, name, "SHOW log_min_duration_statement") == "500ms", f"{name} follows")
    # The cluster goes back to the default group: the value goes with it.
    rds.modify_db_cluster(DBClusterIdentifier="pc", DBClusterParameterGroupName=f"default.{family}",
                          ApplyImmediately=True)
    eventually(lambda: psql(rds, "pc-1", "SHOW log_min_duration_statement") == "-1", "back to the default")
    rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName="aur-params")
    assert error_code(rds.describe_db_cluster_parameters,
                      DBClusterParameterGroupName="aur-params") == "DBParameterGroupNotFound"

    # An instance's own DB parameter group (family aurora-postgresqlN): its
    # values go over the cluster group's, for that instance only.
    rds.create_db_parameter_group(DBParameterGroupName="aur-instance", DBParameterGroupFamily=family,
                                  Description="one reader")
    rds.modify_db_parameter_group(DBParameterGroupName="aur-instance", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "750", "ApplyMethod": "immediate"}])
    groups = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]
    assert f"default.{family}" in groups and "aur-instance" in groups
    assert cluster(rds, "pc") and rds.describe_db_instances(DBInstanceIdentifier="pc-2")["DBInstances"][0][
        "DBParameterGroups"][0]["DBParameterGroupName"] == f"default.{family}"
    rds.modify_db_instance(DBInstanceIdentifier="pc-2", DBParameterGroupName="aur-instance", ApplyImmediately=True)
    eventually(lambda: psql(rds, "pc-2", "SHOW log_min_duration_statement") == "750ms", "pc-2 has its own value")
    assert psql(rds, "pc-1", "SHOW log_min_duration_statement") == "-1"
    # A group of the other family does not fit, either way.
    postgres_family = family.replace(ENGINE, "postgres")
    rds.create_db_parameter_group(DBParameterGroupName="plain", DBParameterGroupFamily=postgres_family,
                                  Description="for RDS instances")
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="pc-2",
                      DBParameterGroupName="plain") == "InvalidParameterCombination"
    assert error_code(rds.create_db_instance, DBInstanceIdentifier="pc-9", DBClusterIdentifier="pc", Engine=ENGINE,
                      DBInstanceClass="db.r6g.large", DBParameterGroupName="plain") == "InvalidParameterCombination"
