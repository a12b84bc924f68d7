"""Application Auto Scaling for Aurora replicas and ElastiCache replicas
through boto3, psql and redis-cli: a scheduled action adds an Aurora
Replica to a cluster (CreateDBInstance as the service-linked role, named and
tagged as AWS's auto scaling names them) that then serves reads through the
reader endpoint, and a later one removes it but no replica the user made; a
scheduled action raises the replicas per node group of a Redis replication
group with cluster mode enabled, and the new replica holds the data; bad
input gets AWS's errors. The server runs with --autoscaling-time-scale 60."""
import datetime
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from rds_support import PASSWORD, cluster, wait_cluster, wait_instances
from test_elasticache_cluster_mode import cli, create_sharded
from test_elasticache_replication import wait_group
from test_rds_aurora import ENGINE, on_reader, on_writer

AURORA_DIM = "rds:cluster:ReadReplicaCount"
CACHE_DIM = "elasticache:replication-group:Replicas"
UNSUPPORTED = "Unsupported service namespace, resource type or scalable dimension"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory(extra_args=["--autoscaling-time-scale", "60"])


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def wait_for(predicate, timeout, what):
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}: {value!r}")


def soon(seconds=2):
    """An at() schedule a few seconds from now (UTC)."""
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


def schedule(aas, namespace, resource, dimension, name, minimum, maximum):
    aas.put_scheduled_action(ServiceNamespace=namespace, ResourceId=resource, ScalableDimension=dimension,
                             ScheduledActionName=name, Schedule=soon(),
                             ScalableTargetAction={"MinCapacity": minimum, "MaxCapacity": maximum})


def finished_activity(aas, namespace, resource, description):
    def done():
        for activity in aas.describe_scaling_activities(ServiceNamespace=namespace,
                                                        ResourceId=resource)["ScalingActivities"]:
            if activity["Description"] == description and activity["StatusCode"] != "InProgress":
                return activity
        return None
    return wait_for(done, 30, description)


def readers(rds, identifier):
    return sorted(m["DBInstanceIdentifier"] for m in cluster(rds, identifier)["DBClusterMembers"]
                  if not m["IsClusterWriter"])


