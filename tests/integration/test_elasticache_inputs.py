"""Inputs ElastiCache takes that Kura cannot put into effect are refused in
AWS's error shape and change nothing, never accepted and ignored (SNS
notifications, log delivery, IPv6, data tiering, Outposts, cache security
groups, a copy under another key, a snapshot source other than the
primary, an AUTH token for Memcached); a value that asks for what Kura
does anyway passes. One NodeGroupConfiguration describes a group with
cluster mode disabled, as AWS documents: its replica count and zones are
the group's."""
import time

import botocore.exceptions
import pytest

from elasticache_support import kura, wait_gone  # noqa: F401 (kura: the module's own server)
from test_elasticache_parameter_groups import wait_cluster
from test_elasticache_replication import wait_group


def refused(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_what_kura_cannot_do_is_refused_and_changes_nothing(kura):
    ec = kura.client("elasticache")
    base = dict(CacheClusterId="inputs", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    for extra in ({"NotificationTopicArn": "arn:aws:sns:ap-northeast-1:000000000000:ops"},
                  {"CacheSecurityGroupNames": ["classic"]},
                  {"LogDeliveryConfigurations": [{"LogType": "slow-log", "DestinationType": "cloudwatch-logs",
                                                  "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "g"}},
                                                  "LogFormat": "json"}]},
                  {"PreferredOutpostArn": "arn:aws:outposts:ap-northeast-1:000000000000:outpost/op-1"}):
        code, message = refused(ec.create_cache_cluster, **base, **extra)
        (member,) = extra
        assert code == "InvalidParameterValue" and f"The parameter {member} is not supported by Kura" in message
    assert not [c for c in ec.describe_cache_clusters()["CacheClusters"] if c["CacheClusterId"] == "inputs"]
    # What Kura does anyway passes.
    ec.create_cache_cluster(**base, LogDeliveryConfigurations=[])
    wait_cluster(ec, "inputs", timeout=60)
    code, _ = refused(ec.modify_cache_cluster, CacheClusterId="inputs", CacheNodeIdsToRemove=["0001"])
    assert code == "InvalidParameterValue"
    code, message = refused(ec.modify_cache_cluster, CacheClusterId="inputs", NotificationTopicStatus="active")
    assert code == "InvalidParameterValue" and "NotificationTopicStatus" in message
    ec.modify_cache_cluster(CacheClusterId="inputs", NotificationTopicStatus="inactive")

    # A copy keeps its source's encryption: another key is refused.
    ec.create_snapshot(CacheClusterId="inputs", SnapshotName="inputs-snap")
    deadline = time.monotonic() + 60
    while ec.describe_snapshots(SnapshotName="inputs-snap")["Snapshots"][0]["SnapshotStatus"] != "available":
        assert time.monotonic() < deadline, "the snapshot is not available"
        time.sleep(0.2)
    key = kura.client("kms").create_key()["KeyMetadata"]["Arn"]
    code, message = refused(ec.copy_snapshot, SourceSnapshotName="inputs-snap", TargetSnapshotName="inputs-copy",
                            KmsKeyId=key)
    assert code == "InvalidParameterValue" and "another KMS key" in message
    assert "inputs-copy" not in [s["SnapshotName"] for s in ec.describe_snapshots()["Snapshots"]]
    ec.delete_snapshot(SnapshotName="inputs-snap")
    ec.delete_cache_cluster(CacheClusterId="inputs")
    wait_gone(ec, cluster="inputs")


def test_one_node_group_configuration_makes_the_group_it_describes(kura):
    ec = kura.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="described", ReplicationGroupDescription="x", Engine="redis",
                                CacheNodeType="cache.t3.micro", AutomaticFailoverEnabled=True, IpDiscovery="ipv4",
                                NodeGroupConfiguration=[{"ReplicaCount": 2,
                                                         "PrimaryAvailabilityZone": "ap-northeast-1c",
                                                         "ReplicaAvailabilityZones": ["ap-northeast-1a",
                                                                                      "ap-northeast-1b"]}])
    group = wait_group(ec, "described", "available", timeout=90)
    members = {m["CacheClusterId"]: m["PreferredAvailabilityZone"] for m in group["NodeGroups"][0]["NodeGroupMembers"]}
    assert members == {"described-001": "ap-northeast-1c", "described-002": "ap-northeast-1a",
                       "described-003": "ap-northeast-1b"}, members
    code, message = refused(ec.modify_replication_group, ReplicationGroupId="described",
                            SnapshottingClusterId="described-002")
    assert code == "InvalidParameterValue" and "from its primary" in message
    ec.modify_replication_group(ReplicationGroupId="described", SnapshottingClusterId="described-001")
    code, _ = refused(ec.create_replication_group, ReplicationGroupId="disagrees", ReplicationGroupDescription="x",
                      Engine="redis", NumCacheClusters=2, NodeGroupConfiguration=[{"ReplicaCount": 3}])
    assert code == "InvalidParameterCombination"
    code, _ = refused(ec.create_replication_group, ReplicationGroupId="tiered", ReplicationGroupDescription="x",
                      Engine="redis", NumCacheClusters=1, DataTieringEnabled=True)
    assert code == "InvalidParameterValue"
    assert [g["ReplicationGroupId"] for g in ec.describe_replication_groups()["ReplicationGroups"]] == ["described"]

    ec.create_cache_cluster(CacheClusterId="inputs-mc", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1)
    wait_cluster(ec, "inputs-mc", timeout=60)
    code, _ = refused(ec.modify_cache_cluster, CacheClusterId="inputs-mc", AuthToken="a-token-of-16-chars-or-more",
                      AuthTokenUpdateStrategy="ROTATE")
    assert code == "InvalidParameterCombination"
    ec.delete_cache_cluster(CacheClusterId="inputs-mc")
    ec.delete_replication_group(ReplicationGroupId="described")
    wait_gone(ec, group="described")
    wait_gone(ec, cluster="inputs-mc")
