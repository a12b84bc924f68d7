"""Application Auto Scaling for DynamoDB through boto3 and the AWS CLI: a
scalable target and a target-tracking policy scale a table's provisioned
read capacity up under real load and back down when it stops, within the
target's bounds, with the alarms in CloudWatch, the activities recorded and
the change in the trail as the service-linked role's UpdateTable; state
survives SIGKILL; bad input gets AWS's errors; IAM refuses a user without
application-autoscaling:* actions. The server runs with
--autoscaling-time-scale 60: a minute of the alarms' periods lasts a second."""
import json
import os
import subprocess
import time

import pytest
from botocore.exceptions import ClientError
from conftest import KURA_BIN, REGION

TABLE_DIM = "dynamodb:table:ReadCapacityUnits"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory(extra_args=["--autoscaling-time-scale", "60"])


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def make_table(ddb, name, read=5, write=5, indexes=False):
    spec = dict(TableName=name, BillingMode="PROVISIONED",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write})
    if indexes:
        spec["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        spec["GlobalSecondaryIndexes"] = [{
            "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3}}]
    ddb.create_table(**spec)


def read_units(ddb, name):
    return ddb.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def tracked_table(ddb, scaling, name):
    """A table of 100 items of ~1 KB (a consistent Scan consumes 25 read
    units), its reads a target of 5 to 20 units, tracked at 50%: the policy."""
    make_table(ddb, name)
    for start in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i:03}"}, "v": {"S": "x" * 1000}}}}
            for i in range(start, start + 25)]})
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{name}",
                                     ScalableDimension=TABLE_DIM, MinCapacity=5, MaxCapacity=20)
    return scaling.put_scaling_policy(
        PolicyName="reads", ServiceNamespace="dynamodb", ResourceId=f"table/{name}", ScalableDimension=TABLE_DIM,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})


def test_target_tracking_scales_out_under_load_and_back_in(server):
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    policy = tracked_table(ddb, scaling, "hot")
    assert policy["PolicyARN"].startswith("arn:aws:autoscaling:")
    names = [a["AlarmName"] for a in policy["Alarms"]]
    assert len(names) == 2 and "AlarmHigh" in names[0] and "AlarmLow" in names[1]
    # The alarms are CloudWatch's: on the consumed capacity, the policy their action.
    cloudwatch = server.client("cloudwatch")
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]}
    high = alarms[names[0]]
    assert high["MetricName"] == "ConsumedReadCapacityUnits" and high["Namespace"] == "AWS/DynamoDB"
    assert high["AlarmActions"] == [policy["PolicyARN"]]
    assert high["Threshold"] == pytest.approx(0.5 * 5 * 1)  # 50% of 5 units over a (1-second) period

    # Load: consistent scans, each 25 units, ten a second: far above 50% of
    # 5 units a second (the table's burst capacity serves them until it
    # scales; a throttled scan is retried, as an SDK would).
    deadline = time.monotonic() + 30
    while read_units(ddb, "hot") == 5 and time.monotonic() < deadline:
        for _ in range(5):
            try:
                used = ddb.scan(TableName="hot", ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
                assert used["ConsumedCapacity"]["CapacityUnits"] == 25
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            time.sleep(0.1)
    assert read_units(ddb, "hot") == 20  # what the load asks for, capped at MaxCapacity
    # DynamoDB published what it consumed.
    metrics = cloudwatch.list_metrics(Namespace="AWS/DynamoDB", MetricName="ConsumedReadCapacityUnits")["Metrics"]
    assert {"Name": "TableName", "Value": "hot"} in metrics[0]["Dimensions"]

    activities = scaling.describe_scaling_activities(ServiceNamespace="dynamodb",
                                                     ResourceId="table/hot")["ScalingActivities"]
    latest = activities[0]
    assert latest["StatusCode"] == "Successful"
    assert latest["Description"] == "Setting read capacity units to 20."
    assert names[0] in latest["Cause"] and "reads" in latest["Cause"]
    # The high alarm's history: its action, the policy, executed (Kura's own scaler acts on it).
    history = cloudwatch.describe_alarm_history(AlarmName=names[0], HistoryItemType="Action")["AlarmHistoryItems"]
    assert history and history[0]["HistorySummary"] == f"Successfully executed action {policy['PolicyARN']}"
    assert json.loads(history[0]["HistoryData"])["actionState"] == "Succeeded"

    # Idle: after 15 periods below (50 - 20)% the low alarm scales it in, to MinCapacity.
    wait_for(lambda: read_units(ddb, "hot") == 5, 40, "scale in to MinCapacity")
    activities = scaling.describe_scaling_activities(ServiceNamespace="dynamodb",
                                                     ResourceId="table/hot")["ScalingActivities"]
    assert activities[0]["Description"] == "Setting read capacity units to 5."
    assert names[1] in activities[0]["Cause"] and activities[0]["StatusCode"] == "Successful"

    # The trail shows the change as the service-linked role's UpdateTable.
    def role_update():
        events = server.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "UpdateTable"}])["Events"]
        return [e for e in events if "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable" in e["CloudTrailEvent"]]
    assert wait_for(role_update, 10, "the role's UpdateTable in the trail")