def test_scheduled_action_adds_an_aurora_replica_that_serves_reads_and_removes_it(server):
    rds, aas = server.client("rds"), server.client("application-autoscaling")
    rds.create_db_cluster(DBClusterIdentifier="shop", Engine=ENGINE, MasterUsername="admin",
                          MasterUserPassword=PASSWORD)
    wait_cluster(rds, "shop")
    rds.create_db_instance(DBInstanceIdentifier="shop-1", DBClusterIdentifier="shop", Engine=ENGINE,
                           DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["shop-1"])
    on_writer(rds, "shop", "CREATE TABLE orders (n int); INSERT INTO orders SELECT generate_series(1, 500)")

    assert error_of(aas.register_scalable_target, ServiceNamespace="rds", ResourceId="cluster:shop",
                    ScalableDimension=AURORA_DIM, MinCapacity=0, MaxCapacity=16) == (
        "ValidationException", "Maximum capacity cannot be greater than 15 for an Aurora scalable target")
    aas.register_scalable_target(ServiceNamespace="rds", ResourceId="cluster:shop", ScalableDimension=AURORA_DIM,
                                 MinCapacity=0, MaxCapacity=3)
    target = aas.describe_scalable_targets(ServiceNamespace="rds")["ScalableTargets"][0]
    assert target["ResourceId"] == "cluster:shop" and target["MinCapacity"] == 0 and target["MaxCapacity"] == 3
    assert target["RoleARN"].endswith(
        ":role/aws-service-role/rds.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_RDSCluster")
    assert readers(rds, "shop") == []

    # The scheduled action raises the minimum to 1: a replica is added.
    schedule(aas, "rds", "cluster:shop", AURORA_DIM, "morning", 1, 3)
    activity = finished_activity(aas, "rds", "cluster:shop", "Setting desired count of Aurora Replicas to 1.")
    assert activity["StatusCode"] == "Successful", activity
    assert activity["Cause"] == "scheduled action name morning was triggered"
    added = readers(rds, "shop")
    assert len(added) == 1 and added[0].startswith("application-autoscaling-")
    instance = rds.describe_db_instances(DBInstanceIdentifier=added[0])["DBInstances"][0]
    assert instance["DBClusterIdentifier"] == "shop" and instance["DBInstanceClass"] == "db.r6g.large"
    assert {"Key": "application-autoscaling:resourceId", "Value": "cluster:shop"} in instance["TagList"]
    wait_instances(rds, added)
    # The new replica serves reads through the reader endpoint, with the data.
    assert wait_for(lambda: on_reader(rds, "shop", "SELECT count(*) FROM orders", check=False) == "500", 30,
                    "the replica's rows")
    assert on_reader(rds, "shop", "SELECT pg_is_in_recovery()") == "t"
    assert aas.describe_scalable_targets(ServiceNamespace="rds")["ScalableTargets"][0]["MinCapacity"] == 1

    # The trail shows the CreateDBInstance as the service-linked role's.
    def role_create():
        events = server.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateDBInstance"}])["Events"]
        return [e for e in events if "AWSServiceRoleForApplicationAutoScaling_RDSCluster" in e["CloudTrailEvent"]
                and added[0] in e["CloudTrailEvent"]]
    assert wait_for(role_create, 10, "the role's CreateDBInstance in the trail")

    # A replica the user adds is one of the count, but never removed by scaling.
    rds.create_db_instance(DBInstanceIdentifier="shop-2", DBClusterIdentifier="shop", Engine=ENGINE,
                           DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["shop-2"])
    schedule(aas, "rds", "cluster:shop", AURORA_DIM, "night", 0, 0)
    activity = finished_activity(aas, "rds", "cluster:shop", "Setting desired count of Aurora Replicas to 0.")
    assert activity["StatusCode"] == "Failed"
    assert "removes only the replicas it added" in activity["StatusMessage"]
    wait_for(lambda: readers(rds, "shop") == ["shop-2"], 60, "the added replica gone")
    assert on_reader(rds, "shop", "SELECT count(*) FROM orders") == "500"

    aas.deregister_scalable_target(ServiceNamespace="rds", ResourceId="cluster:shop", ScalableDimension=AURORA_DIM)
    assert aas.describe_scheduled_actions(ServiceNamespace="rds")["ScheduledActions"] == []


def replica_get(member, key):
    endpoint = member["ReadEndpoint"]
    result = subprocess.run(["redis-cli", "-h", endpoint["Address"], "-p", str(endpoint["Port"])],
                            input=f"READONLY\nGET {key}\n", capture_output=True, text=True, timeout=30)
    return result.stdout.split("\n")[1].strip() if result.returncode == 0 and "\n" in result.stdout else None


