#!/usr/bin/env python3
"""Drives every service Kura serves with whichever boto3 runs this script
(tests/integration/test_client_compat_boto3.py runs it with a newer boto3
than Debian's): main calls, a waiter and a paginator per service, each
value read back. Prints one JSON object: service -> {"ok", "error", ...}.

Usage: boto3_scenario.py ENDPOINT REGION PREFIX"""
import datetime
import json
import sys
import time
import traceback

import boto3
import botocore
import botocore.config

ENDPOINT, REGION, PREFIX = sys.argv[1], sys.argv[2], sys.argv[3]
FAST = {"Delay": 1, "MaxAttempts": 120}


def client(service):
    config = botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"})
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test", config=config)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def paginate(c, operation, key, page_size=1, **kwargs):
    """Every item of every page, the pages `page_size` items long (None:
    the service's own size, where the operation has no page size)."""
    items = []
    config = {"PageSize": page_size} if page_size else {}
    for page in c.get_paginator(operation).paginate(PaginationConfig=config, **kwargs):
        items.extend(page.get(key, []))
    return items


def cloudwatch():
    c = client("cloudwatch")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    ns = PREFIX + "/App"
    for i in range(3):
        c.put_metric_data(Namespace=ns, MetricData=[{"MetricName": f"M{i}", "Value": 2.0 + i, "Unit": "Count",
                                                     "Timestamp": now, "Dimensions": [{"Name": "h", "Value": "a"}]}])
    metrics = paginate(c, "list_metrics", "Metrics", page_size=None, Namespace=ns)
    check(sorted(m["MetricName"] for m in metrics) == ["M0", "M1", "M2"], f"ListMetrics pages: {metrics}")
    stats = c.get_metric_statistics(Namespace=ns, MetricName="M1", Dimensions=[{"Name": "h", "Value": "a"}],
                                    StartTime=now - datetime.timedelta(minutes=5),
                                    EndTime=now + datetime.timedelta(minutes=5), Period=60,
                                    Statistics=["Sum", "SampleCount"])
    point = stats["Datapoints"][0]
    check(point["Sum"] == 3.0 and point["Unit"] == "Count", f"statistics: {stats}")
    check(abs((point["Timestamp"] - now).total_seconds()) < 120, f"timestamp: {point['Timestamp']}")
    data = c.get_metric_data(MetricDataQueries=[{"Id": "q", "MetricStat": {
        "Metric": {"Namespace": ns, "MetricName": "M2", "Dimensions": [{"Name": "h", "Value": "a"}]},
        "Period": 60, "Stat": "Maximum"}}], StartTime=now - datetime.timedelta(minutes=5),
        EndTime=now + datetime.timedelta(minutes=5))
    check(data["MetricDataResults"][0]["Values"] == [4.0], f"GetMetricData: {data['MetricDataResults']}")
    alarm = PREFIX + "-alarm"
    c.put_metric_alarm(AlarmName=alarm, Namespace=ns, MetricName="M0", Statistic="Average", Period=60,
                       EvaluationPeriods=1, Threshold=100, ComparisonOperator="GreaterThanThreshold")
    c.get_waiter("alarm_exists").wait(AlarmNames=[alarm], WaiterConfig=FAST)
    c.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="compat")
    # SetAlarmState holds only until the alarm's next evaluation (as in
    # AWS): its mark is the history's, not the state of the moment.
    described = c.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]
    check(described["Threshold"] == 100.0 and described["MetricName"] == "M0", f"alarm: {described}")
    check(isinstance(described["StateUpdatedTimestamp"], datetime.datetime), "alarm timestamp type")
    history = paginate(c, "describe_alarm_history", "AlarmHistoryItems", AlarmName=alarm)
    check(any(h["HistorySummary"].endswith("to ALARM") for h in history), f"history: {history}")
    try:
        c.set_alarm_state(AlarmName=PREFIX + "-missing", StateValue="OK", StateReason="x")
        raise AssertionError("SetAlarmState of a missing alarm succeeded")
    except c.exceptions.ResourceNotFound as error:
        check(error.response["Error"]["Code"] == "ResourceNotFound", f"error: {error.response}")
    c.delete_alarms(AlarmNames=[alarm])
    check(c.describe_alarms(AlarmNames=[alarm])["MetricAlarms"] == [], "alarm deleted")
    return {"protocol": c.meta.service_model.protocol,
            "protocols": c.meta.service_model.metadata.get("protocols", [])}


