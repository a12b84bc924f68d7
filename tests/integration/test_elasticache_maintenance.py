"""ElastiCache engine versions and the maintenance window: a Modify names
only the installed engine's version (a downgrade or a version the host
lacks refused as ElastiCache refuses them); a new node type waits in
PendingModifiedValues for PreferredMaintenanceWindow unless
ApplyImmediately, and is applied when the window opens (the node's
maxmemory follows), with an event and the calls in the trail; with
ApplyImmediately a smaller type is applied once the data is seen to fit."""
import datetime
import json
import subprocess

import botocore.exceptions
import pytest

from test_elasticache_parameter_groups import admin_config, wait_cluster, wait_for
from elasticache_support import kura, wait_gone  # noqa: F401 (kura: the module's own server)

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def window(start, minutes=70):
    end = start + datetime.timedelta(minutes=minutes)
    return f"{DAYS[start.weekday()]}:{start:%H:%M}-{DAYS[end.weekday()]}:{end:%H:%M}"


def refused(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_versions_and_a_node_type_held_for_the_maintenance_window(kura):
    ec = kura.client("elasticache")
    now = datetime.datetime.now(datetime.timezone.utc)
    installed = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    installed = installed.split("v=")[1].split()[0]
    major_minor = ".".join(installed.split(".")[:2])
    ec.create_cache_cluster(CacheClusterId="upkeep", Engine="redis", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1, PreferredMaintenanceWindow=window(now + datetime.timedelta(hours=12)))
    cluster = wait_cluster(ec, "upkeep", timeout=60)
    port = cluster["CacheNodes"][0]["Endpoint"]["Port"]
    assert int(admin_config(kura, port, "maxmemory")) == 536870912 // 100 * 75

    # Versions: the installed one by its AWS forms; older ones are downgrades, others unknown.
    for version in (installed, major_minor):
        ec.modify_cache_cluster(CacheClusterId="upkeep", EngineVersion=version, ApplyImmediately=True)
    code, message = refused(ec.modify_cache_cluster, CacheClusterId="upkeep", EngineVersion="6.2")
    assert code == "InvalidParameterCombination" and "downgrade" in message and installed in message
    code, message = refused(ec.modify_replication_group, ReplicationGroupId="missing", EngineVersion="6.2")
    assert code == "ReplicationGroupNotFoundFault"
    code, message = refused(ec.modify_cache_cluster, CacheClusterId="upkeep", EngineVersion="99.0")
    assert code == "InvalidParameterCombination" and message.startswith("Cannot find version 99.0 for redis")
    code, _ = refused(ec.modify_cache_cluster, CacheClusterId="upkeep", PreferredMaintenanceWindow="sun:25:00-mon:01:00")
    assert code == "InvalidParameterValue"

    # A new node type waits for the window.
    answer = ec.modify_cache_cluster(CacheClusterId="upkeep", CacheNodeType="cache.t3.small")["CacheCluster"]
    assert answer["PendingModifiedValues"] == {"CacheNodeType": "cache.t3.small"}
    assert answer["CacheNodeType"] == "cache.t3.micro"
    described = wait_cluster(ec, "upkeep")
    assert described["PendingModifiedValues"] == {"CacheNodeType": "cache.t3.small"}
    assert int(admin_config(kura, port, "maxmemory")) == 536870912 // 100 * 75
    # The window opens (it is moved onto now): the change is applied, the node's maxmemory follows.
    opened = window(now - datetime.timedelta(minutes=5))
    ec.modify_cache_cluster(CacheClusterId="upkeep", PreferredMaintenanceWindow=opened)
    applied = wait_for(lambda: (c := wait_cluster(ec, "upkeep"))["CacheNodeType"] == "cache.t3.small" and c,
                       what="the node type applied in the window")
    assert applied["PendingModifiedValues"] == {} and applied["PreferredMaintenanceWindow"] == opened
    wait_for(lambda: int(admin_config(kura, port, "maxmemory")) == 1471026299 // 100 * 75, what="maxmemory of a small")
    events = ec.describe_events(SourceIdentifier="upkeep", SourceType="cache-cluster", Duration=60)["Events"]
    assert any(e["Message"] == "Applied the modifications pending for the maintenance window: CacheNodeType"
               for e in events), events
    # ApplyImmediately: not held for the window; a smaller type once the
    # node's data is seen to fit it (test_elasticache_scale_down.py).
    answer = ec.modify_cache_cluster(CacheClusterId="upkeep", CacheNodeType="cache.t3.micro",
                                     ApplyImmediately=True)["CacheCluster"]
    assert answer["PendingModifiedValues"] == {"CacheNodeType": "cache.t3.micro"}
    wait_for(lambda: (c := wait_cluster(ec, "upkeep"))["CacheNodeType"] == "cache.t3.micro"
             and c["PendingModifiedValues"] == {}, what="the smaller type applied at once")
    wait_for(lambda: int(admin_config(kura, port, "maxmemory")) == 536870912 // 100 * 75, what="maxmemory of a micro")
    trail = [json.loads(e["CloudTrailEvent"]) for e in kura.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "ModifyCacheCluster"}], MaxResults=50)["Events"]]
    assert any(e["requestParameters"].get("cacheNodeType") == "cache.t3.small" and "errorCode" not in e
               for e in trail)
    assert any(e.get("errorCode") == "InvalidParameterCombination" for e in trail)
    ec.delete_cache_cluster(CacheClusterId="upkeep")
    wait_gone(ec, cluster="upkeep")


