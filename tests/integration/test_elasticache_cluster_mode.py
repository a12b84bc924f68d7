"""ElastiCache replication groups with cluster mode enabled on real Redis
Cluster: node groups sharing the hash slots, reached through Kura's proxy
ports by cluster-aware clients (redis-cli -c, redis-py's RedisCluster),
each shard failing over on its own, resharding while a client writes,
snapshots of every shard restored onto another shard count."""
import os
import subprocess
import threading
import time

import botocore.exceptions
import pytest
from redis.cluster import RedisCluster

from test_elasticache_replication import member_pid, wait_group


@pytest.fixture(scope="module")
def kura(kura_factory):
    """A server of this module's own: its groups take many engine ports (a
    restore onto three shards takes its nodes' and its loaders'), more than
    the shared server has left after the other modules' groups."""
    return kura_factory(["--enable-test-controllers"])


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
    ports = {m["ReadEndpoint"]["Port"] for g in group["NodeGroups"] for m in g["NodeGroupMembers"]}
    # Every node the cluster names is one of Kura's proxy ports (a replica
    # is named once the node answering has heard of it: awaited).
    deadline, named = time.monotonic() + 20, set()
    while named != ports and time.monotonic() < deadline:
        slots = cli(group, "CLUSTER", "SLOTS")
        numbers = {int(line) for line in slots.split("\n") if line.isdigit()}
        named = numbers & ports
        time.sleep(0.2)
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


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def primaries(group):
    return {g["NodeGroupId"]: next(m["CacheClusterId"] for m in g["NodeGroupMembers"] if m["CurrentRole"] == "primary")
            for g in group["NodeGroups"]}


class Writer:
    """Writes numbered keys through a cluster client until stopped; a write
    counts as acknowledged once a replica has it too (WAIT), when `wait`."""

    def __init__(self, group, prefix, wait=False, read_back=False):
        self.group, self.prefix, self.wait, self.read_back = group, prefix, wait, read_back
        self.acked, self.errors, self.wrong_reads = [], 0, []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        client = cluster_client(self.group)
        n = 0
        deadline = time.monotonic() + 120
        while not self.done.is_set() and time.monotonic() < deadline:
            key = f"{self.prefix}:{n}"
            try:
                client.set(key, n)
                if self.wait:
                    node = client.get_node_from_key(key)
                    if int(client.execute_command("WAIT", 1, 1000, target_nodes=node)) < 1:
                        n += 1
                        continue
                self.acked.append(n)
                if self.read_back and client.get(key) != str(n):
                    self.wrong_reads.append(n)
            except Exception:  # noqa: BLE001 - a failover or a move under way: try the next key
                self.errors += 1
                time.sleep(0.05)
            n += 1
        client.close()

    def stop(self):
        self.done.set()
        self.thread.join(timeout=60)
        return self.acked


