"""What Kura reports as done is on disk first, for the engines' data: under
strace (see syscall_trace.py), the fsync of every file a report stands on,
and of the folders that hold their names, ends before the answer that first
reports it:
- a WAL segment (PostgreSQL, plain or sealed for an encrypted instance) or
  binary log (MariaDB) counted in LatestRestorableTime: the archived copy
  and the archive's folder, synced after the copy was renamed into it;
- an RDS snapshot (PostgreSQL, MariaDB) and a copy of one, an Aurora
  cluster snapshot, an ElastiCache snapshot and a copy of one, before the
  describe that first shows it `available`;
- a restore's files (a point-in-time restore of PostgreSQL and of MariaDB,
  an ElastiCache cluster made from a snapshot) before the restored resource
  is first `available`.
Each test then reads the data back through the restored resource. Skipped
where strace is missing (scripts/install-deps.sh installs it)."""
import datetime
import glob
import os
import re
import subprocess
import time

import pytest

from rds_support import PASSWORD, psql
from syscall_trace import STRACE, TracedKura, answered_at, made_at, renamed_into, synced_at

pytestmark = pytest.mark.skipif(STRACE is None, reason="strace is not installed (scripts/install-deps.sh installs it)")


def poll(call, done, timeout, what):
    """Calls `call` until `done(response)`; returns (response, its request id)."""
    deadline = time.monotonic() + timeout
    while True:
        response = call()
        if done(response):
            return response, response["ResponseMetadata"]["RequestId"]
        assert time.monotonic() < deadline, f"{what}: not reached in {timeout} s ({response})"
        time.sleep(0.3)


def assert_synced(calls, paths, before, after=0.0, what=""):
    """Each of `paths` synced by a call begun at or after `after` and ended
    by `before`. `after` is the client's clock just before it asked for the
    work (strace's -ttt reads the same clock): the work runs beside the
    request and may sync a folder before the request's answer is written."""
    for path in paths:
        at = synced_at(calls, path, after)
        assert at is not None, f"{what}: {path} was never synced"
        assert at <= before, f"{what}: {path} was synced at {at}, after the answer at {before}"


def assert_folder_synced_after_entry(calls, child, before, what):
    """The folder holding `child` synced after `child`'s name was made in it
    (mkdir or rename, in the trace) and by `before`."""
    made = made_at(calls, child)
    assert made is not None, f"{what}: the trace does not show how {child} was made"
    assert_synced(calls, [os.path.dirname(child)], before, after=made, what=what)


def assert_snapshot_synced(calls, parent, name, image, asked, shown):
    """The snapshot `name` under `parent` (as `<name>-<id>`): every file and
    folder in it synced before `shown`, the folder that holds it after the
    snapshot's folder was made in it (and after `asked`)."""
    [snap_dir] = [d for d in glob.glob(os.path.join(parent, name + "-*"))
                  if re.fullmatch(re.escape(name) + r"-\d+", os.path.basename(d))]
    files = [os.path.join(d, f) for d, _, fs in os.walk(snap_dir) for f in fs]
    folders = [d for d, _, _ in os.walk(snap_dir)]
    assert any(f.endswith(image) for f in files), files
    assert_synced(calls, files + folders, shown, what=name)
    assert os.path.dirname(snap_dir) == parent
    assert_folder_synced_after_entry(calls, snap_dir, shown, name + "'s folder")
    assert made_at(calls, snap_dir) >= asked, f"{snap_dir} was made before the request"


def assert_archive_counted_only_synced(calls, archive, is_log, latest, answered, writing, what):
    """Every archived file that the LatestRestorableTime answered stands on
    was synced, and renamed into the archive before a sync of its folder,
    all before the answer; one of them was archived after the test's write
    began (at `writing`). Kura counts the files archived by the newest one,
    whose time T gives floor(T - 1 s): those of times up to `latest` + 1 s,
    and the next one if it was in the archive before the answer."""
    files = sorted((os.path.getmtime(os.path.join(archive, n)), n) for n in os.listdir(archive) if is_log(n))
    counted = [(name, mtime) for mtime, name in files if mtime <= latest + 1]
    later = [(name, mtime) for mtime, name in files if mtime > latest + 1]
    if later:
        renamed = renamed_into(calls, os.path.join(archive, later[0][0]))
        if renamed is not None and renamed <= answered:
            counted.append(later[0])
    assert counted, f"{what}: nothing in {os.listdir(archive)} is counted in {latest}"
    assert any(mtime >= writing - 0.01 for _, mtime in counted), \
        f"{what}: no file archived after the write begun at {writing} is counted in {latest}: {counted}"
    for name, _ in counted:
        path = os.path.join(archive, name)
        # The copy's content: synced under its final name or before it was
        # renamed into place (the same file).
        ends = [t for t in (synced_at(calls, path), synced_at(calls, path + ".part"),
                            synced_at(calls, path + ".kura-new")) if t is not None]
        assert ends and min(ends) <= answered, \
            f"{what}: {name} counted in LatestRestorableTime before it was synced ({ends} vs {answered})"
        renamed = renamed_into(calls, path)
        assert renamed is not None, f"{what}: no rename of {name} into the archive in the trace"
        folder = synced_at(calls, archive, after=renamed)
        assert folder is not None and folder <= answered, \
            f"{what}: the archive's folder was not synced after {name} was renamed into it, before the answer"


