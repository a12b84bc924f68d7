"""Snapshot copies under a KMS key of their own (CopyDBSnapshot and
CopyDBClusterSnapshot with KmsKeyId), as RDS copies them: the copy is
sealed again under the key asked for, so it restores with that key alone
(the source's key disabled), and an unencrypted snapshot's copy is
encrypted; a copy without KmsKeyId keeps its source's key. The copied
data is read back through psql."""
import os
import time

from rds_support import cluster, create_instance, psql, wait_cluster, wait_instances, wait_status
from test_rds_aurora import error_code, make_cluster, on_writer, sql_at
from test_rds_encryption import snapshot_files


def sealed_dirs(server):
    return {os.path.basename(folder) for folder, _ in snapshot_files(server.data_dir, "kura-envelope.json")}


def plain_left(server, names):
    """The plain trees left of the named snapshots (an automated snapshot
    being sealed meanwhile has one of its own, rightly)."""
    return [f for f, _, _ in os.walk(server.data_dir)
            if f.endswith(".plain") and os.path.basename(f).startswith(tuple(n + "-" for n in names))]


def wait_cluster_snapshot(rds, name, wanted="available", timeout=120):
    deadline, status = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        status = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)["DBClusterSnapshots"][0]["Status"]
        if status == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"cluster snapshot {name} is {status}, not {wanted}")


def test_a_snapshot_copied_under_another_key_restores_with_that_key_alone(kura_factory):
    server = kura_factory()
    rds, kms = server.client("rds"), server.client("kms")
    first, second = (kms.create_key(Description=d)["KeyMetadata"] for d in ("first", "second"))
    create_instance(rds, "keyed", StorageEncrypted=True, KmsKeyId=first["KeyId"])
    create_instance(rds, "open")
    marker = "marker-" + os.urandom(6).hex()
    for name in ("keyed", "open"):
        psql(rds, name, f"CREATE TABLE s (v text); INSERT INTO s SELECT '{marker}' FROM generate_series(1, 500)")
        rds.create_db_snapshot(DBInstanceIdentifier=name, DBSnapshotIdentifier=f"{name}-snap")
        wait_status(rds, f"{name}-snap", "available", snapshot=True)

    assert error_code(rds.copy_db_snapshot, SourceDBSnapshotIdentifier="keyed-snap", TargetDBSnapshotIdentifier="x",
                      KmsKeyId="alias/none") == "KMSKeyNotAccessibleFault"
    rds.copy_db_snapshot(SourceDBSnapshotIdentifier="keyed-snap", TargetDBSnapshotIdentifier="keyed-second",
                         KmsKeyId=second["KeyId"])
    rds.copy_db_snapshot(SourceDBSnapshotIdentifier="keyed-snap", TargetDBSnapshotIdentifier="keyed-same")
    rds.copy_db_snapshot(SourceDBSnapshotIdentifier="open-snap", TargetDBSnapshotIdentifier="open-sealed",
                         KmsKeyId=second["Arn"])
    for name in ("keyed-second", "keyed-same", "open-sealed"):
        wait_status(rds, name, "available", snapshot=True)
    shown = {s["DBSnapshotIdentifier"]: s for s in rds.describe_db_snapshots()["DBSnapshots"]}
    assert (shown["keyed-second"]["Encrypted"], shown["keyed-second"]["KmsKeyId"]) == (True, second["Arn"])
    assert (shown["keyed-same"]["Encrypted"], shown["keyed-same"]["KmsKeyId"]) == (True, first["Arn"])
    assert (shown["open-sealed"]["Encrypted"], shown["open-sealed"]["KmsKeyId"]) == (True, second["Arn"])
    assert shown["open-snap"]["Encrypted"] is False
    sealed = sealed_dirs(server)
    for name in ("keyed-snap", "keyed-second", "keyed-same", "open-sealed"):
        assert any(d.startswith(name + "-") for d in sealed), (name, sealed)
    assert not any(d.startswith("open-snap-") for d in sealed)
    for folder, files in snapshot_files(server.data_dir, "kura-envelope.json"):
        for path in files:
            with open(path, "rb") as f:
                assert marker.encode() not in f.read(), path
    # No plain copy is left beside a sealed one.
    assert not plain_left(server, ("keyed-snap", "keyed-second", "keyed-same", "open-sealed"))

    # With the first key off, only what the second key sealed restores.
    kms.disable_key(KeyId=first["KeyId"])
    assert error_code(rds.restore_db_instance_from_db_snapshot, DBInstanceIdentifier="nope",
                      DBSnapshotIdentifier="keyed-same") == "KMSKeyNotAccessibleFault"
    for copy in ("keyed-second", "open-sealed"):
        rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier=f"{copy}-back", DBSnapshotIdentifier=copy)
    for copy in ("keyed-second", "open-sealed"):
        wait_status(rds, f"{copy}-back", "available")
        assert psql(rds, f"{copy}-back", f"SELECT count(*) FROM s WHERE v = '{marker}'") == "500"
        restored = rds.describe_db_instances(DBInstanceIdentifier=f"{copy}-back")["DBInstances"][0]
        assert (restored["StorageEncrypted"], restored["KmsKeyId"]) == (True, second["Arn"])
    # A copy whose source's key is off cannot be made under a new key either.
    assert error_code(rds.copy_db_snapshot, SourceDBSnapshotIdentifier="keyed-snap", TargetDBSnapshotIdentifier="y",
                      KmsKeyId=second["KeyId"]) == "KMSKeyNotAccessibleFault"