@pytest.mark.serial
def test_a_shards_primary_killed_under_a_writer_fails_over_alone(kura):
    ec = kura.client("elasticache")
    group = create_sharded(ec, "ledger", shards=2, replicas=1)
    before = primaries(group)
    writer = Writer(group, "entry", wait=True)
    time.sleep(1)
    victim = before["0001"]
    killed_at = time.monotonic()
    subprocess.run(["kill", "-9", str(member_pid(kura.data_dir, "ledger", victim))], check=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        group = ec.describe_replication_groups(ReplicationGroupId="ledger")["ReplicationGroups"][0]
        if primaries(group)["0001"] != victim:
            break
        time.sleep(0.1)
    took = time.monotonic() - killed_at
    now = primaries(group)
    assert now["0001"] == "ledger-0001-002", f"no failover within {took:.1f} s"
    assert now["0002"] == before["0002"]  # the other shard is left alone
    time.sleep(1.5)
    acked = writer.stop()
    # Every write a replica had acknowledged (WAIT) survived the failover.
    client = cluster_client(group)
    missing = [n for n in acked if client.get(f"entry:{n}") != str(n)]
    assert len(acked) > 20 and not missing, f"{len(missing)} of {len(acked)} acknowledged writes lost"
    after = len(acked)
    client.close()
    messages = [e["Message"] for e in ec.describe_events(SourceIdentifier="ledger",
                                                         SourceType="replication-group")["Events"]]
    assert any("Failover from primary node ledger-0001-001 to replica node ledger-0001-002" in m for m in messages)
    # The old primary comes back as the new one's replica.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        roles = cli(group, "CLUSTER", "NODES")
        if roles.count("slave") == 2 and "fail" not in roles:
            break
        time.sleep(0.3)
    assert roles.count("slave") == 2 and "fail" not in roles, roles
    assert after and took < 15

    # A planned failover of the other node group (TestFailover) loses no
    # acknowledged write, WAIT or not.
    assert error_of(ec.test_failover, ReplicationGroupId="ledger", NodeGroupId="0009")[0] == "NodeGroupNotFoundFault"
    writer = Writer(group, "planned")
    time.sleep(0.5)
    ec.test_failover(ReplicationGroupId="ledger", NodeGroupId="0002")
    group = wait_group(ec, "ledger", "available", timeout=30)
    time.sleep(0.5)
    acked = writer.stop()
    assert primaries(group) == {"0001": "ledger-0001-002", "0002": "ledger-0002-002"}
    client = cluster_client(group)
    missing = [n for n in acked if client.get(f"planned:{n}") != str(n)]
    assert acked and not missing, f"{len(missing)} of {len(acked)} writes lost in a planned failover"
    client.close()
    assert error_of(ec.modify_replication_group, ReplicationGroupId="ledger",
                    AutomaticFailoverEnabled=False)[0] == "InvalidParameterCombination"


def test_resharding_2_to_3_and_back_moves_every_key_while_a_client_writes(kura):
    ec = kura.client("elasticache")
    group = create_sharded(ec, "grow", shards=2, replicas=0)
    client = cluster_client(group)
    for n in range(0, 3000, 100):
        pipe = client.pipeline()
        for k in range(n, n + 100):
            pipe.set(f"seed:{k}", k)
        pipe.execute()
    writer = Writer(group, "live", read_back=True)
    time.sleep(0.3)
    ec.modify_replication_group_shard_configuration(ReplicationGroupId="grow", NodeGroupCount=3,
                                                    ApplyImmediately=True)
    assert ec.describe_replication_groups(ReplicationGroupId="grow")["ReplicationGroups"][0]["Status"] == "modifying"
    group = wait_group(ec, "grow", "available", timeout=120)
    acked = writer.stop()
    assert [g["NodeGroupId"] for g in group["NodeGroups"]] == ["0001", "0002", "0003"]
    assert all(g["Slots"] for g in group["NodeGroups"])
    client = cluster_client(group)
    assert all(client.get(f"seed:{k}") == str(k) for k in range(3000))
    assert acked and all(client.get(f"live:{n}") == str(n) for n in acked)
    assert not writer.wrong_reads
    shards = {node_group_of_slot(group, client.keyslot(f"seed:{k}")) for k in range(3000)}
    assert shards == {"0001", "0002", "0003"}
    client.close()

    # Back to two: node group 0001 goes, its slots with their keys to the others.
    assert error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="grow", NodeGroupCount=2,
                    ApplyImmediately=True)[0] == "InvalidParameterValue"
    ec.modify_replication_group_shard_configuration(ReplicationGroupId="grow", NodeGroupCount=2,
                                                    NodeGroupsToRemove=["0001"], ApplyImmediately=True)
    group = wait_group(ec, "grow", "available", timeout=120)
    assert [g["NodeGroupId"] for g in group["NodeGroups"]] == ["0002", "0003"]
    assert "grow-0001-001" not in group["MemberClusters"]
    client = cluster_client(group)
    assert all(client.get(f"seed:{k}") == str(k) for k in range(3000))
    client.close()

    # A replica for each node group, then none again.
    ec.increase_replica_count(ReplicationGroupId="grow", NewReplicaCount=1, ApplyImmediately=True)
    group = wait_group(ec, "grow", "available", timeout=60)
    assert group["MemberClusters"] == ["grow-0002-001", "grow-0002-002", "grow-0003-001", "grow-0003-002"]
    assert cli(group, "CLUSTER", "NODES").count("slave") == 2
    assert error_of(ec.increase_replica_count, ReplicationGroupId="grow", NewReplicaCount=1,
                    ApplyImmediately=True)[0] == "NoOperationFault"
    ec.decrease_replica_count(ReplicationGroupId="grow", NewReplicaCount=0, ApplyImmediately=True)
    group = wait_group(ec, "grow", "available", timeout=60)
    assert group["MemberClusters"] == ["grow-0002-001", "grow-0003-001"]
    assert cli(group, "CLUSTER", "NODES").count("slave") == 0
    assert cli(group, "GET", "seed:42") == "42"