def test_postgres_wal_snapshot_and_point_in_time_restore_are_synced_before_reported():
    with TracedKura() as kura:
        rds = kura.client("rds")
        rds.create_db_instance(DBInstanceIdentifier="durpg", Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                               BackupRetentionPeriod=1)
        describe = lambda name: lambda: rds.describe_db_instances(DBInstanceIdentifier=name)  # noqa: E731
        status = lambda r: r["DBInstances"][0]["DBInstanceStatus"]  # noqa: E731
        poll(describe("durpg"), lambda r: status(r) == "available", 300, "durpg available")
        writing = time.time()
        psql(rds, "durpg", "CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')")
        written = time.time()

        snap_asked = time.time()
        rds.create_db_snapshot(DBInstanceIdentifier="durpg", DBSnapshotIdentifier="durpg-snap")
        _, snap_shown = poll(lambda: rds.describe_db_snapshots(DBSnapshotIdentifier="durpg-snap"),
                             lambda r: r["DBSnapshots"][0]["Status"] == "available", 180, "snapshot available")

        copy_asked = time.time()
        rds.copy_db_snapshot(SourceDBSnapshotIdentifier="durpg-snap", TargetDBSnapshotIdentifier="durpg-copy")
        _, copy_shown = poll(lambda: rds.describe_db_snapshots(DBSnapshotIdentifier="durpg-copy"),
                             lambda r: r["DBSnapshots"][0]["Status"] == "available", 180, "copy available")

        response, lrt_shown = poll(describe("durpg"),
                                   lambda r: r["DBInstances"][0].get("LatestRestorableTime", datetime.datetime.min
                                                                     .replace(tzinfo=datetime.timezone.utc))
                                   .timestamp() >= written, 60, "LatestRestorableTime past the write")
        source = response["DBInstances"][0]
        latest = source["LatestRestorableTime"]

        restore_asked = time.time()
        rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="durpg",
                                                 TargetDBInstanceIdentifier="durpg-pitr", RestoreTime=latest)
        restored, restore_shown = poll(describe("durpg-pitr"), lambda r: status(r) in ("available", "failed",
                                                                                       "incompatible-restore"),
                                       300, "restored instance available")
        assert status(restored) == "available", restored
        assert psql(rds, "durpg-pitr", "SELECT v FROM t") == "kept"
        restored_id = restored["DBInstances"][0]["DbiResourceId"]
        source_id = source["DbiResourceId"]
        kura.stop()  # the trace is whole once strace ends; the files stay until the context ends
        calls = kura.calls()
        data = kura.data_dir

        # The WAL archive.
        archive = os.path.join(data, "rds", "wal", source_id)
        assert_archive_counted_only_synced(calls, archive, lambda n: re.fullmatch(r"[0-9A-F]{24}", n) is not None,
                                           latest.timestamp(), answered_at(calls, lrt_shown), writing, "WAL")

        # The snapshot and its copy: every file, its folders, and the folder that holds it.
        assert_snapshot_synced(calls, os.path.join(data, "rds", "snapshots"), "durpg-snap", "base.tar.gz",
                               snap_asked, answered_at(calls, snap_shown))
        assert_snapshot_synced(calls, os.path.join(data, "rds", "snapshots"), "durpg-copy", "base.tar.gz",
                               copy_asked, answered_at(calls, copy_shown))

        # The restore's files (from the snapshot's tar: PostgreSQL never
        # rewrites these), the instance's folder and the one holding it.
        shown = answered_at(calls, restore_shown)
        instance = os.path.join(data, "rds", "instances", restored_id)
        assert_synced(calls, [os.path.join(instance, "pgdata", "PG_VERSION"),
                              os.path.join(instance, "pgdata", "postgresql.conf"),
                              os.path.join(instance, "pgdata", "base"),
                              instance], shown, after=restore_asked, what="restore")
        assert_folder_synced_after_entry(calls, instance, shown, "restore's folder")