def test_a_cluster_snapshot_is_copied_with_its_data(kura_factory):
    server = kura_factory()
    rds, kms = server.client("rds"), server.client("kms")
    first, second = (kms.create_key(Description=d)["KeyMetadata"] for d in ("first", "second"))
    make_cluster(rds, "src")
    make_cluster(rds, "enc", StorageEncrypted=True, KmsKeyId=first["KeyId"])
    for name in ("src", "enc"):
        on_writer(rds, name, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 321)")
        rds.create_db_cluster_snapshot(DBClusterIdentifier=name, DBClusterSnapshotIdentifier=f"{name}-snap",
                                       Tags=[{"Key": "team", "Value": "db"}])
    for name in ("src", "enc"):
        wait_cluster_snapshot(rds, f"{name}-snap")
    assert error_code(rds.copy_db_cluster_snapshot, SourceDBClusterSnapshotIdentifier="nope",
                      TargetDBClusterSnapshotIdentifier="x") == "DBClusterSnapshotNotFoundFault"
    # As in Aurora: an unencrypted cluster snapshot's copy is not encrypted.
    assert error_code(rds.copy_db_cluster_snapshot, SourceDBClusterSnapshotIdentifier="src-snap",
                      TargetDBClusterSnapshotIdentifier="x", KmsKeyId=second["KeyId"]) == "InvalidParameterCombination"
    copied = rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="src-snap",
                                          TargetDBClusterSnapshotIdentifier="src-copy", CopyTags=True)
    assert copied["DBClusterSnapshot"]["Status"] == "creating"
    rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="enc-snap",
                                 TargetDBClusterSnapshotIdentifier="enc-same")
    rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="enc-snap",
                                 TargetDBClusterSnapshotIdentifier="enc-second", KmsKeyId=second["KeyId"])
    assert error_code(rds.copy_db_cluster_snapshot, SourceDBClusterSnapshotIdentifier="src-snap",
                      TargetDBClusterSnapshotIdentifier="src-copy") == "DBClusterSnapshotAlreadyExistsFault"
    for name in ("src-copy", "enc-same", "enc-second"):
        wait_cluster_snapshot(rds, name)
    shown = {s["DBClusterSnapshotIdentifier"]: s for s in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]}
    assert shown["src-copy"]["SourceDBClusterSnapshotArn"] == shown["src-snap"]["DBClusterSnapshotArn"]
    assert shown["src-copy"]["SnapshotCreateTime"] == shown["src-snap"]["SnapshotCreateTime"]
    assert shown["src-copy"]["StorageEncrypted"] is False
    assert (shown["enc-same"]["StorageEncrypted"], shown["enc-same"]["KmsKeyId"]) == (True, first["Arn"])
    assert (shown["enc-second"]["StorageEncrypted"], shown["enc-second"]["KmsKeyId"]) == (True, second["Arn"])
    tags = rds.list_tags_for_resource(ResourceName=shown["src-copy"]["DBClusterSnapshotArn"])["TagList"]
    assert tags == [{"Key": "team", "Value": "db"}]
    assert any(d.startswith("enc-second-") for d in sealed_dirs(server))
    assert not plain_left(server, ("enc-snap", "enc-same", "enc-second"))

    # The source snapshots go, the first key is disabled: the plain copy and
    # the copy under the second key still hold the data; the copy that kept
    # the first key cannot be restored.
    for name in ("src", "enc"):
        rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=f"{name}-snap")
    kms.disable_key(KeyId=first["KeyId"])
    assert error_code(rds.restore_db_cluster_from_snapshot, DBClusterIdentifier="nope", SnapshotIdentifier="enc-same",
                      Engine="aurora-postgresql") == "KMSKeyNotAccessibleFault"
    for copy in ("src-copy", "enc-second"):
        rds.restore_db_cluster_from_snapshot(DBClusterIdentifier=f"{copy}-back", SnapshotIdentifier=copy,
                                             Engine="aurora-postgresql")
    for copy in ("src-copy", "enc-second"):
        wait_cluster(rds, f"{copy}-back")
        rds.create_db_instance(DBInstanceIdentifier=f"{copy}-back-1", DBClusterIdentifier=f"{copy}-back",
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["src-copy-back-1", "enc-second-back-1"])
    for copy in ("src-copy", "enc-second"):
        c = cluster(rds, f"{copy}-back")
        assert sql_at(c["Endpoint"], c["Port"], "SELECT count(*), max(n) FROM t") == "321|321"
    assert (cluster(rds, "enc-second-back")["StorageEncrypted"], cluster(rds, "enc-second-back")["KmsKeyId"]) == (
        True, second["Arn"])