def test_an_alarm_with_its_actions_disabled_does_not_scale(server):
    """DisableAlarmActions on a policy's high alarm: the alarm still goes to
    ALARM under load, the policy does not act on it, and its history has no
    action; enabled again, the policy scales."""
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    cloudwatch = server.client("cloudwatch")
    policy = tracked_table(ddb, scaling, "held")
    high = policy["Alarms"][0]["AlarmName"]
    cloudwatch.disable_alarm_actions(AlarmNames=[high])
    state = lambda: cloudwatch.describe_alarms(AlarmNames=[high])["MetricAlarms"][0]["StateValue"]  # noqa: E731

    # About 125 units a second (25 times the table's 5): the burst capacity
    # (1,500 units) lasts some 12 s without throttling, for both phases. A
    # throttled table's consumption comes in bursts that the alarm's
    # one-second periods (--autoscaling-time-scale 60) would not see as a
    # steady load.
    def load(until, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            try:
                ddb.scan(TableName="held", ConsistentRead=True)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            time.sleep(0.2)

    load(lambda: state() == "ALARM", 10)
    assert state() == "ALARM"
    load(lambda: read_units(ddb, "held") != 5, 2)  # the scaler's passes meanwhile: it must not act
    assert read_units(ddb, "held") == 5
    assert cloudwatch.describe_alarm_history(AlarmName=high, HistoryItemType="Action")["AlarmHistoryItems"] == []
    cloudwatch.enable_alarm_actions(AlarmNames=[high])
    load(lambda: read_units(ddb, "held") != 5, 30)
    assert read_units(ddb, "held") == 20


def test_register_brings_capacity_within_bounds_and_cli(server):
    ddb = server.client("dynamodb")
    make_table(ddb, "small", read=1, indexes=True)
    server.aws("application-autoscaling", "register-scalable-target", "--service-namespace", "dynamodb",
               "--resource-id", "table/small", "--scalable-dimension", TABLE_DIM,
               "--min-capacity", "4", "--max-capacity", "10")
    assert read_units(ddb, "small") == 4
    # A global secondary index is a target of its own.
    server.aws("application-autoscaling", "register-scalable-target", "--service-namespace", "dynamodb",
               "--resource-id", "table/small/index/by-g", "--scalable-dimension", "dynamodb:index:WriteCapacityUnits",
               "--min-capacity", "6", "--max-capacity", "8")
    index = ddb.describe_table(TableName="small")["Table"]["GlobalSecondaryIndexes"][0]
    assert index["ProvisionedThroughput"]["WriteCapacityUnits"] == 6
    targets = server.aws("application-autoscaling", "describe-scalable-targets", "--service-namespace", "dynamodb",
                         "--resource-ids", "table/small", "table/small/index/by-g")["ScalableTargets"]
    assert sorted((t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets) == [
        ("table/small", 4, 10), ("table/small/index/by-g", 6, 8)]
    # Paging.
    scaling = server.client("application-autoscaling")
    first = scaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=["table/small",
                                              "table/small/index/by-g"], MaxResults=1)
    assert len(first["ScalableTargets"]) == 1 and "NextToken" in first
    second = scaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=["table/small",
                                               "table/small/index/by-g"], NextToken=first["NextToken"])
    assert len(second["ScalableTargets"]) == 1 and "NextToken" not in second
    server.aws("application-autoscaling", "deregister-scalable-target", "--service-namespace", "dynamodb",
               "--resource-id", "table/small/index/by-g", "--scalable-dimension", "dynamodb:index:WriteCapacityUnits")
    left = scaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=["table/small/index/by-g"])
    assert left["ScalableTargets"] == []