def test_snapshot_of_every_shard_restores_onto_another_shard_count(kura):
    ec = kura.client("elasticache")
    group = create_sharded(ec, "orders", shards=2, replicas=0)
    client = cluster_client(group)
    pipe = client.pipeline()
    for n in range(1500):
        pipe.set(f"order:{n}", f"total-{n}")
    pipe.execute()
    client.close()
    ec.create_snapshot(ReplicationGroupId="orders", SnapshotName="orders-nightly")
    deadline = time.monotonic() + 60
    while True:
        snapshot = ec.describe_snapshots(SnapshotName="orders-nightly")["Snapshots"][0]
        if snapshot["SnapshotStatus"] == "available" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert snapshot["SnapshotStatus"] == "available"
    assert snapshot["NumNodeGroups"] == 2 and snapshot["ReplicationGroupId"] == "orders"
    assert [(s["NodeGroupId"], s["NodeGroupConfiguration"]["Slots"]) for s in snapshot["NodeSnapshots"]] == \
        [("0001", "0-8191"), ("0002", "8192-16383")]
    # One RDB per node group.
    import glob
    images = glob.glob(f"{kura.data_dir}/elasticache/snapshots/orders-nightly-*/*/dump.rdb")
    assert len(images) == 2

    # Onto three node groups: every key lands in the shard that holds its slot.
    restored = create_sharded(ec, "orders-copy", shards=3, replicas=0, SnapshotName="orders-nightly")
    assert [g["Slots"] for g in restored["NodeGroups"]] == ["0-5461", "5462-10922", "10923-16383"]
    client = cluster_client(restored)
    assert all(client.get(f"order:{n}") == f"total-{n}" for n in range(1500))
    counts = {}
    for node in client.get_primaries():
        counts[node.port] = client.execute_command("DBSIZE", target_nodes=node)
    assert len(counts) == 3 and sum(counts.values()) == 1500 and min(counts.values()) > 300
    client.close()
    assert error_of(ec.create_replication_group, ReplicationGroupId="orders-flat", ReplicationGroupDescription="x",
                    NumCacheClusters=1, SnapshotName="orders-nightly")[0] == "InvalidParameterCombination"
    assert error_of(ec.create_cache_cluster, CacheClusterId="orders-one", Engine="redis",
                    SnapshotName="orders-nightly")[0] == "InvalidParameterCombination"
    ec.delete_replication_group(ReplicationGroupId="orders-copy")
    ec.delete_replication_group(ReplicationGroupId="orders")
    wait_group(ec, "orders", "gone")


