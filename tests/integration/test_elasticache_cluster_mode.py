"""ElastiCache replication groups with cluster mode enabled on real Redis
Cluster: node groups sharing the hash slots, reached through Kura's proxy
ports by cluster-aware clients (redis-cli -c, redis-py's RedisCluster),
each shard failing over on its own, resharding while a client writes,
snapshots of every shard restored onto another shard count."""
import subprocess
import threading
import time

import botocore.exceptions
import pytest
from redis.cluster import RedisCluster

from test_elasticache_replication import member_pid, wait_group


def create_sharded(ec, group_id, shards=2, replicas=1, **extra):
    ec.create_replication_group(ReplicationGroupId=group_id, ReplicationGroupDescription="sharded",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumNodeGroups=shards,
                                ReplicasPerNodeGroup=replicas, AutomaticFailoverEnabled=True, **extra)
    return wait_group(ec, group_id, "available", timeout=90)


def config_endpoint(group):
    endpoint = group["ConfigurationEndpoint"]
    return endpoint["Address"], endpoint["Port"]


def cli(group, *args):
    address, port = config_endpoint(group)
    result = subprocess.run(["redis-cli", "-c", "-h", address, "-p", str(port), *args],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def cluster_client(group):
    address, port = config_endpoint(group)
    return RedisCluster(host=address, port=port, decode_responses=True, socket_timeout=3)


def node_group_of_slot(group, slot):
    for node_group in group["NodeGroups"]:
        for part in node_group["Slots"].split(","):
            first, _, last = part.partition("-")
            if int(first) <= slot <= int(last or first):
                return node_group["NodeGroupId"]
    return None


def test_sharded_group_spreads_keys_over_its_shards(kura):
    ec = kura.client("elasticache")
    group = create_sharded(ec, "shop", shards=2, replicas=1)
    assert group["ClusterEnabled"] is True
    assert [g["NodeGroupId"] for g in group["NodeGroups"]] == ["0001", "0002"]
    assert [g["Slots"] for g in group["NodeGroups"]] == ["0-8191", "8192-16383"]
    assert group["MemberClusters"] == ["shop-0001-001", "shop-0001-002", "shop-0002-001", "shop-0002-002"]
    for node_group in group["NodeGroups"]:
        roles = sorted(m["CurrentRole"] for m in node_group["NodeGroupMembers"])
        assert roles == ["primary", "replica"]
        zones = {m["PreferredAvailabilityZone"] for m in node_group["NodeGroupMembers"]}
        assert len(zones) == 2

    # redis-cli -c follows MOVED to the node that holds the slot.
    for n in range(20):
        assert cli(group, "SET", f"user:{n}", f"v{n}") == "OK"
    assert cli(group, "GET", "user:7") == "v7"
    slots = cli(group, "CLUSTER", "SLOTS")
    address, _ = config_endpoint(group)
    ports = {m["ReadEndpoint"]["Port"] for g in group["NodeGroups"] for m in g["NodeGroupMembers"]}
    # Every node the cluster names is one of Kura's proxy ports.
    named = {int(line) for line in slots.split("\n") if line.isdigit() and int(line) in ports}
    assert named == ports

    client = cluster_client(group)
    for n in range(200):
        client.set(f"item:{n}", n)
    assert all(client.get(f"item:{n}") == str(n) for n in range(200))
    # The keys are on both shards.
    per_shard = {}
    for n in range(200):
        shard = node_group_of_slot(group, client.keyslot(f"item:{n}"))
        per_shard[shard] = per_shard.get(shard, 0) + 1
    assert set(per_shard) == {"0001", "0002"} and min(per_shard.values()) > 50
    client.close()
