"""ElastiCache's CloudWatch metrics (AWS/ElastiCache), read back with
GetMetricStatistics and GetMetricData after real clients used the nodes:
connections opened and held, keys set and read, evictions forced by a
small maxmemory (reserved-memory-percent in a parameter group), a
replica's role and lag in a cluster-mode group, Memcached's nodes."""
import datetime
import hashlib
import hmac
import os
import socket
import subprocess
import time

import botocore.exceptions
import pytest

from test_elasticache_cluster_mode import cluster_client, create_sharded
from test_elasticache_parameter_groups import admin_config, wait_cluster
from elasticache_support import kura, wait_gone  # noqa: F401 (kura: the module's own server)


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for arg in args:
        arg = arg if isinstance(arg, bytes) else str(arg).encode()
        out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    return out


def exchange(conn, payload, replies):
    """Sends commands and reads `replies` RESP answers (simple, error,
    integer or bulk: what SET, GET and PING answer)."""
    conn.sendall(payload)
    buf, answers = b"", []
    while len(answers) < replies:
        chunk = conn.recv(1 << 20)
        assert chunk, answers
        buf += chunk
        while len(answers) < replies and b"\r\n" in buf:
            line, rest = buf.split(b"\r\n", 1)
            if line[:1] == b"$" and int(line[1:]) >= 0:
                size = int(line[1:])
                if len(rest) < size + 2:
                    break
                answers.append(rest[:size])
                buf = rest[size + 2:]
            else:
                answers.append(line)
                buf = rest
    return answers


def admin_stat(kura, port, name):
    """A number of INFO's, as Kura's own Redis user reads it."""
    with open(os.path.join(kura.data_dir, "keys", "redis-users.key"), "rb") as f:
        password = hmac.new(f.read(), b"kura-admin", hashlib.sha256).hexdigest()
    result = subprocess.run(["redis-cli", "--user", "kura-admin", "-p", str(port), "INFO"], capture_output=True,
                            text=True, timeout=10, env={**os.environ, "REDISCLI_AUTH": password})
    for line in result.stdout.splitlines():
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(result.stdout + result.stderr)


def statistic(cw, name, dimensions, stat, start):
    points = cw.get_metric_statistics(Namespace="AWS/ElastiCache", MetricName=name,
                                      Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
                                      StartTime=start, EndTime=datetime.datetime.now(datetime.timezone.utc)
                                      + datetime.timedelta(minutes=1), Period=3600, Statistics=[stat])["Datapoints"]
    # A run across an hour's turn gets two hourly datapoints: they are
    # combined, not the first taken.
    combine = {"Sum": sum, "Maximum": max, "Minimum": min}[stat]
    return combine(p[stat] for p in points) if points else None


def wait_metric(cw, name, dimensions, stat, start, check, timeout=30):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = statistic(cw, name, dimensions, stat, start)
        if value is not None and check(value):
            return value
        time.sleep(1)
    raise AssertionError(f"{name} {dimensions} {stat} is {value}")