def test_scheduled_action_sets_the_range(server):
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    make_table(ddb, "nightly", read=5)
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/nightly",
                                     ScalableDimension=TABLE_DIM, MinCapacity=5, MaxCapacity=50)
    scaling.put_scheduled_action(ServiceNamespace="dynamodb", ScheduledActionName="morning",
                                 ResourceId="table/nightly", ScalableDimension=TABLE_DIM,
                                 Schedule="at(2000-01-01T00:00:00)",
                                 ScalableTargetAction={"MinCapacity": 12, "MaxCapacity": 40})
    wait_for(lambda: read_units(ddb, "nightly") == 12, 10, "the scheduled minimum")
    target = scaling.describe_scalable_targets(ServiceNamespace="dynamodb",
                                               ResourceIds=["table/nightly"])["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (12, 40)
    actions = scaling.describe_scheduled_actions(ServiceNamespace="dynamodb")["ScheduledActions"]
    assert [a["ScheduledActionName"] for a in actions] == ["morning"]
    assert "_lastRun" not in actions[0]
    cause = scaling.describe_scaling_activities(ServiceNamespace="dynamodb",
                                                ResourceId="table/nightly")["ScalingActivities"][0]["Cause"]
    assert cause == "scheduled action name morning was triggered"
    scaling.delete_scheduled_action(ServiceNamespace="dynamodb", ScheduledActionName="morning",
                                    ResourceId="table/nightly", ScalableDimension=TABLE_DIM)
    assert scaling.describe_scheduled_actions(ServiceNamespace="dynamodb")["ScheduledActions"] == []


def test_bad_input_gets_aws_errors(server):
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    make_table(ddb, "errs")
    assert error_of(scaling.register_scalable_target, ServiceNamespace="ecs", ResourceId="service/c/s",
                    ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=2) == (
        "ValidationException", "Unsupported service namespace, resource type or scalable dimension")
    assert error_of(scaling.register_scalable_target, ServiceNamespace="dynamodb", ResourceId="table/errs",
                    ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=2)[0] == \
        "ValidationException"
    assert error_of(scaling.register_scalable_target, ServiceNamespace="dynamodb", ResourceId="table/none",
                    ScalableDimension=TABLE_DIM, MinCapacity=1, MaxCapacity=2) == (
        "ValidationException", "DynamoDB table does not exist: table/none")
    assert error_of(scaling.register_scalable_target, ServiceNamespace="dynamodb", ResourceId="table/errs",
                    ScalableDimension=TABLE_DIM, MinCapacity=9, MaxCapacity=2) == (
        "ValidationException", "Minimum capacity cannot be greater than maximum capacity")
    assert error_of(scaling.register_scalable_target, ServiceNamespace="dynamodb", ResourceId="table/errs",
                    ScalableDimension=TABLE_DIM)[0] == "ValidationException"
    assert error_of(scaling.put_scaling_policy, PolicyName="p", ServiceNamespace="dynamodb", ResourceId="table/errs",
                    ScalableDimension=TABLE_DIM, PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={"TargetValue": 50.0}) == (
        "ObjectNotFoundException",
        "No scalable target registered for service namespace: dynamodb, resource ID: table/errs, "
        "scalable dimension: dynamodb:table:ReadCapacityUnits")
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/errs",
                                     ScalableDimension=TABLE_DIM, MinCapacity=1, MaxCapacity=10)
    step = error_of(scaling.put_scaling_policy, PolicyName="p", ServiceNamespace="dynamodb", ResourceId="table/errs",
                    ScalableDimension=TABLE_DIM, PolicyType="StepScaling",
                    StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity",
                                                    "StepAdjustments": [{"ScalingAdjustment": 1}]})
    assert step[0] == "ValidationException" and "StepScaling" in step[1]
    wrong_metric = error_of(
        scaling.put_scaling_policy, PolicyName="p", ServiceNamespace="dynamodb", ResourceId="table/errs",
        ScalableDimension=TABLE_DIM, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}})
    assert wrong_metric[0] == "ValidationException"
    assert error_of(scaling.put_scaling_policy, PolicyName="p", ServiceNamespace="dynamodb", ResourceId="table/errs",
                    ScalableDimension=TABLE_DIM, PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={
                        "TargetValue": 5.0,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})[0] == "ValidationException"
    assert error_of(scaling.delete_scaling_policy, PolicyName="nope", ServiceNamespace="dynamodb",
                    ResourceId="table/errs", ScalableDimension=TABLE_DIM)[0] == "ObjectNotFoundException"
    assert error_of(scaling.deregister_scalable_target, ServiceNamespace="dynamodb", ResourceId="table/other",
                    ScalableDimension=TABLE_DIM)[0] == "ObjectNotFoundException"
    assert error_of(scaling.describe_scalable_targets, ServiceNamespace="dynamodb",
                    NextToken="garbage")[0] == "InvalidNextTokenException"
    assert error_of(scaling.put_scheduled_action, ServiceNamespace="dynamodb", ScheduledActionName="s",
                    ResourceId="table/errs", ScalableDimension=TABLE_DIM, Schedule="every day")[0] == \
        "ValidationException"
    # A bad enum value is the model's validation error, in the JSON protocol.
    code, message = error_of(scaling.describe_scalable_targets, ServiceNamespace="nosuch")
    assert code == "ValidationException" and "serviceNamespace" in message.replace("ServiceNamespace",
                                                                                    "serviceNamespace")