def test_encrypted_postgres_sealed_wal_is_synced_before_it_counts():
    """An encrypted instance's segments wait in an outbox; Kura seals each
    into the archive, and syncs it and the folder before the outbox's copy
    goes and before it counts."""
    with TracedKura() as kura:
        rds = kura.client("rds")
        rds.create_db_instance(DBInstanceIdentifier="dursealed", Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                               BackupRetentionPeriod=1, StorageEncrypted=True)
        describe = lambda: rds.describe_db_instances(DBInstanceIdentifier="dursealed")  # noqa: E731
        poll(describe, lambda r: r["DBInstances"][0]["DBInstanceStatus"] == "available", 300, "available")
        writing = time.time()
        psql(rds, "dursealed", "CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')")
        written = time.time()
        response, shown = poll(describe, lambda r: "LatestRestorableTime" in r["DBInstances"][0] and
                               r["DBInstances"][0]["LatestRestorableTime"].timestamp() >= written, 60,
                               "LatestRestorableTime past the write")
        latest = response["DBInstances"][0]["LatestRestorableTime"]
        source_id = response["DBInstances"][0]["DbiResourceId"]
        kura.stop()
        calls = kura.calls()
        archive = os.path.join(kura.data_dir, "rds", "wal", source_id)
        assert os.path.exists(os.path.join(archive, "kura-envelope.json")), os.listdir(archive)
        assert_archive_counted_only_synced(calls, archive, lambda n: re.fullmatch(r"[0-9A-F]{24}", n) is not None,
                                           latest.timestamp(), answered_at(calls, shown), writing, "sealed WAL")


def mariadb_query(rds, identifier, sql):
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    result = subprocess.run(["mariadb", "--no-defaults", "-h", instance["Endpoint"]["Address"], "-P",
                             str(instance["Endpoint"]["Port"]), "-u", "admin", f"-p{PASSWORD}", "-N", "-B",
                             "-e", sql], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.skipif(not os.path.exists("/usr/sbin/mariadbd"), reason="no MariaDB server installed")
def test_mariadb_binary_logs_snapshot_and_point_in_time_restore_are_synced_before_reported():
    with TracedKura() as kura:
        rds = kura.client("rds")
        rds.create_db_instance(DBInstanceIdentifier="durmaria", Engine="mariadb", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                               BackupRetentionPeriod=1)
        describe = lambda: rds.describe_db_instances(DBInstanceIdentifier="durmaria")  # noqa: E731
        poll(describe, lambda r: r["DBInstances"][0]["DBInstanceStatus"] == "available", 300, "available")
        writing = time.time()
        mariadb_query(rds, "durmaria", "CREATE DATABASE d; CREATE TABLE d.t (v text); INSERT INTO d.t VALUES ('kept')")
        written = time.time()
        response, shown = poll(describe, lambda r: "LatestRestorableTime" in r["DBInstances"][0] and
                               r["DBInstances"][0]["LatestRestorableTime"].timestamp() >= written, 60,
                               "LatestRestorableTime past the write")
        latest = response["DBInstances"][0]["LatestRestorableTime"]
        source_id = response["DBInstances"][0]["DbiResourceId"]
        snap_asked = time.time()
        rds.create_db_snapshot(DBInstanceIdentifier="durmaria", DBSnapshotIdentifier="durmaria-snap")
        _, snap_shown = poll(lambda: rds.describe_db_snapshots(DBSnapshotIdentifier="durmaria-snap"),
                             lambda r: r["DBSnapshots"][0]["Status"] == "available", 180, "snapshot available")
        asked = time.time()
        rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="durmaria",
                                                 TargetDBInstanceIdentifier="durmaria-pitr", RestoreTime=latest)
        restored, restore_shown = poll(lambda: rds.describe_db_instances(DBInstanceIdentifier="durmaria-pitr"),
                                       lambda r: r["DBInstances"][0]["DBInstanceStatus"] in (
                                           "available", "failed", "incompatible-restore"), 300, "restored")
        assert restored["DBInstances"][0]["DBInstanceStatus"] == "available", restored
        assert mariadb_query(rds, "durmaria-pitr", "SELECT v FROM d.t") == "kept"
        restored_id = restored["DBInstances"][0]["DbiResourceId"]
        kura.stop()
        calls = kura.calls()
        data = kura.data_dir
        archive = os.path.join(data, "rds", "wal", source_id)
        assert_archive_counted_only_synced(calls, archive, lambda n: re.fullmatch(r".+-bin\.\d{6}", n) is not None,
                                           latest.timestamp(), answered_at(calls, shown), writing, "binary log")
        # The snapshot (mariabackup's files): every file and folder.
        assert_snapshot_synced(calls, os.path.join(data, "rds", "snapshots"), "durmaria-snap", "kura-manifest.json",
                               snap_asked, answered_at(calls, snap_shown))
        # The restore's files: the table's, copied from the backup and
        # replayed into, the server's folders, the instance's and the one holding it.
        instance = os.path.join(data, "rds", "instances", restored_id)
        assert_synced(calls, [os.path.join(instance, "data", "d", "t.frm"), os.path.join(instance, "data", "d"),
                              os.path.join(instance, "data"), instance],
                      answered_at(calls, restore_shown), after=asked, what="restore")
        assert_folder_synced_after_entry(calls, instance, answered_at(calls, restore_shown), "restore's folder")