def test_scheduled_action_raises_redis_replicas_and_the_new_replica_holds_the_data(server):
    ec, aas = server.client("elasticache"), server.client("application-autoscaling")
    group = create_sharded(ec, "sessions", shards=2, replicas=0)
    for n in range(50):
        assert cli(group, "SET", f"s:{n}", f"user-{n}") == "OK"
    resource = "replication-group/sessions"
    assert error_of(aas.register_scalable_target, ServiceNamespace="elasticache", ResourceId=resource,
                    ScalableDimension=CACHE_DIM, MinCapacity=0, MaxCapacity=6) == (
        "ValidationException", "Maximum capacity cannot be greater than 5 for an ElastiCache scalable target")
    aas.register_scalable_target(ServiceNamespace="elasticache", ResourceId=resource, ScalableDimension=CACHE_DIM,
                                 MinCapacity=0, MaxCapacity=2)
    schedule(aas, "elasticache", resource, CACHE_DIM, "peak", 1, 2)
    activity = finished_activity(aas, "elasticache", resource, "Setting desired replicas per node group to 1.")
    assert activity["StatusCode"] == "Successful", activity
    group = wait_group(ec, "sessions", "available", timeout=60)
    replicas = []
    for node_group in group["NodeGroups"]:
        members = node_group["NodeGroupMembers"]
        assert sorted(m["CurrentRole"] for m in members) == ["primary", "replica"]
        replicas.append(next(m for m in members if m["CurrentRole"] == "replica"))
    assert cli(group, "CLUSTER", "NODES").count("slave") == 2

    # Each new replica holds its node group's keys: together, every key.
    def held():
        found = {n for replica in replicas for n in range(50) if replica_get(replica, f"s:{n}") == f"user-{n}"}
        return len(found) == 50
    wait_for(held, 30, "every key on the new replicas")

    # A third node group, by a scheduled action on the NodeGroups dimension.
    shards = "elasticache:replication-group:NodeGroups"
    aas.register_scalable_target(ServiceNamespace="elasticache", ResourceId=resource, ScalableDimension=shards,
                                 MinCapacity=2, MaxCapacity=3)
    schedule(aas, "elasticache", resource, shards, "reshard", 3, 3)
    activity = finished_activity(aas, "elasticache", resource, "Setting desired node group count to 3.")
    assert activity["StatusCode"] == "Successful", activity
    group = wait_group(ec, "sessions", "available", timeout=90)
    assert len(group["NodeGroups"]) == 3
    assert all(cli(group, "GET", f"s:{n}") == f"user-{n}" for n in range(50))


def test_bad_input_gets_aws_errors(server):
    aas = server.client("application-autoscaling")
    for namespace, resource, dimension in [("rds", "cluster/shop", AURORA_DIM),
                                           ("rds", "cluster:shop", CACHE_DIM),
                                           ("elasticache", "replication-group/", CACHE_DIM),
                                           ("elasticache", "cluster:shop", CACHE_DIM),
                                           ("ecs", "service/c/s", "ecs:service:DesiredCount")]:
        assert error_of(aas.register_scalable_target, ServiceNamespace=namespace, ResourceId=resource,
                        ScalableDimension=dimension, MinCapacity=0, MaxCapacity=1) == (
            "ValidationException", UNSUPPORTED), resource
    assert error_of(aas.register_scalable_target, ServiceNamespace="rds", ResourceId="cluster:nope",
                    ScalableDimension=AURORA_DIM, MinCapacity=0, MaxCapacity=1) == (
        "ValidationException", "Aurora cluster does not exist: cluster:nope")
    assert error_of(aas.register_scalable_target, ServiceNamespace="elasticache",
                    ResourceId="replication-group/nope", ScalableDimension=CACHE_DIM, MinCapacity=0,
                    MaxCapacity=1) == (
        "ValidationException", "Replication group does not exist: replication-group/nope")
    assert error_of(aas.put_scheduled_action, ServiceNamespace="rds", ResourceId="cluster:nope",
                    ScalableDimension=AURORA_DIM, ScheduledActionName="x", Schedule="rate(1 hour)",
                    ScalableTargetAction={"MinCapacity": 1})[0] == "ObjectNotFoundException"
    assert error_of(aas.delete_scheduled_action, ServiceNamespace="rds", ResourceId="cluster:nope",
                    ScalableDimension=AURORA_DIM, ScheduledActionName="x")[0] == "ObjectNotFoundException"
    # A policy needs a registered target, and a metric Kura records.
    assert error_of(aas.put_scaling_policy, PolicyName="p", ServiceNamespace="rds", ResourceId="cluster:nope",
                    ScalableDimension=AURORA_DIM, PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={
                        "TargetValue": 40, "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "RDSReaderAverageCPUUtilization"}})[0] == "ObjectNotFoundException"