# Alone (the serial pass): in two full runs beside the other tests' engines
# the policy did not scale within 90 s after the restart, though it does in
# about a second alone. A likely cause, since fixed: an alarm counted the
# period still filling as missing data until its first datapoint came, so
# when the alarm's passes drifted early in their periods (before the
# consumed capacity's first publication in each) AlarmHigh never saw two
# breaching periods (tests/unit/services_cloudwatch/alarm_evaluation_test.cpp).
@pytest.mark.serial
def test_state_survives_sigkill_and_deletes_clean_up(kura_factory):
    server = kura_factory(extra_args=["--autoscaling-time-scale", "60"])
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    make_table(ddb, "durable", read=2)
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/durable",
                                     ScalableDimension=TABLE_DIM, MinCapacity=3, MaxCapacity=9)
    policy = scaling.put_scaling_policy(
        PolicyName="reads", ServiceNamespace="dynamodb", ResourceId="table/durable", ScalableDimension=TABLE_DIM,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0, "ScaleInCooldown": 600, "DisableScaleIn": True,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})
    server.restart(sigkill=True)
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    targets = scaling.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [("table/durable", 3, 9)]
    policies = scaling.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
    assert [p["PolicyARN"] for p in policies] == [policy["PolicyARN"]]
    config = policies[0]["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 70.0 and config["DisableScaleIn"] is True
    activities = scaling.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"]
    assert activities[0]["Description"] == "Setting read capacity units to 3." and \
        activities[0]["StatusCode"] == "Successful"
    assert read_units(ddb, "durable") == 3
    # The policy still scales after the kill: load takes it to MaxCapacity.
    for start in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={"durable": [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i:03}"}, "v": {"S": "x" * 1000}}}}
            for i in range(start, start + 25)]})
    # Up to 90 s: the alarm's minutes are scaled down, but a machine loaded
    # by other tests' engines can delay the passes that act on them.
    deadline = time.monotonic() + 90
    while read_units(ddb, "durable") == 3 and time.monotonic() < deadline:
        try:
            ddb.scan(TableName="durable", ConsistentRead=True)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        time.sleep(0.1)
    assert read_units(ddb, "durable") == 9
    # Deregistering removes the policy and its alarms.
    scaling.deregister_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/durable",
                                       ScalableDimension=TABLE_DIM)
    assert scaling.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"] == []
    names = [a["AlarmName"] for a in policy["Alarms"]]
    assert server.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"] == []


