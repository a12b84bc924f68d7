"""A smaller node type is put into effect only where the data fits, as
ElastiCache refuses a scale-down "because the node has insufficient
memory": a node whose data would not fit the new type's maxmemory keeps
its type, its maxmemory and every key (keys with a time to live, which
volatile-lru would evict, among them), with an event saying why; once the
data fits, the same change is put into effect. Both ways in: at once
(ApplyImmediately) for a cache cluster, in the maintenance window for a
replication group; a sharded group counts its fullest shard.
ListAllowedNodeTypeModifications lists the types up and down."""
import datetime
import glob
import os
import socket

import botocore.exceptions
import pytest
from redis.cluster import RedisCluster

from elasticache_support import kura, wait_gone  # noqa: F401 (kura: the module's own server)
from test_cache_node_bounds import OVERHEAD, address_space_limit, pid_in
from test_elasticache_maintenance import window
from test_elasticache_parameter_groups import admin_config, wait_cluster, wait_for
from test_elasticache_replication import wait_group

SMALL, MICRO = 1471026299, 536870912  # the two types' memory (node_type_memory.cpp)
KEYS, VALUE = 1000, b"v" * 8000  # about 9 MB: more than 1% of a micro leaves, less than 1% of a small


def resp(*words):
    parts = [w if isinstance(w, bytes) else str(w).encode() for w in words]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


