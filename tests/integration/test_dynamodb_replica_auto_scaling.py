"""DynamoDB's DescribeTableReplicaAutoScaling and UpdateTableReplicaAutoScaling
on a global table of two regions: write capacity set alike in every
replica, read capacity per replica, a global secondary index's too, all
through Application Auto Scaling's targets and policies in each region
(what it shows is what DynamoDB's call shows), and disabled again."""
import time

import botocore.exceptions
import pytest

EAST, WEST = "us-east-1", "us-west-2"
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}]
POLICY = {"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60.0, "ScaleInCooldown": 30,
                                                        "ScaleOutCooldown": 10}}


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def by_region(description):
    return {r["RegionName"]: r for r in description["Replicas"]}


def test_replica_auto_scaling_through_application_auto_scaling(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    east.create_table(TableName="ras", BillingMode="PROVISIONED", AttributeDefinitions=ATTRS,
                      KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                      ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                      GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                               "Projection": {"ProjectionType": "ALL"},
                                               "ProvisionedThroughput": {"ReadCapacityUnits": 5,
                                                                         "WriteCapacityUnits": 5}}],
                      StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    east.update_table(TableName="ras", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert wait_for(lambda: any(r["RegionName"] == WEST and r["ReplicaStatus"] == "ACTIVE"
                                for r in east.describe_table(TableName="ras")["Table"].get("Replicas", [])))

    # Nothing set yet: both replicas listed, no settings.
    none = east.describe_table_replica_auto_scaling(TableName="ras")["TableAutoScalingDescription"]
    assert none["TableName"] == "ras" and set(by_region(none)) == {EAST, WEST}
    assert "ReplicaProvisionedReadCapacityAutoScalingSettings" not in by_region(none)[EAST]

    out = east.update_table_replica_auto_scaling(
        TableName="ras",
        ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 5, "MaximumUnits": 40,
                                                   "ScalingPolicyUpdate": POLICY},
        GlobalSecondaryIndexUpdates=[{"IndexName": "by-g", "ProvisionedWriteCapacityAutoScalingUpdate": {
            "MinimumUnits": 5, "MaximumUnits": 20}}],
        ReplicaUpdates=[{"RegionName": WEST, "ReplicaProvisionedReadCapacityAutoScalingUpdate": {
            "MinimumUnits": 5, "MaximumUnits": 80, "ScalingPolicyUpdate": POLICY},
            "ReplicaGlobalSecondaryIndexUpdates": [{"IndexName": "by-g", "ProvisionedReadCapacityAutoScalingUpdate": {
                "MinimumUnits": 5, "MaximumUnits": 10}}]}])["TableAutoScalingDescription"]
    replicas = by_region(out)
    for region in (EAST, WEST):  # write capacity: every replica alike
        write = replicas[region]["ReplicaProvisionedWriteCapacityAutoScalingSettings"]
        assert (write["MinimumUnits"], write["MaximumUnits"], write["AutoScalingDisabled"]) == (5, 40, False)
        [policy] = write["ScalingPolicies"]
        assert policy["TargetTrackingScalingPolicyConfiguration"] == {"TargetValue": 60.0, "ScaleInCooldown": 30,
                                                                      "ScaleOutCooldown": 10}
        [index] = replicas[region]["GlobalSecondaryIndexes"]
        assert index["IndexName"] == "by-g"
        assert index["ProvisionedWriteCapacityAutoScalingSettings"]["MaximumUnits"] == 20
    # Read capacity: the west replica's own.
    assert replicas[WEST]["ReplicaProvisionedReadCapacityAutoScalingSettings"]["MaximumUnits"] == 80
    assert "ReplicaProvisionedReadCapacityAutoScalingSettings" not in replicas[EAST]
    assert replicas[WEST]["GlobalSecondaryIndexes"][0]["ProvisionedReadCapacityAutoScalingSettings"][
        "MaximumUnits"] == 10

    # Application Auto Scaling in the west region shows the same targets and policies.
    scaling = kura.client("application-autoscaling", region=WEST)
    targets = {(t["ResourceId"], t["ScalableDimension"]): (t["MinCapacity"], t["MaxCapacity"])
               for t in scaling.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]}
    assert targets == {("table/ras", "dynamodb:table:WriteCapacityUnits"): (5, 40),
                       ("table/ras", "dynamodb:table:ReadCapacityUnits"): (5, 80),
                       ("table/ras/index/by-g", "dynamodb:index:WriteCapacityUnits"): (5, 20),
                       ("table/ras/index/by-g", "dynamodb:index:ReadCapacityUnits"): (5, 10)}
    policies = scaling.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId="table/ras")["ScalingPolicies"]
    metrics = sorted(p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
                     ["PredefinedMetricType"] for p in policies)
    assert metrics == ["DynamoDBReadCapacityUtilization", "DynamoDBWriteCapacityUtilization"]
    # And what is read from the west is what the east said.
    assert by_region(west.describe_table_replica_auto_scaling(TableName="ras")["TableAutoScalingDescription"]) == replicas

    # Disabled: the targets (and their policies) go.
    east.update_table_replica_auto_scaling(
        TableName="ras", ProvisionedWriteCapacityAutoScalingUpdate={"AutoScalingDisabled": True},
        ReplicaUpdates=[{"RegionName": WEST, "ReplicaProvisionedReadCapacityAutoScalingUpdate": {
            "AutoScalingDisabled": True}}])
    left = {(t["ResourceId"], t["ScalableDimension"])
            for t in scaling.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]}
    assert left == {("table/ras/index/by-g", "dynamodb:index:WriteCapacityUnits"),
                    ("table/ras/index/by-g", "dynamodb:index:ReadCapacityUnits")}
    assert scaling.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId="table/ras")["ScalingPolicies"] == []


def test_replica_auto_scaling_refusals(kura):
    ddb = kura.client("dynamodb", region=EAST)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.describe_table_replica_auto_scaling(TableName="ras-missing")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    ddb.create_table(TableName="ras-single", BillingMode="PROVISIONED",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.update_table_replica_auto_scaling(TableName="ras-single", ReplicaUpdates=[
            {"RegionName": WEST, "ReplicaProvisionedReadCapacityAutoScalingUpdate": {"MinimumUnits": 1,
                                                                                     "MaximumUnits": 2}}])
    assert info.value.response["Error"]["Code"] == "ValidationException"
    # Application Auto Scaling's own refusal comes through: a maximum below the minimum.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.update_table_replica_auto_scaling(TableName="ras-single", ProvisionedWriteCapacityAutoScalingUpdate={
            "MinimumUnits": 10, "MaximumUnits": 2})
    assert info.value.response["Error"]["Code"] == "ValidationException"
    # A single-region table is its own replica.
    out = ddb.update_table_replica_auto_scaling(TableName="ras-single", ProvisionedWriteCapacityAutoScalingUpdate={
        "MinimumUnits": 2, "MaximumUnits": 8})["TableAutoScalingDescription"]
    assert [r["RegionName"] for r in out["Replicas"]] == [EAST]
    assert out["Replicas"][0]["ReplicaProvisionedWriteCapacityAutoScalingSettings"]["MaximumUnits"] == 8