def test_iam_refuses_a_user_without_autoscaling_actions(server):
    iam = server.client("iam")
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="describe", PolicyDocument="""{
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "application-autoscaling:Describe*", "Resource": "*"}]}""")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    scaling = server.client("application-autoscaling", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    deadline = time.monotonic() + 10
    while True:
        try:
            scaling.describe_scalable_targets(ServiceNamespace="dynamodb")
            break
        except ClientError as error:  # the new key may take a moment to be known
            if time.monotonic() > deadline:
                raise
            assert error.response["Error"]["Code"] in ("InvalidClientTokenId", "UnrecognizedClientException")
            time.sleep(0.2)
    code, message = error_of(scaling.register_scalable_target, ServiceNamespace="dynamodb",
                             ResourceId="table/hot", ScalableDimension=TABLE_DIM, MinCapacity=1, MaxCapacity=2)
    assert code == "AccessDeniedException"
    assert "application-autoscaling:RegisterScalableTarget" in message


def test_unserved_json_service_gets_a_json_error(server):
    """A JSON-protocol client of a service Kura does not serve can read the error."""
    ssm = server.client("ssm")
    code, message = error_of(ssm.describe_parameters)
    assert code == "UnknownService" and "ssm" in message


def test_kura_check_reads_the_targets(server):
    """`kura check`'s dynamodb-capacity-mode: a provisioned table passes once
    auto scaling covers its reads and writes, and fails before."""
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    make_table(ddb, "checked")

    def verdict():
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION)
        done = subprocess.run([KURA_BIN, "check", "--endpoint-url", server.endpoint, "--format", "json"],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode in (0, 1), done.stderr
        found = [r for r in json.loads(done.stdout)["results"]
                 if r["rule"] == "dynamodb-capacity-mode" and r["resource"].endswith("table/checked")]
        return found[0]

    before = verdict()
    assert before["status"] == "failed" and "reads and writes" in before["detail"]
    for dimension, metric in (("Read", "DynamoDBReadCapacityUtilization"), ("Write", "DynamoDBWriteCapacityUtilization")):
        scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/checked",
                                         ScalableDimension=f"dynamodb:table:{dimension}CapacityUnits",
                                         MinCapacity=5, MaxCapacity=50)
        scaling.put_scaling_policy(
            PolicyName=f"{dimension.lower()}s", ServiceNamespace="dynamodb", ResourceId="table/checked",
            ScalableDimension=f"dynamodb:table:{dimension}CapacityUnits", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0,
                                                      "PredefinedMetricSpecification": {"PredefinedMetricType": metric}})
        if dimension == "Read":
            half = verdict()
            assert half["status"] == "failed" and half["detail"].endswith("of its writes")
    assert verdict()["status"] == "passed"


def test_index_write_capacity_scales_out_under_writes(server):
    """A global secondary index's own target: writes to the table charge the
    index, and its write capacity rises to what they need (capped)."""
    ddb = server.client("dynamodb")
    scaling = server.client("application-autoscaling")
    make_table(ddb, "indexed", indexes=True)
    dimension = "dynamodb:index:WriteCapacityUnits"
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/indexed/index/by-g",
                                     ScalableDimension=dimension, MinCapacity=3, MaxCapacity=20)
    scaling.put_scaling_policy(
        PolicyName="index-writes", ServiceNamespace="dynamodb", ResourceId="table/indexed/index/by-g",
        ScalableDimension=dimension, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}})

    def index_units():
        index = ddb.describe_table(TableName="indexed")["Table"]["GlobalSecondaryIndexes"][0]
        return index["ProvisionedThroughput"]["WriteCapacityUnits"]
    deadline, batch = time.monotonic() + 30, 0
    while index_units() == 3 and time.monotonic() < deadline:
        items = [{"PutRequest": {"Item": {"pk": {"S": f"{batch}-{i}"}, "g": {"S": "x" * 900}}}} for i in range(25)]
        try:
            ddb.batch_write_item(RequestItems={"indexed": items})
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        batch += 1
        time.sleep(0.1)
    assert index_units() == 20
    # The table's own write capacity is not the index's target: unchanged.
    assert ddb.describe_table(TableName="indexed")["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    # The activity is marked Successful just after the capacity is set.
    deadline = time.monotonic() + 10
    while True:
        latest = scaling.describe_scaling_activities(ServiceNamespace="dynamodb",
                                                     ResourceId="table/indexed/index/by-g",
                                                     ScalableDimension=dimension)["ScalingActivities"][0]
        if latest["StatusCode"] != "InProgress" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert latest["Description"] == "Setting write capacity units to 20." and latest["StatusCode"] == "Successful"