def dynamodb():
    c = client("dynamodb")
    table = PREFIX + "-table"
    c.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"}],
                   BillingMode="PAY_PER_REQUEST",
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    c.get_waiter("table_exists").wait(TableName=table, WaiterConfig=FAST)
    for i in range(3):
        c.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": str(i)}, "b": {"B": bytes([i, 255])}})
    item = c.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}}, ConsistentRead=True)["Item"]
    check(item["b"]["B"] == bytes([1, 255]), f"GetItem: {item}")
    c.update_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}}, UpdateExpression="SET n = :n",
                  ExpressionAttributeValues={":n": {"N": "7"}})
    queried = c.query(TableName=table, KeyConditionExpression="pk = :p AND sk >= :s",
                      ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": "1"}})["Items"]
    check([i["sk"]["N"] for i in queried] == ["1", "2"] and queried[0]["n"]["N"] == "7", f"Query: {queried}")
    scanned = paginate(c, "scan", "Items", TableName=table)
    check(len(scanned) == 3, f"Scan pages: {scanned}")
    c.delete_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "0"}})
    described = c.describe_table(TableName=table)["Table"]
    check(described["TableStatus"] == "ACTIVE", f"table: {described}")
    streams = client("dynamodbstreams")
    arn = described["LatestStreamArn"]
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shards[0]["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    check([r["eventName"] for r in records] == ["INSERT", "INSERT", "INSERT", "MODIFY", "REMOVE"],
          f"stream records: {[r['eventName'] for r in records]}")
    check(isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], datetime.datetime), "stream time")
    listed = paginate(c, "list_tables", "TableNames")
    check(table in listed, f"ListTables: {listed}")
    c.delete_table(TableName=table)
    # A member newer than Debian's botocore (tools/models/aws/): DeletionProtectionEnabled.
    protected = PREFIX + "-protected"
    c.create_table(TableName=protected, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True)
    check(c.describe_table(TableName=protected)["Table"]["DeletionProtectionEnabled"] is True, "protection")
    try:
        c.delete_table(TableName=protected)
        raise AssertionError("a protected table was deleted")
    except c.exceptions.ClientError as error:
        check("protected against deletion" in error.response["Error"]["Message"], f"error: {error.response}")
    c.update_table(TableName=protected, DeletionProtectionEnabled=False)
    c.delete_table(TableName=protected)
    return {}


def autoscaling():
    ddb = client("dynamodb")
    table = PREFIX + "-scaled"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig=FAST)
    c = client("application-autoscaling")
    for dimension in ("dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"):
        c.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/" + table,
                                   ScalableDimension=dimension, MinCapacity=5, MaxCapacity=20)
    targets = paginate(c, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="dynamodb",
                       ResourceIds=["table/" + table])
    check(sorted((t["ScalableDimension"], t["MaxCapacity"]) for t in targets) ==
          [("dynamodb:table:ReadCapacityUnits", 20), ("dynamodb:table:WriteCapacityUnits", 20)], f"targets: {targets}")
    check(isinstance(targets[0]["CreationTime"], datetime.datetime), "CreationTime")
    for dimension in ("dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"):
        c.deregister_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/" + table,
                                     ScalableDimension=dimension)
    ddb.delete_table(TableName=table)
    return {}