def test_redis_node_metrics_follow_its_clients_and_evictions(kura):
    ec, cw = kura.client("elasticache"), kura.client("cloudwatch")
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    ec.create_cache_parameter_group(CacheParameterGroupName="tiny", CacheParameterGroupFamily="redis7",
                                    Description="1% of a cache.t3.micro")
    ec.modify_cache_parameter_group(CacheParameterGroupName="tiny", ParameterNameValues=[
        {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
        {"ParameterName": "reserved-memory-percent", "ParameterValue": "99"}])
    ec.create_cache_cluster(CacheClusterId="metered", Engine="redis", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1, CacheParameterGroupName="tiny")
    node = wait_cluster(ec, "metered", timeout=60)["CacheNodes"][0]
    port = node["Endpoint"]["Port"]
    # ElastiCache's maxmemory for the type, less the reserved percent.
    assert int(admin_config(kura, port, "maxmemory")) == 536870912 // 100 * 1

    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(5)]
    writer = socket.create_connection(("127.0.0.1", port), timeout=10)
    for conn in held:
        assert exchange(conn, resp("PING"), 1) == [b"+PONG"]
    # 8 MB of values into about 5 MB: the oldest keys are evicted.
    value = b"v" * 4096
    for batch in range(20):
        answers = exchange(writer, b"".join(resp("SET", f"k{batch}-{i}", value) for i in range(100)), 100)
        assert set(answers) == {b"+OK"}, answers[:3]
    assert exchange(writer, resp("SET", "hot", "1"), 1) == [b"+OK"]
    assert exchange(writer, b"".join(resp("GET", "hot") for _ in range(5)), 5) == [b"1"] * 5
    assert exchange(writer, b"".join(resp("GET", f"absent{i}") for i in range(7)), 7) == [b"$-1"] * 7

    at = {"CacheClusterId": "metered", "CacheNodeId": "0001"}
    assert wait_metric(cw, "CurrConnections", at, "Maximum", start, lambda v: v >= 6) == 6
    # Every key Redis evicted (as Kura's own user reads it), no more.
    evicted = admin_stat(kura, port, "evicted_keys")
    assert evicted > 0
    assert wait_metric(cw, "Evictions", at, "Sum", start, lambda v: v >= evicted) == evicted
    assert wait_metric(cw, "CacheHits", at, "Sum", start, lambda v: v >= 5) == 5
    assert wait_metric(cw, "CacheMisses", at, "Sum", start, lambda v: v >= 7) == 7
    # The test's eight connections (CONFIG GET's and INFO's among them), not Kura's own probes.
    assert wait_metric(cw, "NewConnections", at, "Sum", start, lambda v: v >= 8) == 8
    items = wait_metric(cw, "CurrItems", at, "Maximum", start, lambda v: v > 100)
    assert items < 2001
    assert wait_metric(cw, "DatabaseMemoryUsagePercentage", at, "Maximum", start, lambda v: v > 80) <= 101
    assert wait_metric(cw, "BytesUsedForCache", at, "Maximum", start, lambda v: v > 4_000_000) < 6_000_000
    assert wait_metric(cw, "IsMaster", at, "Minimum", start, lambda v: True) == 1
    assert 0 <= wait_metric(cw, "EngineCPUUtilization", at, "Maximum", start, lambda v: True) <= 100
    assert 0 <= wait_metric(cw, "CPUUtilization", at, "Maximum", start, lambda v: True) <= 100
    # The cluster's own (CacheClusterId alone), read with GetMetricData.
    data = cw.get_metric_data(MetricDataQueries=[{
        "Id": "misses", "MetricStat": {"Metric": {"Namespace": "AWS/ElastiCache", "MetricName": "CacheMisses",
                                                  "Dimensions": [{"Name": "CacheClusterId", "Value": "metered"}]},
                                       "Period": 60, "Stat": "Sum"}}],
        StartTime=start, EndTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1))
    assert sum(data["MetricDataResults"][0]["Values"]) == 7
    listed = cw.list_metrics(Namespace="AWS/ElastiCache", Dimensions=[{"Name": "CacheClusterId", "Value": "metered"}])
    assert {"CurrConnections", "Evictions", "EngineCPUUtilization"} <= {m["MetricName"] for m in listed["Metrics"]}

    for conn in held:
        conn.close()
    writer.close()
    # Once they are closed, the next datapoints count none.
    closed = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = cw.get_metric_statistics(Namespace="AWS/ElastiCache", MetricName="CurrConnections",
                                         Dimensions=[{"Name": k, "Value": v} for k, v in at.items()],
                                         StartTime=closed, EndTime=closed + datetime.timedelta(minutes=5),
                                         Period=1, Statistics=["Maximum"])["Datapoints"]
        if after:
            break
        time.sleep(1)
    assert after and all(p["Maximum"] == 0 for p in after), after
    ec.delete_cache_cluster(CacheClusterId="metered")
    wait_gone(ec, cluster="metered")
    ec.delete_cache_parameter_group(CacheParameterGroupName="tiny")


