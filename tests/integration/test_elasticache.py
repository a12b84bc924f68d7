"""ElastiCache cache clusters on real Redis: create, write through
redis-cli, snapshot, restore into a new cluster, and the error paths. The
runbook's `aws elasticache create-snapshot` runs verbatim."""
import glob
import os
import subprocess
import time

import botocore.exceptions
import pytest


def wait_cluster(ec, cluster_id, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            clusters = ec.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)["CacheClusters"]
        except ec.exceptions.CacheClusterNotFoundFault:
            if wanted == "gone":
                return None
            raise
        status = clusters[0]["CacheClusterStatus"]
        if status == wanted:
            return clusters[0]
        if status in ("failed", "restore-failed") and wanted != status:
            raise AssertionError(f"{cluster_id} is {status}")
        time.sleep(0.2)
    raise AssertionError(f"{cluster_id} is still {status}, not {wanted}")


def wait_snapshot(ec, name, wanted="available", timeout=60):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = ec.describe_snapshots(SnapshotName=name)["Snapshots"][0]["SnapshotStatus"]
        if status == wanted:
            return
        if status == "failed":
            raise AssertionError(f"snapshot {name} failed")
        time.sleep(0.2)
    raise AssertionError(f"snapshot {name} is still {status}")


def redis(cluster, *args, check=True):
    endpoint = cluster["CacheNodes"][0]["Endpoint"]
    result = subprocess.run(["redis-cli", "-h", endpoint["Address"], "-p", str(endpoint["Port"]), *args],
                            capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise AssertionError(f"redis-cli failed: {result.stderr}")
    return result.stdout.strip()


def create_cluster(ec, cluster_id, **extra):
    ec.create_cache_cluster(CacheClusterId=cluster_id, Engine="redis", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1, **extra)
    return wait_cluster(ec, cluster_id, "available")


def test_runbook_snapshot_holds_the_data_and_a_restore_brings_it_back(kura):
    ec = kura.client("elasticache")
    cluster = create_cluster(ec, "prod-redis")
    assert redis(cluster, "PING") == "PONG"
    redis(cluster, "EVAL", "for i=0,199 do redis.call('SET', 'user:'..i, 'value-'..i) end", "0")
    redis(cluster, "RPUSH", "queue", "a", "b", "c")

    # The runbook's command, verbatim.
    out = kura.aws("elasticache", "create-snapshot", "--cache-cluster-id", "prod-redis",
                   "--snapshot-name", "prod-redis-snap-20250630")
    assert out["Snapshot"]["SnapshotName"] == "prod-redis-snap-20250630"
    assert out["Snapshot"]["SnapshotStatus"] == "creating"
    wait_snapshot(ec, "prod-redis-snap-20250630")
    # Written after the snapshot: not in the restore.
    redis(cluster, "SET", "after-snapshot", "1")

    snapshot = ec.describe_snapshots(CacheClusterId="prod-redis")["Snapshots"][0]
    assert snapshot["SnapshotSource"] == "manual"
    assert snapshot["Engine"] == "redis" and snapshot["CacheNodeType"] == "cache.t3.micro"
    assert snapshot["NodeSnapshots"][0]["CacheNodeId"] == "0001"
    assert snapshot["NodeSnapshots"][0]["SnapshotCreateTime"]

    # The runbook: after a failure, a new cluster from the snapshot.
    ec.create_cache_cluster(CacheClusterId="prod-redis-restore", SnapshotName="prod-redis-snap-20250630")
    restored = wait_cluster(ec, "prod-redis-restore", "available")
    assert restored["Engine"] == "redis" and restored["CacheNodeType"] == "cache.t3.micro"
    assert restored["CacheNodes"][0]["Endpoint"]["Port"] != cluster["CacheNodes"][0]["Endpoint"]["Port"]
    assert redis(restored, "DBSIZE") == "201"
    assert redis(restored, "GET", "user:123") == "value-123"
    assert redis(restored, "LRANGE", "queue", "0", "-1").split() == ["a", "b", "c"]
    assert redis(restored, "EXISTS", "after-snapshot") == "0"
    # The source is untouched.
    assert redis(cluster, "EXISTS", "after-snapshot") == "1"

    # The restored cluster persists what is written to it: a reboot keeps it.
    redis(restored, "SET", "written-after-restore", "yes")
    ec.reboot_cache_cluster(CacheClusterId="prod-redis-restore", CacheNodeIdsToReboot=["0001"])
    restored = wait_cluster(ec, "prod-redis-restore", "available")
    assert redis(restored, "GET", "written-after-restore") == "yes"
    assert redis(restored, "GET", "user:7") == "value-7"

    events = ec.describe_events(SourceType="cache-cluster", SourceIdentifier="prod-redis")["Events"]
    messages = [e["Message"] for e in events]
    assert "Cache cluster created" in messages
    assert any("prod-redis-snap-20250630" in m and "succeeded" in m for m in messages)
    restarted = ec.describe_events(SourceType="cache-cluster", SourceIdentifier="prod-redis-restore")["Events"]
    assert "Cache node 0001 restarted" in [e["Message"] for e in restarted]

    for cluster_id in ("prod-redis", "prod-redis-restore"):
        ec.delete_cache_cluster(CacheClusterId=cluster_id)
    for cluster_id in ("prod-redis", "prod-redis-restore"):
        wait_cluster(ec, cluster_id, "gone")
    # A manual snapshot outlives its cluster.
    assert ec.describe_snapshots(SnapshotName="prod-redis-snap-20250630")["Snapshots"][0]["SnapshotStatus"] == "available"
    ec.delete_snapshot(SnapshotName="prod-redis-snap-20250630")


def test_final_snapshot_copy_and_encrypted_snapshot(kura):
    ec = kura.client("elasticache")
    kms = kura.client("kms")
    cluster = create_cluster(ec, "cache-final", Tags=[{"Key": "team", "Value": "payments"}])
    redis(cluster, "SET", "secret-marker", "PLAINTEXT-MARKER-7731")
    tags = ec.list_tags_for_resource(ResourceName=cluster["ARN"])["TagList"]
    assert tags == [{"Key": "team", "Value": "payments"}]

    key = kms.create_key()["KeyMetadata"]["Arn"]
    sealed = ec.create_snapshot(CacheClusterId="cache-final", SnapshotName="cache-sealed", KmsKeyId=key)["Snapshot"]
    assert sealed["KmsKeyId"] == key
    wait_snapshot(ec, "cache-sealed")
    # No stored file holds the plaintext.
    for path in glob.glob(os.path.join(kura.data_dir, "elasticache", "snapshots", "cache-sealed-*", "**"),
                          recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                assert b"PLAINTEXT-MARKER-7731" not in f.read()

    ec.copy_snapshot(SourceSnapshotName="cache-sealed", TargetSnapshotName="cache-sealed-copy")
    wait_snapshot(ec, "cache-sealed-copy")

    ec.delete_cache_cluster(CacheClusterId="cache-final", FinalSnapshotIdentifier="cache-final-snap")
    wait_cluster(ec, "cache-final", "gone")
    wait_snapshot(ec, "cache-final-snap")

    for name, cluster_id in (("cache-sealed-copy", "from-copy"), ("cache-final-snap", "from-final")):
        ec.create_cache_cluster(CacheClusterId=cluster_id, SnapshotName=name)
        restored = wait_cluster(ec, cluster_id, "available")
        assert redis(restored, "GET", "secret-marker") == "PLAINTEXT-MARKER-7731"

    # A disabled key blocks the restore, and nothing else breaks.
    kms.disable_key(KeyId=key)
    ec.create_cache_cluster(CacheClusterId="from-disabled", SnapshotName="cache-sealed")
    wait_cluster(ec, "from-disabled", "restore-failed")
    ec.delete_cache_cluster(CacheClusterId="from-disabled")
    for cluster_id in ("from-copy", "from-final", "from-disabled"):
        if cluster_id != "from-disabled":
            ec.delete_cache_cluster(CacheClusterId=cluster_id)
    for cluster_id in ("from-copy", "from-final", "from-disabled"):
        wait_cluster(ec, cluster_id, "gone")
    kms.enable_key(KeyId=key)


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def test_errors_answer_elasticache_codes_and_change_nothing(kura):
    ec = kura.client("elasticache")
    create_cluster(ec, "cache-errors")
    assert error_code(ec.create_cache_cluster, CacheClusterId="cache-errors", Engine="redis",
                      CacheNodeType="cache.t3.micro", NumCacheNodes=1) == "CacheClusterAlreadyExists"
    assert error_code(ec.create_cache_cluster, CacheClusterId="bad--id", Engine="redis") == "InvalidParameterValue"
    assert error_code(ec.create_cache_cluster, CacheClusterId="two-nodes", Engine="redis",
                      NumCacheNodes=2) == "InvalidParameterValue"
    assert error_code(ec.create_cache_cluster, CacheClusterId="mc", Engine="valkey",
                      NumCacheNodes=1) == "InvalidParameterValue"
    assert error_code(ec.create_cache_cluster, CacheClusterId="old", Engine="redis",
                      EngineVersion="2.8") == "InvalidParameterValue"
    assert error_code(ec.create_cache_cluster, CacheClusterId="nosnap", SnapshotName="missing") == "SnapshotNotFoundFault"
    assert error_code(ec.create_cache_cluster, CacheClusterId="badwin", Engine="redis",
                      SnapshotWindow="25:00-26:00") == "InvalidParameterValue"
    assert error_code(ec.describe_cache_clusters, CacheClusterId="missing") == "CacheClusterNotFound"
    assert error_code(ec.delete_cache_cluster, CacheClusterId="missing") == "CacheClusterNotFound"
    assert error_code(ec.create_snapshot, CacheClusterId="missing", SnapshotName="s1") == "CacheClusterNotFound"
    assert error_code(ec.create_snapshot, ReplicationGroupId="missing", SnapshotName="s1") == "ReplicationGroupNotFoundFault"
    assert error_code(ec.create_snapshot, CacheClusterId="cache-errors",
                      SnapshotName="automatic.mine") == "InvalidParameterValue"
    assert error_code(ec.delete_snapshot, SnapshotName="missing") == "SnapshotNotFoundFault"
    assert error_code(ec.reboot_cache_cluster, CacheClusterId="cache-errors",
                      CacheNodeIdsToReboot=["0002"]) == "InvalidParameterValue"
    ec.create_snapshot(CacheClusterId="cache-errors", SnapshotName="dup")
    wait_snapshot(ec, "dup")
    assert error_code(ec.create_snapshot, CacheClusterId="cache-errors", SnapshotName="dup") == "SnapshotAlreadyExistsFault"
    assert error_code(ec.delete_cache_cluster, CacheClusterId="cache-errors",
                      FinalSnapshotIdentifier="dup") == "SnapshotAlreadyExistsFault"
    # Nothing changed: the cluster is still there and available.
    names = [c["CacheClusterId"] for c in ec.describe_cache_clusters()["CacheClusters"]]
    assert "cache-errors" in names and "two-nodes" not in names and "mc" not in names
    assert ec.describe_cache_clusters(CacheClusterId="cache-errors")["CacheClusters"][0]["CacheClusterStatus"] == "available"
    # Replication groups are not run by Kura: asked by name, not found.
    assert error_code(ec.describe_replication_groups, ReplicationGroupId="rg") == "ReplicationGroupNotFoundFault"
    versions = ec.describe_cache_engine_versions(Engine="redis")["CacheEngineVersions"]
    assert len(versions) == 1 and versions[0]["CacheParameterGroupFamily"].startswith("redis")
    ec.delete_snapshot(SnapshotName="dup")
    ec.delete_cache_cluster(CacheClusterId="cache-errors")
    wait_cluster(ec, "cache-errors", "gone")


def test_automatic_snapshots_and_retention(kura):
    ec = kura.client("elasticache")
    # A window around now: the first automatic snapshot is taken at once.
    now = time.gmtime()
    start = f"{now.tm_hour:02}:{now.tm_min:02}"
    end_minute = (now.tm_hour * 60 + now.tm_min + 90) % 1440
    window = f"{start}-{end_minute // 60:02}:{end_minute % 60:02}"
    cluster = create_cluster(ec, "cache-auto", SnapshotRetentionLimit=1, SnapshotWindow=window)
    redis(cluster, "SET", "k", "v")
    deadline = time.monotonic() + 30
    automatic = []
    while time.monotonic() < deadline:
        automatic = ec.describe_snapshots(CacheClusterId="cache-auto", SnapshotSource="system")["Snapshots"]
        if automatic and automatic[0]["SnapshotStatus"] == "available":
            break
        time.sleep(0.3)
    assert len(automatic) == 1 and automatic[0]["SnapshotName"].startswith("automatic.cache-auto-")
    assert automatic[0]["SnapshotSource"] == "automated"
    assert ec.describe_snapshots(CacheClusterId="cache-auto", SnapshotSource="user")["Snapshots"] == []
    # Deleting the cluster deletes its automatic snapshots.
    ec.delete_cache_cluster(CacheClusterId="cache-auto")
    wait_cluster(ec, "cache-auto", "gone")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and ec.describe_snapshots(SnapshotSource="system")["Snapshots"]:
        time.sleep(0.3)
    assert ec.describe_snapshots(SnapshotSource="system")["Snapshots"] == []


def test_cluster_survives_sigkill_of_kura(kura_factory):
    server = kura_factory()
    ec = server.client("elasticache")
    cluster = create_cluster(ec, "cache-crash")
    redis(cluster, "SET", "before-crash", "1")
    server.restart(sigkill=True)
    ec = server.client("elasticache")
    cluster = wait_cluster(ec, "cache-crash", "available")
    # The server was adopted (or restarted on its files): the data is there.
    assert redis(cluster, "GET", "before-crash") == "1"
    ec.create_snapshot(CacheClusterId="cache-crash", SnapshotName="crash-snap")
    wait_snapshot(ec, "crash-snap")
    ec.delete_cache_cluster(CacheClusterId="cache-crash")
    wait_cluster(ec, "cache-crash", "gone")
    # No Redis server is left behind for the deleted cluster.
    assert redis(cluster, "PING", check=False) != "PONG"