def test_a_groups_node_type_waits_for_its_window_on_every_member(kura):
    ec = kura.client("elasticache")
    now = datetime.datetime.now(datetime.timezone.utc)
    ec.create_replication_group(ReplicationGroupId="upkeep-rg", ReplicationGroupDescription="x", Engine="redis",
                                CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                PreferredMaintenanceWindow=window(now + datetime.timedelta(hours=30)))
    wait_for(lambda: ec.describe_replication_groups(ReplicationGroupId="upkeep-rg")["ReplicationGroups"][0]["Status"]
             == "available", timeout=90, what="upkeep-rg available")

    def members():
        return [c for c in ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
                if c.get("ReplicationGroupId") == "upkeep-rg"]
    ports = [m["CacheNodes"][0]["Endpoint"]["Port"] for m in members()]
    code, message = refused(ec.modify_replication_group, ReplicationGroupId="upkeep-rg", EngineVersion="5.0.6")
    assert code == "InvalidParameterCombination" and "downgrade" in message
    ec.modify_replication_group(ReplicationGroupId="upkeep-rg", CacheNodeType="cache.t3.small")
    assert [m["PendingModifiedValues"] for m in members()] == [{"CacheNodeType": "cache.t3.small"}] * 2
    assert {m["CacheNodeType"] for m in members()} == {"cache.t3.micro"}
    ec.modify_replication_group(ReplicationGroupId="upkeep-rg",
                                PreferredMaintenanceWindow=window(now - datetime.timedelta(minutes=5)))
    wait_for(lambda: {m["CacheNodeType"] for m in members()} == {"cache.t3.small"}, what="the group's new node type")
    assert [m["PendingModifiedValues"] for m in members()] == [{}, {}]
    for port in ports:
        wait_for(lambda: int(admin_config(kura, port, "maxmemory")) == 1471026299 // 100 * 75,
                 what=f"maxmemory of a small on {port}")
    events = ec.describe_events(SourceIdentifier="upkeep-rg", SourceType="replication-group", Duration=60)["Events"]
    assert any(e["Message"].startswith("Applied the modifications pending") for e in events), events
    ec.delete_replication_group(ReplicationGroupId="upkeep-rg")
    wait_gone(ec, group="upkeep-rg")