def call(port, commands):
    """Sends the commands on one connection; returns each answer's first line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"".join(resp(*c) for c in commands))
        data, answers = b"", []
        while len(answers) < len(commands):
            chunk = conn.recv(1 << 16)
            assert chunk, "the node closed the connection"
            data += chunk
            while len(answers) < len(commands):
                line_end = data.find(b"\r\n")
                if line_end < 0:
                    break
                line = data[:line_end]
                if line.startswith(b"$") and line != b"$-1":
                    end = line_end + 2 + int(line[1:]) + 2
                    if len(data) < end:
                        break
                    answers.append(data[line_end + 2:end - 2])
                    data = data[end:]
                else:
                    answers.append(line)
                    data = data[line_end + 2:]
        return answers


# A few keys a round trip: what waits in a connection's buffers counts
# against maxmemory too, and would have keys evicted for the test's own reads.
BATCH = 20


def fill(port):
    # With a time to live: the keys volatile-lru (the default policy) evicts.
    for first in range(0, KEYS, BATCH):
        answers = call(port, [("SET", f"k{i}", VALUE, "EX", 3600) for i in range(first, first + BATCH)])
        assert set(answers) == {b"+OK"}, answers[:3]


def all_there(port, count=KEYS):
    assert call(port, [("DBSIZE",)]) == [b":%d" % count]
    for first in range(0, count, BATCH):
        assert call(port, [("GET", f"k{i}") for i in range(first, first + BATCH)]) == [VALUE] * BATCH, first
    assert call(port, [("INFO", "stats")])[0].find(b"evicted_keys:0\r\n") > 0


def tight_group(ec, name, *more):
    ec.create_cache_parameter_group(CacheParameterGroupName=name, CacheParameterGroupFamily="redis7",
                                    Description="1% of the node type for data")
    ec.modify_cache_parameter_group(CacheParameterGroupName=name, ParameterNameValues=[
        {"ParameterName": "reserved-memory-percent", "ParameterValue": "99"}, *more])


def events_of(ec, name, source_type):
    return [e["Message"] for e in ec.describe_events(SourceIdentifier=name, SourceType=source_type,
                                                       Duration=60)["Events"]]


def refusal_in(messages, name, kind):
    prefix = f"Failed to scale down to cache node type cache.t3.micro {kind} {name} because the node has " \
             "insufficient memory"
    return [m for m in messages if m.startswith(prefix)]


def refused(call_, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call_(**kwargs)
    return raised.value.response["Error"]["Code"]


def test_a_cluster_keeps_its_type_and_keys_when_a_smaller_one_would_not_hold_them(kura):
    ec = kura.client("elasticache")
    tight_group(ec, "tight-cluster")
    ec.create_cache_cluster(CacheClusterId="shrink", Engine="redis", CacheNodeType="cache.t3.small",
                            NumCacheNodes=1, CacheParameterGroupName="tight-cluster")
    port = wait_cluster(ec, "shrink", timeout=60)["CacheNodes"][0]["Endpoint"]["Port"]
    assert int(admin_config(kura, port, "maxmemory")) == SMALL // 100
    fill(port)

    allowed = ec.list_allowed_node_type_modifications(CacheClusterId="shrink")
    assert "cache.t3.micro" in allowed["ScaleDownModifications"]
    assert "cache.t3.medium" in allowed["ScaleUpModifications"]
    assert "cache.t3.small" not in allowed["ScaleUpModifications"] + allowed["ScaleDownModifications"]
    assert refused(ec.list_allowed_node_type_modifications, CacheClusterId="absent") == "CacheClusterNotFound"
    assert refused(ec.list_allowed_node_type_modifications) == "InvalidParameterCombination"

    answer = ec.modify_cache_cluster(CacheClusterId="shrink", CacheNodeType="cache.t3.micro",
                                     ApplyImmediately=True)["CacheCluster"]
    assert answer["CacheNodeType"] == "cache.t3.small"
    assert answer["PendingModifiedValues"] == {"CacheNodeType": "cache.t3.micro"}
    wait_for(lambda: refusal_in(events_of(ec, "shrink", "cache-cluster"), "shrink", "Cache Cluster"), timeout=30,
             what="the refusal's event")
    cluster = wait_cluster(ec, "shrink")
    assert cluster["CacheNodeType"] == "cache.t3.small" and cluster["PendingModifiedValues"] == {}
    assert int(admin_config(kura, port, "maxmemory")) == SMALL // 100
    all_there(port)

    # Once the data fits, the same change goes through, and maxmemory follows.
    assert set(call(port, [("DEL", f"k{i}") for i in range(100, KEYS)])) == {b":1"}
    ec.modify_cache_cluster(CacheClusterId="shrink", CacheNodeType="cache.t3.micro", ApplyImmediately=True)
    wait_for(lambda: wait_cluster(ec, "shrink")["CacheNodeType"] == "cache.t3.micro", timeout=30,
             what="the smaller type")
    wait_for(lambda: int(admin_config(kura, port, "maxmemory")) == MICRO // 100, what="a micro's maxmemory")
    # The running node's address space is bounded by the new type too.
    (folder,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "shrink-*", "node-0001"))
    wait_for(lambda: address_space_limit(pid_in(folder, "redis.pid")) == str(MICRO + OVERHEAD),
             what="a micro's address space bound")
    all_there(port, 100)
    assert "Scaled down to cache node type cache.t3.micro: every node's data fits" in events_of(
        ec, "shrink", "cache-cluster")
    ec.delete_cache_cluster(CacheClusterId="shrink")
    wait_gone(ec, cluster="shrink")


def test_a_groups_scale_down_in_its_window_waits_for_data_that_fits(kura):
    ec = kura.client("elasticache")
    tight_group(ec, "tight-group")
    now = datetime.datetime.now(datetime.timezone.utc)
    ec.create_replication_group(ReplicationGroupId="shrink-rg", ReplicationGroupDescription="x", Engine="redis",
                                CacheNodeType="cache.t3.small", NumCacheClusters=2,
                                CacheParameterGroupName="tight-group",
                                PreferredMaintenanceWindow=window(now + datetime.timedelta(hours=30)))
    wait_for(lambda: ec.describe_replication_groups(ReplicationGroupId="shrink-rg")["ReplicationGroups"][0]["Status"]
             == "available", timeout=90, what="shrink-rg available")

    def members():
        return [c for c in ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
                if c.get("ReplicationGroupId") == "shrink-rg"]

    primary = ec.describe_replication_groups(ReplicationGroupId="shrink-rg")["ReplicationGroups"][0][
        "NodeGroups"][0]["PrimaryEndpoint"]["Port"]
    ports = [m["CacheNodes"][0]["Endpoint"]["Port"] for m in members()]
    fill(primary)
    allowed = ec.list_allowed_node_type_modifications(ReplicationGroupId="shrink-rg")
    assert "cache.t3.micro" in allowed["ScaleDownModifications"]
    assert refused(ec.list_allowed_node_type_modifications, ReplicationGroupId="absent-rg") == \
        "ReplicationGroupNotFoundFault"

    ec.modify_replication_group(ReplicationGroupId="shrink-rg", CacheNodeType="cache.t3.micro")
    assert [m["PendingModifiedValues"] for m in members()] == [{"CacheNodeType": "cache.t3.micro"}] * 2
    # The window opens: the change is taken up, and refused for the data.
    ec.modify_replication_group(ReplicationGroupId="shrink-rg",
                                PreferredMaintenanceWindow=window(now - datetime.timedelta(minutes=5)))
    wait_for(lambda: refusal_in(events_of(ec, "shrink-rg", "replication-group"), "shrink-rg", "Replication Group"),
             timeout=30, what="the refusal's event")
    assert {m["CacheNodeType"] for m in members()} == {"cache.t3.small"}
    assert [m["PendingModifiedValues"] for m in members()] == [{}, {}]
    assert "Applied the modifications pending for the maintenance window: CacheNodeType (a smaller type: put into " \
           "effect once every node's data is seen to fit it)" in events_of(ec, "shrink-rg", "replication-group")
    for port in ports:
        assert int(admin_config(kura, port, "maxmemory")) == SMALL // 100
        all_there(port)
    ec.delete_replication_group(ReplicationGroupId="shrink-rg")
    wait_gone(ec, group="shrink-rg")


def test_a_sharded_groups_scale_down_counts_its_fullest_shard(kura):
    ec = kura.client("elasticache")
    tight_group(ec, "tight-sharded", {"ParameterName": "cluster-enabled", "ParameterValue": "yes"})
    ec.create_replication_group(ReplicationGroupId="shrink-sharded", ReplicationGroupDescription="x",
                                Engine="redis", CacheNodeType="cache.t3.small", NumNodeGroups=2,
                                ReplicasPerNodeGroup=0, AutomaticFailoverEnabled=True,
                                CacheParameterGroupName="tight-sharded")
    group = wait_group(ec, "shrink-sharded", "available", timeout=90)
    endpoint = group["ConfigurationEndpoint"]
    cluster = RedisCluster(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5)
    # Two hash tags that land on different shards.
    tags = {}
    for candidate in (f"t{i}" for i in range(100)):
        tags.setdefault(cluster.get_node_from_key(f"{{{candidate}}}").name, candidate)
        if len(tags) == 2:
            break
    first_tag, second_tag = tags.values()

    def write(tag, keys):
        for start in range(keys.start, keys.stop, BATCH):
            pipe = cluster.pipeline()
            for i in range(start, min(start + BATCH, keys.stop)):
                pipe.set(f"{{{tag}}}k{i}", VALUE, ex=3600)
            assert all(pipe.execute())

    def micro():
        ec.modify_replication_group(ReplicationGroupId="shrink-sharded", CacheNodeType="cache.t3.micro",
                                    ApplyImmediately=True)

    # One shard holds more than a micro leaves: refused, every key kept.
    write(first_tag, range(KEYS))
    micro()
    wait_for(lambda: refusal_in(events_of(ec, "shrink-sharded", "replication-group"), "shrink-sharded",
                                "Replication Group"), timeout=30, what="the refusal's event")
    assert wait_group(ec, "shrink-sharded", "available")["CacheNodeType"] == "cache.t3.small"
    for start in range(0, KEYS, BATCH):
        assert cluster.mget([f"{{{first_tag}}}k{i}" for i in range(start, start + BATCH)]) == [VALUE] * BATCH

    # Each shard holds about half of what a micro leaves, together more than
    # it: the fullest node is what counts, and it fits.
    cluster.delete(*[f"{{{first_tag}}}k{i}" for i in range(300, KEYS)])
    write(second_tag, range(300))
    micro()
    wait_for(lambda: wait_group(ec, "shrink-sharded", "available")["CacheNodeType"] == "cache.t3.micro",
             timeout=30, what="the smaller type")
    for tag in (first_tag, second_tag):
        assert cluster.mget([f"{{{tag}}}k{i}" for i in range(300)]) == [VALUE] * 300
    cluster.close()
    ec.delete_replication_group(ReplicationGroupId="shrink-sharded")
    wait_gone(ec, group="shrink-sharded")