def test_cluster_mode_members_report_role_and_replication_lag(kura):
    ec, cw = kura.client("elasticache"), kura.client("cloudwatch")
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    group = create_sharded(ec, "metered-shards", shards=2, replicas=1)
    client = cluster_client(group)
    for i in range(50):
        client.set(f"key{i}", i)
    client.close()
    for node_group in group["NodeGroups"]:
        for member in node_group["NodeGroupMembers"]:
            at = {"CacheClusterId": member["CacheClusterId"], "CacheNodeId": "0001"}
            primary = member["CurrentRole"] == "primary"
            assert wait_metric(cw, "IsMaster", at, "Maximum", start, lambda v: True) == (1 if primary else 0)
            if primary:
                assert statistic(cw, "ReplicationLag", at, "Maximum", start) is None
            else:
                assert wait_metric(cw, "ReplicationLag", at, "Minimum", start, lambda v: True) == 0
    # Every shard's keys, counted on its primary.
    primaries = [{"CacheClusterId": m["CacheClusterId"], "CacheNodeId": "0001"} for g in group["NodeGroups"]
                 for m in g["NodeGroupMembers"] if m["CurrentRole"] == "primary"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        counts = [statistic(cw, "CurrItems", at, "Maximum", start) or 0 for at in primaries]
        if sum(counts) == 50:
            break
        time.sleep(1)
    assert sum(counts) == 50 and all(counts), counts
    # As on ElastiCache, no node of a cluster-mode group is rebooted.
    some_member = group["NodeGroups"][0]["NodeGroupMembers"][0]["CacheClusterId"]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ec.reboot_cache_cluster(CacheClusterId=some_member, CacheNodeIdsToReboot=["0001"])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert "not supported" in refused.value.response["Error"]["Message"]
    ec.delete_replication_group(ReplicationGroupId="metered-shards")
    wait_gone(ec, group="metered-shards")


def test_memcached_nodes_and_cluster_metrics(kura):
    ec, cw = kura.client("elasticache"), kura.client("cloudwatch")
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    ec.create_cache_cluster(CacheClusterId="metered-mc", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=2)
    cluster = wait_cluster(ec, "metered-mc", timeout=60)
    ports = {n["CacheNodeId"]: n["Endpoint"]["Port"] for n in cluster["CacheNodes"]}
    held = []
    for node, port in ports.items():
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        items = 3 if node == "0001" else 2
        conn.sendall(b"".join(b"set k%d 0 0 1\r\nx\r\n" % i for i in range(items)) + b"get k0\r\nget nope\r\n")
        reply = b""
        while not reply.endswith(b"END\r\nEND\r\n"):
            chunk = conn.recv(65536)
            assert chunk, reply
            reply += chunk
        held.append(conn)
    for node in ports:
        at = {"CacheClusterId": "metered-mc", "CacheNodeId": node}
        assert wait_metric(cw, "CurrItems", at, "Maximum", start, lambda v: v > 0) == (3 if node == "0001" else 2)
        assert wait_metric(cw, "CurrConnections", at, "Maximum", start, lambda v: v >= 1) == 1
        assert wait_metric(cw, "GetHits", at, "Sum", start, lambda v: v >= 1) == 1
        assert wait_metric(cw, "GetMisses", at, "Sum", start, lambda v: v >= 1) == 1
        assert wait_metric(cw, "NewConnections", at, "Sum", start, lambda v: v >= 1) == 1
    whole = {"CacheClusterId": "metered-mc"}
    assert wait_metric(cw, "CurrItems", whole, "Maximum", start, lambda v: v >= 5) == 5
    assert wait_metric(cw, "GetMisses", whole, "Sum", start, lambda v: v >= 2) == 2
    for conn in held:
        conn.close()
    ec.delete_cache_cluster(CacheClusterId="metered-mc")
    wait_gone(ec, cluster="metered-mc")