def test_cluster_mode_errors_are_aws_errors(kura):
    ec = kura.client("elasticache")
    base = dict(ReplicationGroupDescription="x", Engine="redis", CacheNodeType="cache.t3.micro")
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=2,
                    ReplicasPerNodeGroup=6, **base) == \
        ("InvalidParameterValue", "The number of replicas per node group must be within 0 and 5.")
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=501, **base)[0] == \
        "InvalidParameterValue"
    # Every node is a process on this host: a group has at most 90.
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=16,
                    ReplicasPerNodeGroup=5, **base)[0] == "NodeQuotaForClusterExceeded"
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=2, NumCacheClusters=2,
                    **base)[0] == "InvalidParameterCombination"
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=2,
                    AutomaticFailoverEnabled=False, **base)[0] == "InvalidParameterCombination"
    code, message = error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=2, **base,
                             NodeGroupConfiguration=[{"Slots": "0-8000"}, {"Slots": "8000-16383"}])
    assert code == "InvalidParameterValue" and "8000" in message
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=2, **base,
                    NodeGroupConfiguration=[{"Slots": "0-9000"}, {"Slots": "9500-16383"}])[0] == "InvalidParameterValue"
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=3, **base,
                    NodeGroupConfiguration=[{"Slots": "0-8191"}, {"Slots": "8192-16383"}])[0] == "InvalidParameterValue"
    assert error_of(ec.create_replication_group, ReplicationGroupId="bad", NumNodeGroups=2, **base,
                    CacheParameterGroupName="default.redis7")[0] == "InvalidParameterCombination"
    # Slots as given.
    ec.create_replication_group(ReplicationGroupId="given", NumNodeGroups=2, **base, NodeGroupConfiguration=[
        {"NodeGroupId": "0001", "Slots": "0-99", "ReplicaCount": 0},
        {"NodeGroupId": "0002", "Slots": "100-16383", "ReplicaCount": 0}])
    group = wait_group(ec, "given", "available", timeout=60)
    assert [g["Slots"] for g in group["NodeGroups"]] == ["0-99", "100-16383"]
    assert cli(group, "CLUSTER", "COUNTKEYSINSLOT", "50") == "0"
    # Changes of shards and replicas.
    assert error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="given", NodeGroupCount=2,
                    ApplyImmediately=True)[0] == "InvalidParameterValue"
    assert error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="missing", NodeGroupCount=2,
                    ApplyImmediately=True)[0] == "ReplicationGroupNotFoundFault"
    assert error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="given", NodeGroupCount=1,
                    NodeGroupsToRemove=["0009"], ApplyImmediately=True)[0] == "NodeGroupNotFoundFault"
    # A node group's id names its members' folders: four digits only.
    assert error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="given", NodeGroupCount=3,
                    ReshardingConfiguration=[{"NodeGroupId": "x/../../../escape"}],
                    ApplyImmediately=True)[0] == "InvalidParameterValue"
    for _ in range(30):  # a refused call keeps no engine port (the server has 80)
        assert error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="given",
                        NodeGroupCount=4, ReshardingConfiguration=[{}, {"NodeGroupId": "0001"}],
                        ApplyImmediately=True)[0] == "InvalidParameterValue"
    assert error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="given", NodeGroupCount=100,
                    ApplyImmediately=True)[0] == "NodeQuotaForClusterExceeded"
    assert error_of(ec.decrease_replica_count, ReplicationGroupId="given", NewReplicaCount=0,
                    ApplyImmediately=True)[0] == "NoOperationFault"
    assert error_of(ec.increase_replica_count, ReplicationGroupId="given", NewReplicaCount=6,
                    ApplyImmediately=True)[0] == "InvalidParameterValue"
    assert error_of(ec.decrease_replica_count, ReplicationGroupId="given", ReplicasToRemove=["given-0001-001"],
                    ApplyImmediately=True)[0] == "InvalidParameterValue"
    # Clients may not change the cluster themselves.
    assert "NOPERM" in cli(group, "CLUSTER", "ADDSLOTS", "5")
    ec.create_replication_group(ReplicationGroupId="plain", NumCacheClusters=1, **base)
    assert error_of(ec.increase_replica_count, ReplicationGroupId="plain", NewReplicaCount=1,
                    ApplyImmediately=True)[0] == "InvalidParameterCombination"