def kms():
    c = client("kms")
    key = c.create_key(Description=PREFIX + " key")["KeyMetadata"]
    check(isinstance(key["CreationDate"], datetime.datetime), "key CreationDate")
    c.create_alias(AliasName="alias/" + PREFIX, TargetKeyId=key["KeyId"])
    blob = c.encrypt(KeyId="alias/" + PREFIX, Plaintext=b"\x00secret\xff")["CiphertextBlob"]
    plain = c.decrypt(CiphertextBlob=blob)
    check(plain["Plaintext"] == b"\x00secret\xff" and plain["KeyId"].endswith(key["KeyId"]), f"Decrypt: {plain}")
    data_key = c.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    check(len(data_key["Plaintext"]) == 32, "GenerateDataKey")
    check(c.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"], "data key")
    keys = paginate(c, "list_keys", "Keys")
    check(key["KeyId"] in [k["KeyId"] for k in keys], "ListKeys pages")
    aliases = paginate(c, "list_aliases", "Aliases")
    check("alias/" + PREFIX in [a["AliasName"] for a in aliases], "ListAliases pages")
    c.enable_key_rotation(KeyId=key["KeyId"])
    check(c.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"], "rotation")
    c.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    check(c.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion", "deletion")
    return {}


def secretsmanager():
    c = client("secretsmanager")
    name = PREFIX + "/secret"
    arn = c.create_secret(Name=name, SecretString="one")["ARN"]
    c.put_secret_value(SecretId=arn, SecretBinary=b"\x01two")
    value = c.get_secret_value(SecretId=name)
    check(value["SecretBinary"] == b"\x01two" and isinstance(value["CreatedDate"], datetime.datetime),
          f"GetSecretValue: {value}")
    c.create_secret(Name=name + "-2", SecretString="x")
    listed = paginate(c, "list_secrets", "SecretList", Filters=[{"Key": "name", "Values": [PREFIX]}])
    check(sorted(s["Name"] for s in listed) == [name, name + "-2"], f"ListSecrets pages: {listed}")
    versions = c.list_secret_version_ids(SecretId=name)["Versions"]
    check(len(versions) == 2, f"versions: {versions}")
    c.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    c.delete_secret(SecretId=name + "-2", ForceDeleteWithoutRecovery=True)
    return {}


def logs():
    c = client("logs")
    group = "/" + PREFIX + "/group"
    c.create_log_group(logGroupName=group)
    c.create_log_group(logGroupName=group + "-2")
    c.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    c.put_log_events(logGroupName=group, logStreamName="s",
                     logEvents=[{"timestamp": now, "message": "hello"}, {"timestamp": now + 1, "message": "world"}])
    events = c.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
    check([e["message"] for e in events] == ["hello", "world"], f"GetLogEvents: {events}")
    found = paginate(c, "filter_log_events", "events", logGroupName=group, filterPattern="world")
    check([e["message"] for e in found] == ["world"], f"FilterLogEvents: {found}")
    groups = paginate(c, "describe_log_groups", "logGroups", logGroupNamePrefix="/" + PREFIX)
    check(sorted(g["logGroupName"] for g in groups) == [group, group + "-2"], f"DescribeLogGroups: {groups}")
    c.delete_log_group(logGroupName=group)
    c.delete_log_group(logGroupName=group + "-2")
    return {}


def iam_and_sts():
    c = client("iam")
    user = PREFIX + "-user"
    c.create_user(UserName=user, Path="/compat/")
    c.get_waiter("user_exists").wait(UserName=user, WaiterConfig=FAST)
    key = c.create_access_key(UserName=user)["AccessKey"]
    users = paginate(c, "list_users", "Users", PathPrefix="/compat/")
    check(user in [u["UserName"] for u in users], f"ListUsers pages: {users}")
    role = c.create_role(RoleName=PREFIX + "-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]
    c.put_user_policy(UserName=user, PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Resource": role["Arn"]}]}))
    sts = client("sts")
    me = sts.get_caller_identity()
    check(me["Arn"].endswith(":root"), f"GetCallerIdentity: {me}")
    user_sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"])
    check(user_sts.get_caller_identity()["Arn"].endswith(":user/compat/" + user), "user identity")
    assumed = user_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="compat")
    check(isinstance(assumed["Credentials"]["Expiration"], datetime.datetime), "AssumeRole expiration")
    as_role = boto3.client("sts", endpoint_url=ENDPOINT, region_name=REGION,
                           aws_access_key_id=assumed["Credentials"]["AccessKeyId"],
                           aws_secret_access_key=assumed["Credentials"]["SecretAccessKey"],
                           aws_session_token=assumed["Credentials"]["SessionToken"])
    check(":assumed-role/" + PREFIX + "-role/compat" in as_role.get_caller_identity()["Arn"], "assumed identity")
    c.delete_user_policy(UserName=user, PolicyName="assume")
    c.delete_role(RoleName=PREFIX + "-role")
    c.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    c.delete_user(UserName=user)
    return {}


def ec2():
    c = client("ec2")
    vpc = c.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    c.get_waiter("vpc_available").wait(VpcIds=[vpc], WaiterConfig=FAST)
    zones = c.describe_availability_zones()["AvailabilityZones"]
    subnets = [c.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24",
                               AvailabilityZone=zones[i]["ZoneName"])["Subnet"]["SubnetId"] for i in range(2)]
    group = c.create_security_group(GroupName=PREFIX + "-sg", Description="compat", VpcId=vpc)["GroupId"]
    c.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    found = paginate(c, "describe_security_groups", "SecurityGroups", page_size=5, Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    mine = [g for g in found if g["GroupId"] == group]
    check(mine and mine[0]["IpPermissions"][0]["FromPort"] == 5432, f"DescribeSecurityGroups: {found}")
    listed = paginate(c, "describe_subnets", "Subnets", page_size=5, Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    check(sorted(s["SubnetId"] for s in listed) == sorted(subnets), f"DescribeSubnets: {listed}")
    return {"vpc": vpc, "subnets": subnets, "group": group}


def rds(network):
    c = client("rds")
    group = PREFIX + "-pg"
    c.create_db_parameter_group(DBParameterGroupName=group, DBParameterGroupFamily="postgres15", Description="compat")
    c.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "work_mem", "ParameterValue": "8192", "ApplyMethod": "immediate"}])
    params = paginate(c, "describe_db_parameters", "Parameters", page_size=20, DBParameterGroupName=group, Source="user")
    check([(p["ParameterName"], p["ParameterValue"]) for p in params] == [("work_mem", "8192")], f"params: {params}")
    c.create_db_subnet_group(DBSubnetGroupName=PREFIX + "-subnets", DBSubnetGroupDescription="compat",
                             SubnetIds=network["subnets"])
    instance = PREFIX + "-db"
    c.create_db_instance(DBInstanceIdentifier=instance, Engine="postgres", DBInstanceClass="db.t3.micro",
                         AllocatedStorage=20, MasterUsername="master", MasterUserPassword="secret-password-1",
                         DBParameterGroupName=group, DBSubnetGroupName=PREFIX + "-subnets",
                         VpcSecurityGroupIds=[network["group"]])
    c.get_waiter("db_instance_available").wait(DBInstanceIdentifier=instance, WaiterConfig=FAST)
    described = paginate(c, "describe_db_instances", "DBInstances", page_size=20)
    mine = [d for d in described if d["DBInstanceIdentifier"] == instance][0]
    check(mine["DBInstanceStatus"] == "available" and mine["Endpoint"]["Port"] > 0, f"instance: {mine}")
    check(isinstance(mine["InstanceCreateTime"], datetime.datetime), "InstanceCreateTime")
    c.delete_db_instance(DBInstanceIdentifier=instance, SkipFinalSnapshot=True)
    return {}


def elasticache():
    c = client("elasticache")
    cluster = PREFIX + "-mc"
    c.create_cache_cluster(CacheClusterId=cluster, Engine="memcached", CacheNodeType="cache.t3.micro",
                           NumCacheNodes=1)
    c.get_waiter("cache_cluster_available").wait(CacheClusterId=cluster, WaiterConfig=FAST)
    clusters = paginate(c, "describe_cache_clusters", "CacheClusters", page_size=20, ShowCacheNodeInfo=True)
    mine = [x for x in clusters if x["CacheClusterId"] == cluster][0]
    check(mine["CacheClusterStatus"] == "available" and mine["CacheNodes"][0]["Endpoint"]["Port"] > 0,
          f"cluster: {mine}")
    c.delete_cache_cluster(CacheClusterId=cluster)
    return {}


def cloudtrail():
    c = client("cloudtrail")
    events = paginate(c, "lookup_events", "Events", LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "CreateSecret"}])
    mine = [e for e in events if PREFIX in (e.get("CloudTrailEvent") or "")]
    check(len(mine) >= 2 and isinstance(mine[0]["EventTime"], datetime.datetime), f"LookupEvents: {len(mine)}")
    return {}


def main():
    report = {"botocore": botocore.__version__}
    steps = [("cloudwatch", cloudwatch), ("dynamodb", dynamodb), ("kms", kms), ("secretsmanager", secretsmanager),
             ("logs", logs), ("iam_sts", iam_and_sts), ("ec2", ec2), ("autoscaling", autoscaling)]
    network = None
    for name, step in steps:
        try:
            result = step()
            report[name] = {"ok": True, **result}
            if name == "ec2":
                network = result
        except Exception:  # noqa: BLE001 - each service is reported on its own
            report[name] = {"ok": False, "error": traceback.format_exc()[-3000:]}
    for name, step in [("elasticache", elasticache), ("cloudtrail", cloudtrail)]:
        try:
            report[name] = {"ok": True, **step()}
        except Exception:  # noqa: BLE001
            report[name] = {"ok": False, "error": traceback.format_exc()[-3000:]}
    try:
        if network is None:
            raise AssertionError("no network: the EC2 step failed")
        report["rds"] = {"ok": True, **rds(network)}
    except Exception:  # noqa: BLE001
        report["rds"] = {"ok": False, "error": traceback.format_exc()[-3000:]}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
