"""ElastiCache cache parameter groups on real engines: the default groups
and their parameters, values checked as ElastiCache checks them, and a
group's values in effect on the running Redis and memcached nodes (read
with Kura's own Redis user: clients may not run CONFIG), immediate ones at
once, the others once the node is rebooted; they survive a restart of Kura
and of the engine."""
import glob
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import time

import botocore.exceptions
import pytest


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def wait_cluster(ec, cluster_id, wanted="available", timeout=60):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        cluster = ec.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)["CacheClusters"][0]
        status = cluster["CacheClusterStatus"]
        if status == wanted:
            return cluster
        assert status not in ("failed", "restore-failed"), f"{cluster_id} is {status}"
        time.sleep(0.2)
    raise AssertionError(f"{cluster_id} is still {status}, not {wanted}")


def wait_for(check, timeout=15, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not hold within {timeout} s")


def admin_config(kura, port, name):
    """CONFIG GET as Kura's own Redis user (the password derives from the
    key in the data directory), not as a client."""
    with open(os.path.join(kura.data_dir, "keys", "redis-users.key"), "rb") as f:
        password = hmac.new(f.read(), b"kura-admin", hashlib.sha256).hexdigest()
    result = subprocess.run(["redis-cli", "--user", "kura-admin", "-p", str(port), "CONFIG", "GET", name],
                            capture_output=True, text=True, timeout=10, env={**os.environ, "REDISCLI_AUTH": password})
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0] == name, result.stdout + result.stderr
    return lines[1]


def client(port, *args):
    result = subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=10)
    return result.stdout.strip()


def memcached_settings(port):
    with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
        conn.sendall(b"stats settings\r\n")
        reply = b""
        while not reply.endswith(b"END\r\n"):
            chunk = conn.recv(65536)
            assert chunk, reply
            reply += chunk
    return dict(line.split(" ", 2)[1:] for line in reply.decode().splitlines() if line.startswith("STAT "))


def values_of(ec, group, **kwargs):
    values, marker = {}, None
    while True:
        page = ec.describe_cache_parameters(CacheParameterGroupName=group, MaxRecords=20,
                                            **({"Marker": marker} if marker else {}), **kwargs)
        for parameter in page["Parameters"]:
            assert parameter["ParameterName"] not in values
            values[parameter["ParameterName"]] = parameter
        marker = page.get("Marker")
        if not marker:
            return values