def running_nodes(data_dir, group_id):
    out = subprocess.run(["pgrep", "-f", f"{data_dir}/elasticache/groups/{group_id}-"], capture_output=True, text=True)
    return len(out.stdout.split())


@pytest.mark.serial
def test_kura_killed_while_creating_or_resharding_converges(kura_factory):
    kura = kura_factory()  # its own: it is killed
    ec = kura.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="phoenix", ReplicationGroupDescription="x", Engine="redis",
                                NumNodeGroups=2, ReplicasPerNodeGroup=1)
    time.sleep(0.8)  # nodes started, the cluster being formed
    kura.restart(sigkill=True)
    ec = kura.client("elasticache")
    group = wait_group(ec, "phoenix", "available", timeout=90)
    client = cluster_client(group)
    for n in range(300):
        client.set(f"p:{n}", n)
    client.close()
    assert running_nodes(kura.data_dir, "phoenix") == 4

    ec.modify_replication_group_shard_configuration(ReplicationGroupId="phoenix", NodeGroupCount=3,
                                                    ApplyImmediately=True)
    time.sleep(2)  # slots on the move
    kura.restart(sigkill=True)
    ec = kura.client("elasticache")
    group = wait_group(ec, "phoenix", "available", timeout=120)
    assert len(group["NodeGroups"]) == 3
    client = cluster_client(group)
    assert all(client.get(f"p:{n}") == str(n) for n in range(300))
    client.close()
    assert running_nodes(kura.data_dir, "phoenix") == 6
    ec.delete_replication_group(ReplicationGroupId="phoenix")
    wait_group(ec, "phoenix", "gone", timeout=60)
    assert running_nodes(kura.data_dir, "phoenix") == 0


def test_tls_and_auth_token_reach_every_shard(kura, tmp_path):
    from test_elasticache_security import bundle_of
    bundle = bundle_of(kura, tmp_path)
    ec = kura.client("elasticache")
    token = "cluster-token-0123456789"
    group = create_sharded(ec, "vault", shards=2, replicas=1, TransitEncryptionEnabled=True, AuthToken=token)
    assert group["TransitEncryptionEnabled"] and group["AuthTokenEnabled"]
    address, port = config_endpoint(group)
    env = {"REDISCLI_AUTH": token, "PATH": "/usr/bin:/bin"}
    argv = ["redis-cli", "-c", "--tls", "--cacert", bundle, "-h", address, "-p", str(port)]
    for n in range(10):
        out = subprocess.run(argv + ["SET", f"secret:{n}", str(n)], capture_output=True, text=True, env=env, timeout=30)
        assert out.stdout.strip() == "OK", out.stdout + out.stderr
    assert subprocess.run(argv + ["GET", "secret:3"], capture_output=True, text=True, env=env).stdout.strip() == "3"
    # Without the token: refused.
    plain = subprocess.run(argv + ["GET", "secret:3"], capture_output=True, text=True, timeout=30)
    assert "NOAUTH" in plain.stdout + plain.stderr
    client = RedisCluster(host=address, port=port, password=token, ssl=True, ssl_ca_certs=bundle,
                          decode_responses=True)
    assert all(client.get(f"secret:{n}") == str(n) for n in range(10))
    client.close()