@pytest.mark.skipif(not os.path.exists("/usr/lib/postgresql"), reason="no PostgreSQL installed")
def test_aurora_cluster_snapshot_is_synced_before_available():
    with TracedKura() as kura:
        rds = kura.client("rds")
        rds.create_db_cluster(DBClusterIdentifier="duraur", Engine="aurora-postgresql", MasterUsername="admin",
                              MasterUserPassword=PASSWORD)
        rds.create_db_instance(DBInstanceIdentifier="duraur-1", DBClusterIdentifier="duraur",
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
        poll(lambda: rds.describe_db_instances(DBInstanceIdentifier="duraur-1"),
             lambda r: r["DBInstances"][0]["DBInstanceStatus"] == "available", 300, "writer available")
        poll(lambda: rds.describe_db_clusters(DBClusterIdentifier="duraur"),
             lambda r: r["DBClusters"][0]["Status"] == "available", 120, "cluster available")
        asked = time.time()
        rds.create_db_cluster_snapshot(DBClusterIdentifier="duraur", DBClusterSnapshotIdentifier="duraur-snap")
        _, shown = poll(lambda: rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="duraur-snap"),
                        lambda r: r["DBClusterSnapshots"][0]["Status"] == "available", 180, "cluster snapshot")
        kura.stop()
        calls = kura.calls()
        assert_snapshot_synced(calls, os.path.join(kura.data_dir, "rds", "cluster-snapshots"), "duraur-snap",
                               "base.tar.gz", asked,
                               answered_at(calls, shown))


def redis_cli(cluster, *args):
    node = cluster["CacheNodes"][0]["Endpoint"]
    result = subprocess.run(["redis-cli", "-h", node["Address"], "-p", str(node["Port"]), *args],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_cache_snapshot_its_copy_and_a_restore_are_synced_before_available():
    with TracedKura() as kura:
        ec = kura.client("elasticache")
        clusters = lambda name: lambda: ec.describe_cache_clusters(CacheClusterId=name,  # noqa: E731
                                                                  ShowCacheNodeInfo=True)
        status = lambda r: r["CacheClusters"][0]["CacheClusterStatus"]  # noqa: E731
        ec.create_cache_cluster(CacheClusterId="durcache", Engine="redis", CacheNodeType="cache.t3.micro",
                                NumCacheNodes=1)
        source, _ = poll(clusters("durcache"), lambda r: status(r) == "available", 120, "cluster available")
        assert redis_cli(source["CacheClusters"][0], "SET", "k", "kept") == "OK"

        snapshots = lambda name: lambda: ec.describe_snapshots(SnapshotName=name)  # noqa: E731
        available = lambda r: r["Snapshots"][0]["SnapshotStatus"] == "available"  # noqa: E731
        snap_asked = time.time()
        ec.create_snapshot(CacheClusterId="durcache", SnapshotName="dursnap")
        _, snap_shown = poll(snapshots("dursnap"), available, 120, "snapshot available")
        copy_asked = time.time()
        ec.copy_snapshot(SourceSnapshotName="dursnap", TargetSnapshotName="dursnap-copy")
        _, copy_shown = poll(snapshots("dursnap-copy"), available, 120, "copy available")

        restore_asked = time.time()
        ec.create_cache_cluster(CacheClusterId="durrestored", SnapshotName="dursnap-copy")
        restored, restore_shown = poll(clusters("durrestored"), lambda r: status(r) == "available", 120,
                                       "restored cluster available")
        assert redis_cli(restored["CacheClusters"][0], "GET", "k") == "kept"
        kura.stop()
        calls = kura.calls()
        data = kura.data_dir

        for name, asked, shown in (("dursnap", snap_asked, snap_shown), ("dursnap-copy", copy_asked, copy_shown)):
            assert_snapshot_synced(calls, os.path.join(data, "elasticache", "snapshots"), name, "dump.rdb",
                                   asked, answered_at(calls, shown))

        [node] = glob.glob(os.path.join(data, "elasticache", "clusters", "durrestored-*", "node-0001"))
        shown = answered_at(calls, restore_shown)
        assert_synced(calls, [os.path.join(node, "data", "dump.rdb")], shown, after=restore_asked, what="restore")
        # Each folder after the name made in it: the image renamed into
        # data/, data/ made in the node's folder.
        assert_folder_synced_after_entry(calls, os.path.join(node, "data", "dump.rdb"), shown, "restore's data folder")
        assert_folder_synced_after_entry(calls, os.path.join(node, "data"), shown, "restore's node folder")
