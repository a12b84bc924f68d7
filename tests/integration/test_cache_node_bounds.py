"""A cache node's process is bounded by its node type, not only by its own
settings: Redis's maxmemory leaves a Lua script's memory out, and a
memcached client may raise its node's limit (cache_memlimit). Both came out
of the host's memory, which every tenant shares. Each node now runs with an
address-space bound (its type's memory and the server's overhead) and
confined to its own directory. A node type ElastiCache does not have is
refused, as ElastiCache refuses it: a made-up name would have run a node
with neither maxmemory nor a bound."""
import glob
import os
import signal
import time

import botocore.exceptions
import pytest

from confinement_support import landlock_abi
from test_elasticache import create_cluster, redis, wait_cluster

MIB = 1 << 20
OVERHEAD = 512 * MIB  # kNodeProcessOverhead


def limits_of(pid, name):
    """A process's soft and hard limit called `name` in /proc/<pid>/limits."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith(name + " "):
                soft, hard = line[len(name):].split()[:2]
                return soft, hard
    raise AssertionError(f"no limit {name!r} of {pid}")


def address_space_limit(pid):
    return limits_of(pid, "Max address space")[0]


def pid_in(folder, name):
    with open(os.path.join(folder, name)) as f:
        return int(f.read().strip())


def test_a_redis_node_maps_no_more_than_its_type_and_a_greedy_script_harms_only_itself(kura):
    ec = kura.client("elasticache")
    cluster = create_cluster(ec, "bounded")  # cache.t3.micro: 512 MiB
    (folder,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "bounded-*", "node-0001"))
    pid = pid_in(folder, "redis.pid")
    assert address_space_limit(pid) == str(512 * MIB + OVERHEAD)
    # A crash writes no core (as large as what the node mapped) into the
    # node's folder, whatever limit Kura itself runs with.
    assert limits_of(pid, "Max core file size") == ("0", "0")
    redis(cluster, "SET", "kept", "before")
    # A script that would take 2 GiB of the host: the node cannot map it.
    greedy = "local t = {} for i = 1, 20000000 do t[i] = string.rep('x', 100) .. i end return #t"
    answer = redis(cluster, "EVAL", greedy, "0", check=False)
    assert answer != "20000000"
    # The node serves again (Kura starts it again if the script took it down).
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if redis(cluster, "PING", check=False) == "PONG":
            break
        time.sleep(0.5)
    assert redis(cluster, "PING") == "PONG"
    assert redis(cluster, "SET", "after", "yes") == "OK"
    assert not [name for name in os.listdir(os.path.join(folder, "data")) if name.startswith("core")]


def test_a_redis_nodes_bound_follows_its_node_type(kura):
    ec = kura.client("elasticache")
    create_cluster(ec, "rebound")  # cache.t3.micro
    (folder,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "rebound-*", "node-0001"))
    pid = pid_in(folder, "redis.pid")
    assert address_space_limit(pid) == str(512 * MIB + OVERHEAD)
    ec.modify_cache_cluster(CacheClusterId="rebound", CacheNodeType="cache.t3.small", ApplyImmediately=True)
    small = 1471026299 + OVERHEAD  # cache.t3.small's memory (node_type_memory.cpp)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and address_space_limit(pid) != str(small):
        time.sleep(0.5)
    assert address_space_limit(pid) == str(small)
    assert pid_in(folder, "redis.pid") == pid  # the same process: its data kept


def test_a_memcached_node_maps_no_more_than_its_memory_and_overhead(kura):
    ec = kura.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="bounded-mc", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1)
    wait_cluster(ec, "bounded-mc", "available", timeout=60)
    (folder,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "bounded-mc-*", "node-0001"))
    pid = pid_in(folder, "memcached.pid")
    assert address_space_limit(pid) == str(64 * MIB + OVERHEAD)
    # Confined as well, where the kernel offers Landlock (which needs no_new_privs).
    if landlock_abi() >= 1:
        with open(f"/proc/{pid}/status") as f:
            assert "NoNewPrivs:\t1" in f.read()


def refused_type(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue", error
    assert error["Message"] == f"Invalid Cache Node Type: {kwargs['CacheNodeType']}.", error


def test_a_node_type_elasticache_does_not_have_is_refused(kura):
    ec = kura.client("elasticache")
    refused_type(ec.create_cache_cluster, CacheClusterId="madeup-redis", Engine="redis",
                 CacheNodeType="cache.x9.unheard", NumCacheNodes=1)
    refused_type(ec.create_cache_cluster, CacheClusterId="madeup-memcached", Engine="memcached",
                 CacheNodeType="cache.t3.enormous", NumCacheNodes=1)
    refused_type(ec.create_replication_group, ReplicationGroupId="madeup-group", ReplicationGroupDescription="d",
                 CacheNodeType="cache.r6g.medium", NumCacheClusters=1)
    names = [c["CacheClusterId"] for c in ec.describe_cache_clusters()["CacheClusters"]]
    assert not [n for n in names if n.startswith("madeup")], names
    assert not [g for g in ec.describe_replication_groups()["ReplicationGroups"]
                if g["ReplicationGroupId"] == "madeup-group"]
    create_cluster(ec, "retyped")  # cache.t3.micro
    refused_type(ec.modify_cache_cluster, CacheClusterId="retyped", CacheNodeType="cache.t3.unbounded",
                 ApplyImmediately=True)
    cluster = ec.describe_cache_clusters(CacheClusterId="retyped")["CacheClusters"][0]
    assert cluster["CacheNodeType"] == "cache.t3.micro"
    assert "CacheNodeType" not in cluster.get("PendingModifiedValues", {})
    # A current type ElastiCache has is taken, and its node bounded by it.
    ec.modify_cache_cluster(CacheClusterId="retyped", CacheNodeType="cache.m7g.large", ApplyImmediately=True)
    (folder,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "retyped-*", "node-0001"))
    bound = str(6854542746 + OVERHEAD)  # cache.m7g.large's memory (node_type_memory.cpp)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and address_space_limit(pid_in(folder, "redis.pid")) != bound:
        time.sleep(0.5)
    assert address_space_limit(pid_in(folder, "redis.pid")) == bound


def test_a_node_whose_port_is_still_held_is_started_again_soon(kura):
    """A crashed Redis removes its pid file and then keeps its port a
    moment while it dies: a server started meanwhile cannot take the port
    and exits without a pid file. Kura gives that start up within seconds
    and starts the node again, instead of waiting five minutes for an
    answer (the supervisor, and every other node, waited with it)."""
    ec = kura.client("elasticache")
    cluster = create_cluster(ec, "held")
    other = create_cluster(ec, "unheld")
    redis(cluster, "SET", "kept", "before")
    (folder,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "held-*", "node-0001"))
    pid = pid_in(folder, "redis.pid")
    # As Redis's crash path does: the pid file goes, the process (stopped
    # here) keeps its port.
    os.kill(pid, signal.SIGSTOP)
    os.unlink(os.path.join(folder, "redis.pid"))
    time.sleep(4)  # Kura has tried a start meanwhile, which could not take the port
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and redis(cluster, "PING", check=False) != "PONG":
        time.sleep(0.5)
    assert redis(cluster, "PING") == "PONG"
    assert redis(cluster, "GET", "kept") == "before"
    # The supervisor goes on with the others: a node type change reaches its node.
    (other_folder,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "unheld-*", "node-0001"))
    ec.modify_cache_cluster(CacheClusterId="unheld", CacheNodeType="cache.t3.small", ApplyImmediately=True)
    small = str(1471026299 + OVERHEAD)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and address_space_limit(pid_in(other_folder, "redis.pid")) != small:
        time.sleep(0.5)
    assert address_space_limit(pid_in(other_folder, "redis.pid")) == small
    assert redis(other, "PING") == "PONG"