def snapshot_loaders(data_dir):
    """The redis-server processes that load a snapshot's image for a
    restore (their directory: <group>/restoring/image-N)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if comm == "redis-server" and cwd.startswith(data_dir) and "/restoring/image-" in cwd:
            pids.append(int(pid))
    return pids


@pytest.mark.serial
def test_kura_killed_while_restoring_a_snapshot_leaves_no_loading_node(kura_factory):
    kura = kura_factory(["--enable-test-controllers"], env={"KURA_CRASH_AT": "elasticache-snapshot-loader-started"})
    ec = kura.client("elasticache")
    group = create_sharded(ec, "source", shards=1, replicas=0, CacheParameterGroupName="default.redis7.cluster.on")
    client = cluster_client(group)
    for n in range(50):
        client.set(f"k:{n}", n)
    client.close()
    ec.create_snapshot(ReplicationGroupId="source", SnapshotName="source-snap")
    deadline = time.monotonic() + 60
    while ec.describe_snapshots(SnapshotName="source-snap")["Snapshots"][0]["SnapshotStatus"] != "available":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    ec.create_replication_group(ReplicationGroupId="copy", ReplicationGroupDescription="x", Engine="redis",
                                NumNodeGroups=1, ReplicasPerNodeGroup=0, SnapshotName="source-snap",
                                CacheParameterGroupName="default.redis7.cluster.on")
    # Killed once the snapshot's loading node runs: the node outlives it.
    assert kura.proc.wait(timeout=90) == -9
    assert snapshot_loaders(kura.data_dir), "the crash point left no loading node running"
    kura.stop()
    del kura.env["KURA_CRASH_AT"]
    kura.start()
    ec = kura.client("elasticache")
    group = wait_group(ec, "copy", "available", timeout=90)
    client = cluster_client(group)
    assert all(client.get(f"k:{n}") == str(n) for n in range(50))
    client.close()
    assert snapshot_loaders(kura.data_dir) == []


def test_replicas_refused_for_want_of_ports_give_back_those_they_took(kura_factory):
    kura = kura_factory(start=False)
    # Room for the group (its configuration endpoint and one node's three
    # ports) and for one more node: two more are refused.
    first = int(kura.extra_args[1])
    kura.extra_args[3] = str(first + 7)
    kura.start()
    ec = kura.client("elasticache")
    create_sharded(ec, "tight", shards=1, replicas=0, CacheParameterGroupName="default.redis7.cluster.on")
    code, _ = error_of(ec.increase_replica_count, ReplicationGroupId="tight", NewReplicaCount=2,
                       ApplyImmediately=True)
    assert code == "InsufficientCacheClusterCapacity"
    # The first new node's ports were given back: one more node fits.
    ec.increase_replica_count(ReplicationGroupId="tight", NewReplicaCount=1, ApplyImmediately=True)
    group = wait_group(ec, "tight", "available", timeout=60)
    assert len(group["NodeGroups"][0]["NodeGroupMembers"]) == 2
    kura.stop()


def test_node_groups_refused_for_want_of_ports_give_back_those_they_took(kura_factory):
    kura = kura_factory(start=False)
    # Room for the group (its configuration endpoint and one node's three
    # ports) and for one more node: two more node groups of one node each
    # are refused at the second.
    first = int(kura.extra_args[1])
    kura.extra_args[3] = str(first + 7)
    kura.start()
    ec = kura.client("elasticache")
    create_sharded(ec, "narrow", shards=1, replicas=0, CacheParameterGroupName="default.redis7.cluster.on")
    code, _ = error_of(ec.modify_replication_group_shard_configuration, ReplicationGroupId="narrow",
                       NodeGroupCount=3, ApplyImmediately=True)
    assert code == "InsufficientCacheClusterCapacity"
    group = ec.describe_replication_groups(ReplicationGroupId="narrow")["ReplicationGroups"][0]
    assert group["Status"] == "available" and group["MemberClusters"] == ["narrow-0001-001"]
    # The first new node group's ports were given back: one node group fits.
    ec.modify_replication_group_shard_configuration(ReplicationGroupId="narrow", NodeGroupCount=2,
                                                    ApplyImmediately=True)
    group = wait_group(ec, "narrow", "available", timeout=90)
    assert [g["NodeGroupId"] for g in group["NodeGroups"]] == ["0001", "0002"]
    assert cli(group, "SET", "after", "grown") == "OK" and cli(group, "GET", "after") == "grown"
    kura.stop()