def test_default_groups_engine_defaults_and_checked_values(kura):
    ec = kura.client("elasticache")
    names = {g["CacheParameterGroupName"]: g["CacheParameterGroupFamily"]
             for g in ec.describe_cache_parameter_groups()["CacheParameterGroups"]}
    assert names["default.redis7"] == "redis7" and names["default.redis7.cluster.on"] == "redis7"
    assert names["default.memcached1.6"] == "memcached1.6"

    defaults = ec.describe_engine_default_parameters(CacheParameterGroupFamily="redis7", MaxRecords=20)["EngineDefaults"]
    assert defaults["CacheParameterGroupFamily"] == "redis7" and len(defaults["Parameters"]) == 20 and defaults["Marker"]
    everything = values_of(ec, "default.redis7")
    assert len(everything) > 20
    policy = everything["maxmemory-policy"]
    assert policy["ParameterValue"] == "volatile-lru" and policy["ChangeType"] == "immediate"
    assert "allkeys-lru" in policy["AllowedValues"].split(",") and policy["Source"] == "engine-default"
    assert everything["databases"]["ChangeType"] == "requires-reboot" and everything["databases"]["DataType"] == "integer"
    assert everything["lua-time-limit"]["IsModifiable"] is False
    cluster_on = values_of(ec, "default.redis7.cluster.on", Source="system")
    assert cluster_on["cluster-enabled"]["ParameterValue"] == "yes"
    assert error_code(ec.describe_engine_default_parameters, CacheParameterGroupFamily="redis2.8") == \
        "InvalidParameterValue"
    # The AWS CLI pages through them by itself (MaxRecords and Marker).
    listed = kura.aws("elasticache", "describe-cache-parameters", "--cache-parameter-group-name", "default.redis7",
                      "--page-size", "20")["Parameters"]
    assert sorted(p["ParameterName"] for p in listed) == sorted(everything)

    ec.create_cache_parameter_group(CacheParameterGroupName="tuned", CacheParameterGroupFamily="redis7",
                                    Description="tuned for sessions")
    assert error_code(ec.create_cache_parameter_group, CacheParameterGroupName="tuned",
                      CacheParameterGroupFamily="redis7", Description="again") == "CacheParameterGroupAlreadyExists"
    assert error_code(ec.create_cache_parameter_group, CacheParameterGroupName="old",
                      CacheParameterGroupFamily="redis2.8", Description="x") == "InvalidParameterValue"
    assert error_code(ec.create_cache_parameter_group, CacheParameterGroupName="1bad--name",
                      CacheParameterGroupFamily="redis7", Description="x") == "InvalidParameterValue"
    for name, value in [("maxmemory-policy", "evict-everything"), ("timeout", "5"), ("timeout", "ten"),
                        ("databases", "0"), ("notify-keyspace-events", "Exq"), ("notify-keyspace-events", "EE"),
                        ("lua-time-limit", "5000"), ("no-such-parameter", "1"), ("maxmemory-policy", "noeviction\n")]:
        assert error_code(ec.modify_cache_parameter_group, CacheParameterGroupName="tuned",
                          ParameterNameValues=[{"ParameterName": name, "ParameterValue": value}]) == \
            "InvalidParameterValue", (name, value)
    assert error_code(ec.modify_cache_parameter_group, CacheParameterGroupName="default.redis7",
                      ParameterNameValues=[{"ParameterName": "timeout", "ParameterValue": "0"}]) == \
        "InvalidParameterValue"
    assert error_code(ec.modify_cache_parameter_group, CacheParameterGroupName="missing",
                      ParameterNameValues=[{"ParameterName": "timeout", "ParameterValue": "0"}]) == \
        "CacheParameterGroupNotFound"

    kura.aws("elasticache", "modify-cache-parameter-group", "--cache-parameter-group-name", "tuned",
             "--parameter-name-values", "ParameterName=notify-keyspace-events,ParameterValue=Kx")
    assert values_of(ec, "tuned", Source="user")["notify-keyspace-events"]["ParameterValue"] == "Kx"
    ec.modify_cache_parameter_group(CacheParameterGroupName="tuned", ParameterNameValues=[
        {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
        {"ParameterName": "timeout", "ParameterValue": "300"},
        {"ParameterName": "list-max-listpack-size", "ParameterValue": "-3"}])
    user = values_of(ec, "tuned", Source="user")
    assert {name: p["ParameterValue"] for name, p in user.items()} == \
        {"maxmemory-policy": "allkeys-lru", "timeout": "300", "list-max-listpack-size": "-3",
         "notify-keyspace-events": "Kx"}
    ec.reset_cache_parameter_group(CacheParameterGroupName="tuned",
                                   ParameterNameValues=[{"ParameterName": "timeout"}])
    assert sorted(values_of(ec, "tuned", Source="user")) == ["list-max-listpack-size", "maxmemory-policy",
                                                             "notify-keyspace-events"]
    assert values_of(ec, "tuned")["timeout"]["ParameterValue"] == "0"
    assert error_code(ec.reset_cache_parameter_group, CacheParameterGroupName="tuned") == \
        "InvalidParameterCombination"
    ec.reset_cache_parameter_group(CacheParameterGroupName="tuned", ResetAllParameters=True)
    assert values_of(ec, "tuned", Source="user") == {}

    assert error_code(ec.delete_cache_parameter_group, CacheParameterGroupName="default.redis7") == \
        "InvalidCacheParameterGroupState"
    # The trail has the changes, refused ones with their error.
    trail = [json.loads(e["CloudTrailEvent"]) for e in kura.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "ModifyCacheParameterGroup"}])["Events"]]
    assert any(e["requestParameters"]["cacheParameterGroupName"] == "tuned" and "errorCode" not in e
               for e in trail), trail[:2]
    assert any(e.get("errorCode") == "InvalidParameterValue" for e in trail)
    ec.delete_cache_parameter_group(CacheParameterGroupName="tuned")
    assert error_code(ec.describe_cache_parameter_groups, CacheParameterGroupName="tuned") == \
        "CacheParameterGroupNotFound"

    # Pages of groups: the defaults among the recorded ones, by name.
    made = [f"page-{i:02}" for i in range(22)]
    for name in made:
        ec.create_cache_parameter_group(CacheParameterGroupName=name, CacheParameterGroupFamily="memcached1.6",
                                        Description=name)
    seen, marker = [], None
    while True:
        page = ec.describe_cache_parameter_groups(MaxRecords=20, **({"Marker": marker} if marker else {}))
        assert len(page["CacheParameterGroups"]) <= 20
        seen += [g["CacheParameterGroupName"] for g in page["CacheParameterGroups"]]
        marker = page.get("Marker")
        if not marker:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert set(made) | {"default.redis7", "default.redis7.cluster.on", "default.memcached1.6"} <= set(seen)
    for name in made:
        ec.delete_cache_parameter_group(CacheParameterGroupName=name)


def test_redis_parameters_reach_the_node_at_once_or_at_reboot_and_stay(kura_factory):
    kura = kura_factory()  # its own: it is restarted
    ec = kura.client("elasticache")
    ec.create_cache_parameter_group(CacheParameterGroupName="sessions", CacheParameterGroupFamily="redis7",
                                    Description="sessions")
    ec.modify_cache_parameter_group(CacheParameterGroupName="sessions", ParameterNameValues=[
        {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"}])
    # A group of another family, and one that turns cluster mode on, are refused.
    assert error_code(ec.create_cache_cluster, CacheClusterId="pg-wrong", Engine="redis",
                      CacheParameterGroupName="default.memcached1.6") == "InvalidParameterCombination"
    assert error_code(ec.create_cache_cluster, CacheClusterId="pg-wrong", Engine="redis",
                      CacheParameterGroupName="default.redis7.cluster.on") == "InvalidParameterCombination"
    assert error_code(ec.create_cache_cluster, CacheClusterId="pg-wrong", Engine="redis",
                      CacheParameterGroupName="nope") == "CacheParameterGroupNotFound"

    ec.create_cache_cluster(CacheClusterId="pg-redis", Engine="redis", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1, CacheParameterGroupName="sessions")
    cluster = wait_cluster(ec, "pg-redis")
    assert cluster["CacheParameterGroup"] == {"CacheParameterGroupName": "sessions", "ParameterApplyStatus": "in-sync",
                                              "CacheNodeIdsToReboot": []}
    port = cluster["CacheNodes"][0]["Endpoint"]["Port"]
    # The group's value and ElastiCache's defaults, where Redis's own differ.
    assert admin_config(kura, port, "maxmemory-policy") == "allkeys-lru"
    assert admin_config(kura, port, "maxmemory-samples") == "3"
    # Clients may not run CONFIG, as on ElastiCache.
    assert "NOPERM" in client(port, "CONFIG", "SET", "timeout", "1")

    ec.modify_cache_parameter_group(CacheParameterGroupName="sessions", ParameterNameValues=[
        {"ParameterName": "timeout", "ParameterValue": "300"},
        {"ParameterName": "notify-keyspace-events", "ParameterValue": "Ex"},
        {"ParameterName": "databases", "ParameterValue": "32"}])
    wait_for(lambda: admin_config(kura, port, "timeout") == "300", what="timeout 300 on the node")
    assert set(admin_config(kura, port, "notify-keyspace-events")) == set("xE")
    # databases needs a reboot: the node still has 16, and says so.
    assert admin_config(kura, port, "databases") == "16"
    assert "out of range" in client(port, "SELECT", "20")
    cluster = wait_for(lambda: (c := wait_cluster(ec, "pg-redis"))["CacheParameterGroup"]["ParameterApplyStatus"]
                       == "pending-reboot" and c, what="pending-reboot")
    assert cluster["CacheParameterGroup"]["CacheNodeIdsToReboot"] == ["0001"]
    assert cluster["CacheNodes"][0]["ParameterGroupStatus"] == "pending-reboot"
    assert error_code(ec.delete_cache_parameter_group, CacheParameterGroupName="sessions") == \
        "InvalidCacheParameterGroupState"

    ec.reboot_cache_cluster(CacheClusterId="pg-redis", CacheNodeIdsToReboot=["0001"])
    cluster = wait_cluster(ec, "pg-redis")
    assert cluster["CacheParameterGroup"]["ParameterApplyStatus"] == "in-sync"
    assert cluster["CacheNodes"][0]["ParameterGroupStatus"] == "in-sync"
    assert admin_config(kura, port, "databases") == "32"
    assert client(port, "SELECT", "20") == "OK"
    messages = [e["Message"] for e in ec.describe_events(SourceType="cache-parameter-group",
                                                         SourceIdentifier="sessions")["Events"]]
    assert any(m.startswith("Cache parameter group modified") for m in messages), messages

    # The engine killed: the supervisor starts it again with the group's values.
    node_dirs = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "pg-redis-*", "node-0001"))
    with open(os.path.join(node_dirs[0], "redis.pid")) as f:
        os.kill(int(f.read().strip()), signal.SIGKILL)
    wait_for(lambda: client(port, "PING") == "PONG", timeout=20, what="the node back")
    assert admin_config(kura, port, "timeout") == "300" and admin_config(kura, port, "databases") == "32"

    # Another group through ModifyCacheCluster: its immediate values at once.
    ec.create_cache_parameter_group(CacheParameterGroupName="sessions-b", CacheParameterGroupFamily="redis7",
                                    Description="b")
    ec.modify_cache_parameter_group(CacheParameterGroupName="sessions-b", ParameterNameValues=[
        {"ParameterName": "maxmemory-policy", "ParameterValue": "volatile-ttl"}])
    ec.modify_cache_cluster(CacheClusterId="pg-redis", CacheParameterGroupName="sessions-b", ApplyImmediately=True)
    wait_for(lambda: admin_config(kura, port, "maxmemory-policy") == "volatile-ttl", what="volatile-ttl")
    cluster = wait_cluster(ec, "pg-redis")
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "sessions-b"
    assert cluster["CacheParameterGroup"]["ParameterApplyStatus"] == "pending-reboot"  # databases back to 16
    ec.delete_cache_parameter_group(CacheParameterGroupName="sessions")

    # Kura restarted (SIGKILL): the record and the node keep the values.
    kura.restart()
    ec = kura.client("elasticache")
    assert values_of(ec, "sessions-b", Source="user")["maxmemory-policy"]["ParameterValue"] == "volatile-ttl"
    assert admin_config(kura, port, "maxmemory-policy") == "volatile-ttl"
    ec.delete_cache_cluster(CacheClusterId="pg-redis")
    wait_for(lambda: not [c for c in ec.describe_cache_clusters()["CacheClusters"]
                          if c["CacheClusterId"] == "pg-redis"], timeout=30, what="the cluster gone")
    ec.delete_cache_parameter_group(CacheParameterGroupName="sessions-b")


def test_replication_group_members_take_the_group_values(kura):
    ec = kura.client("elasticache")
    ec.create_cache_parameter_group(CacheParameterGroupName="rg-params", CacheParameterGroupFamily="redis7",
                                    Description="rg")
    ec.create_replication_group(ReplicationGroupId="pg-rg", ReplicationGroupDescription="rg",
                                NumCacheClusters=2, CacheParameterGroupName="rg-params")
    wait_for(lambda: ec.describe_replication_groups(ReplicationGroupId="pg-rg")["ReplicationGroups"][0]["Status"]
             == "available", timeout=60, what="the group available")
    group = ec.describe_replication_groups(ReplicationGroupId="pg-rg")["ReplicationGroups"][0]
    ports = [m["ReadEndpoint"]["Port"] for m in group["NodeGroups"][0]["NodeGroupMembers"]]
    assert len(ports) == 2
    ec.modify_cache_parameter_group(CacheParameterGroupName="rg-params", ParameterNameValues=[
        {"ParameterName": "slowlog-max-len", "ParameterValue": "512"},
        {"ParameterName": "activerehashing", "ParameterValue": "no"}])
    for port in ports:
        wait_for(lambda: admin_config(kura, port, "slowlog-max-len") == "512", what=f"slowlog-max-len on {port}")
        assert admin_config(kura, port, "activerehashing") == "yes"  # at the next restart
    members = ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    statuses = {m["CacheClusterId"]: m["CacheParameterGroup"]["ParameterApplyStatus"]
                for m in members if m.get("ReplicationGroupId") == "pg-rg"}
    assert statuses == {"pg-rg-001": "pending-reboot", "pg-rg-002": "pending-reboot"}
    # A member rebooted takes them; the other still waits.
    rebooted = ec.reboot_cache_cluster(CacheClusterId="pg-rg-002", CacheNodeIdsToReboot=["0001"])["CacheCluster"]
    assert rebooted["CacheClusterId"] == "pg-rg-002" and rebooted["ReplicationGroupId"] == "pg-rg"
    wait_for(lambda: ec.describe_replication_groups(ReplicationGroupId="pg-rg")["ReplicationGroups"][0]["Status"]
             == "available", timeout=30, what="the group available again")
    assert admin_config(kura, ports[1], "activerehashing") == "no"
    assert admin_config(kura, ports[0], "activerehashing") == "yes"

    def node_statuses():
        members = ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
        return {m["CacheClusterId"]: m["CacheNodes"][0]["ParameterGroupStatus"]
                for m in members if m.get("ReplicationGroupId") == "pg-rg"}
    wait_for(lambda: node_statuses() == {"pg-rg-001": "pending-reboot", "pg-rg-002": "in-sync"}, timeout=10,
             what="pg-rg-002 in-sync, pg-rg-001 pending")
    # Kura runs the installed Redis only: another version is refused, saying which runs.
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ec.modify_replication_group(ReplicationGroupId="pg-rg", EngineVersion="9.9", ApplyImmediately=True)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterCombination"
    installed = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    assert "runs redis " + installed.split("v=")[1].split()[0] in refused.value.response["Error"]["Message"]
    ec.modify_replication_group(ReplicationGroupId="pg-rg", EngineVersion="7.0", ApplyImmediately=True)
    # Back to the default group: its values on both nodes at once.
    ec.modify_replication_group(ReplicationGroupId="pg-rg", CacheParameterGroupName="default.redis7",
                                ApplyImmediately=True)
    for port in ports:
        wait_for(lambda: admin_config(kura, port, "slowlog-max-len") == "128", what=f"slowlog-max-len 128 on {port}")
    ec.delete_cache_parameter_group(CacheParameterGroupName="rg-params")
    ec.delete_replication_group(ReplicationGroupId="pg-rg")


def test_memcached_parameters_apply_at_node_reboot(kura):
    ec = kura.client("elasticache")
    ec.create_cache_parameter_group(CacheParameterGroupName="mc-params", CacheParameterGroupFamily="memcached1.6",
                                    Description="memcached")
    for value in ("1048577", "67108864"):
        assert error_code(ec.modify_cache_parameter_group, CacheParameterGroupName="mc-params", ParameterNameValues=[
            {"ParameterName": "max_item_size", "ParameterValue": value}]) == "InvalidParameterValue"
    assert error_code(ec.modify_cache_parameter_group, CacheParameterGroupName="mc-params", ParameterNameValues=[
        {"ParameterName": "chunk_size_growth_factor", "ParameterValue": "1e3"}]) == "InvalidParameterValue"
    ec.modify_cache_parameter_group(CacheParameterGroupName="mc-params", ParameterNameValues=[
        {"ParameterName": "max_item_size", "ParameterValue": "2097152"}])
    ec.create_cache_cluster(CacheClusterId="pg-mc", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=2, CacheParameterGroupName="mc-params")
    cluster = wait_cluster(ec, "pg-mc")
    ports = {n["CacheNodeId"]: n["Endpoint"]["Port"] for n in cluster["CacheNodes"]}
    for port in ports.values():
        settings = memcached_settings(port)
        assert settings["item_size_max"] == "2097152" and settings["growth_factor"] == "1.25"

    ec.modify_cache_parameter_group(CacheParameterGroupName="mc-params", ParameterNameValues=[
        {"ParameterName": "chunk_size_growth_factor", "ParameterValue": "1.5"}])
    cluster = wait_cluster(ec, "pg-mc")
    assert cluster["CacheParameterGroup"]["ParameterApplyStatus"] == "pending-reboot"
    assert sorted(cluster["CacheParameterGroup"]["CacheNodeIdsToReboot"]) == ["0001", "0002"]
    assert memcached_settings(ports["0001"])["growth_factor"] == "1.25"

    rebooting = ec.reboot_cache_cluster(CacheClusterId="pg-mc", CacheNodeIdsToReboot=["0001"])["CacheCluster"]
    assert rebooting["CacheClusterStatus"] == "rebooting cache cluster nodes"
    cluster = wait_cluster(ec, "pg-mc")
    nodes = {n["CacheNodeId"]: n["ParameterGroupStatus"] for n in cluster["CacheNodes"]}
    assert nodes == {"0001": "in-sync", "0002": "pending-reboot"}
    assert memcached_settings(ports["0001"])["growth_factor"] == "1.50"
    assert memcached_settings(ports["0002"])["growth_factor"] == "1.25"
    # A node that dies is started again with the group's values.
    pid_files = glob.glob(os.path.join(kura.data_dir, "elasticache", "clusters", "pg-mc-*", "node-0002",
                                       "memcached.pid"))
    with open(pid_files[0]) as f:
        os.kill(int(f.read().strip()), signal.SIGKILL)

    def restarted_settings():
        try:
            return memcached_settings(ports["0002"])
        except (OSError, AssertionError):
            return None
    wait_for(lambda: (settings := restarted_settings()) and settings["growth_factor"] == "1.50", timeout=20,
             what="node 0002 back with the group's values")
    # ... and is no longer shown pending (once the supervisor has noted it).
    wait_for(lambda: {n["CacheNodeId"]: n["ParameterGroupStatus"] for n in wait_cluster(ec, "pg-mc")["CacheNodes"]}
             == {"0001": "in-sync", "0002": "in-sync"}, timeout=10, what="both nodes in-sync")
    assert wait_cluster(ec, "pg-mc")["CacheParameterGroup"]["ParameterApplyStatus"] == "in-sync"
    assert error_code(ec.modify_cache_cluster, CacheClusterId="pg-mc", EngineVersion="1.9.22",
                      ApplyImmediately=True) == "InvalidParameterCombination"
    ec.delete_cache_cluster(CacheClusterId="pg-mc")


def test_engine_versions_are_the_installed_ones_with_their_families(kura):
    ec = kura.client("elasticache")
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    redis = redis.split("v=")[1].split()[0]
    memcached = subprocess.run(["memcached", "-V"], capture_output=True, text=True).stdout.split()[1]
    versions = {v["Engine"]: v for v in ec.describe_cache_engine_versions()["CacheEngineVersions"]}
    assert versions["redis"]["EngineVersion"] == ".".join(redis.split(".")[:2])
    assert versions["memcached"]["EngineVersion"] == memcached
    groups = {g["CacheParameterGroupName"]: g["CacheParameterGroupFamily"]
              for g in ec.describe_cache_parameter_groups()["CacheParameterGroups"]}
    for version in versions.values():
        family = version["CacheParameterGroupFamily"]
        assert groups["default." + family] == family
        assert ec.describe_engine_default_parameters(CacheParameterGroupFamily=family)["EngineDefaults"]["Parameters"]
