"""Drives every service Kura serves with an AWS CLI (Debian's v2, or the
machine image's newer v1): main calls, a waiter and a paginator (the CLI's
own, --page-size) per service, each value read back. Services run side by
side, each in a thread: every call is a process of its own.

run(aws, endpoint, prefix) returns service -> error text (None: it passed)."""
import base64
import concurrent.futures
import json
import os
import subprocess
import tempfile
import time
import traceback

REGION = "ap-northeast-1"


class Cli:
    def __init__(self, aws, endpoint):
        self.aws = aws
        self.endpoint = endpoint
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                        AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_MAX_ATTEMPTS="2")
        for name in ("AWS_PROFILE", "AWS_DATA_PATH", "AWS_SESSION_TOKEN"):
            self.env.pop(name, None)
        version = subprocess.run([aws, "--version"], capture_output=True, text=True, env=self.env, timeout=60)
        # v1 sends a blob given as text as its bytes; v2 base64-decodes it.
        self.v1 = (version.stdout + version.stderr).startswith("aws-cli/1.")

    def __call__(self, *args):
        result = subprocess.run([self.aws, "--endpoint-url", self.endpoint, "--output", "json", *args],
                                capture_output=True, text=True, env=self.env, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args[:2])} failed ({result.returncode}): {result.stderr[-2000:]}")
        return json.loads(result.stdout) if result.stdout.strip() else None

    def fails(self, *args):
        result = subprocess.run([self.aws, "--endpoint-url", self.endpoint, "--output", "json", *args],
                                capture_output=True, text=True, env=self.env, timeout=120)
        assert result.returncode != 0, f"aws {' '.join(args[:2])} succeeded"
        return result.stderr


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def cloudwatch(aws, prefix):
    ns = prefix + "/App"
    now = int(time.time())
    aws("cloudwatch", "put-metric-data", "--namespace", ns, "--metric-data", json.dumps(
        [{"MetricName": "Load", "Value": 4.5, "Unit": "Percent", "Timestamp": now,
          "Dimensions": [{"Name": "h", "Value": "a"}]}]))
    metrics = aws("cloudwatch", "list-metrics", "--namespace", ns)["Metrics"]
    check([m["MetricName"] for m in metrics] == ["Load"], f"ListMetrics: {metrics}")
    stats = aws("cloudwatch", "get-metric-statistics", "--namespace", ns, "--metric-name", "Load",
                "--dimensions", "Name=h,Value=a", "--start-time", str(now - 300), "--end-time", str(now + 300),
                "--period", "60", "--statistics", "Maximum")["Datapoints"]
    check(stats and stats[0]["Maximum"] == 4.5 and stats[0]["Unit"] == "Percent", f"statistics: {stats}")
    for name in ("a1", "a2"):
        aws("cloudwatch", "put-metric-alarm", "--alarm-name", f"{prefix}-{name}", "--namespace", ns,
            "--metric-name", "Load", "--statistic", "Average", "--period", "60", "--evaluation-periods", "1",
            "--threshold", "90", "--comparison-operator", "GreaterThanThreshold")
    aws("cloudwatch", "wait", "alarm-exists", "--alarm-names", f"{prefix}-a1")
    alarms = aws("cloudwatch", "describe-alarms", "--alarm-name-prefix", prefix, "--page-size", "1")["MetricAlarms"]
    check(sorted(a["AlarmName"] for a in alarms) == [f"{prefix}-a1", f"{prefix}-a2"], f"alarms: {alarms}")
    check(alarms[0]["Threshold"] == 90.0, f"threshold: {alarms[0]}")
    error = aws.fails("cloudwatch", "set-alarm-state", "--alarm-name", prefix + "-missing", "--state-value", "OK",
                      "--state-reason", "x")
    check("ResourceNotFound" in error, f"missing alarm: {error}")
    aws("cloudwatch", "delete-alarms", "--alarm-names", f"{prefix}-a1", f"{prefix}-a2")


def dynamodb(aws, prefix):
    table = prefix + "-table"
    aws("dynamodb", "create-table", "--table-name", table, "--attribute-definitions",
        "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
        "--billing-mode", "PAY_PER_REQUEST", "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_IMAGE")
    aws("dynamodb", "wait", "table-exists", "--table-name", table)
    for key in ("a", "b", "c"):
        aws("dynamodb", "put-item", "--table-name", table, "--item",
            json.dumps({"pk": {"S": key}, "n": {"N": "1"}, "b": {"B": base64.b64encode(b"\x00\xff").decode()}}))
    item = aws("dynamodb", "get-item", "--table-name", table, "--key", '{"pk": {"S": "b"}}')["Item"]
    sent = base64.b64encode(b"\x00\xff") if aws.v1 else b"\x00\xff"
    check(base64.b64decode(item["b"]["B"]) == sent, f"GetItem: {item}")
    items = aws("dynamodb", "scan", "--table-name", table, "--page-size", "1")["Items"]
    check(sorted(i["pk"]["S"] for i in items) == ["a", "b", "c"], f"Scan: {items}")
    queried = aws("dynamodb", "query", "--table-name", table, "--key-condition-expression", "pk = :p",
                  "--expression-attribute-values", '{":p": {"S": "c"}}')["Items"]
    check([i["pk"]["S"] for i in queried] == ["c"], f"Query: {queried}")
    arn = aws("dynamodb", "describe-table", "--table-name", table)["Table"]["LatestStreamArn"]
    shard = aws("dynamodbstreams", "describe-stream", "--stream-arn", arn)["StreamDescription"]["Shards"][0]
    iterator = aws("dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard["ShardId"],
                   "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
    records = aws("dynamodbstreams", "get-records", "--shard-iterator", iterator)["Records"]
    check([r["eventName"] for r in records] == ["INSERT"] * 3, f"stream: {records}")
    aws("dynamodb", "delete-table", "--table-name", table)


def autoscaling(aws, prefix):
    table = prefix + "-scaled"
    aws("dynamodb", "create-table", "--table-name", table, "--attribute-definitions",
        "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
        "--provisioned-throughput", "ReadCapacityUnits=5,WriteCapacityUnits=5")
    aws("dynamodb", "wait", "table-exists", "--table-name", table)
    for unit in ("Read", "Write"):
        aws("application-autoscaling", "register-scalable-target", "--service-namespace", "dynamodb",
            "--resource-id", "table/" + table, "--scalable-dimension", f"dynamodb:table:{unit}CapacityUnits",
            "--min-capacity", "5", "--max-capacity", "20")
    targets = aws("application-autoscaling", "describe-scalable-targets", "--service-namespace", "dynamodb",
                  "--resource-ids", "table/" + table, "--page-size", "1")["ScalableTargets"]
    check(sorted(t["ScalableDimension"] for t in targets) ==
          ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"], f"targets: {targets}")
    aws("dynamodb", "delete-table", "--table-name", table)


def kms(aws, prefix):
    key = aws("kms", "create-key", "--description", prefix)["KeyMetadata"]["KeyId"]
    with tempfile.TemporaryDirectory() as folder:
        plain_path, blob_path = os.path.join(folder, "plain"), os.path.join(folder, "blob")
        with open(plain_path, "wb") as f:
            f.write(b"\x00kura\xff")
        blob = aws("kms", "encrypt", "--key-id", key, "--plaintext", "fileb://" + plain_path)["CiphertextBlob"]
        with open(blob_path, "wb") as f:
            f.write(base64.b64decode(blob))
        plain = aws("kms", "decrypt", "--ciphertext-blob", "fileb://" + blob_path)
    check(base64.b64decode(plain["Plaintext"]) == b"\x00kura\xff", f"Decrypt: {plain}")
    keys = aws("kms", "list-keys", "--page-size", "1")["Keys"]
    check(key in [k["KeyId"] for k in keys], "ListKeys pages")


def secretsmanager(aws, prefix):
    for n in (1, 2):
        aws("secretsmanager", "create-secret", "--name", f"{prefix}/s{n}", "--secret-string", f"value-{n}")
    value = aws("secretsmanager", "get-secret-value", "--secret-id", f"{prefix}/s2")
    check(value["SecretString"] == "value-2", f"GetSecretValue: {value}")
    listed = aws("secretsmanager", "list-secrets", "--filters", f"Key=name,Values={prefix}",
                 "--page-size", "1")["SecretList"]
    check(sorted(s["Name"] for s in listed) == [f"{prefix}/s1", f"{prefix}/s2"], f"ListSecrets: {listed}")
    for n in (1, 2):
        aws("secretsmanager", "delete-secret", "--secret-id", f"{prefix}/s{n}", "--force-delete-without-recovery")


def logs(aws, prefix):
    group = f"/{prefix}/g"
    for suffix in ("", "-2"):
        aws("logs", "create-log-group", "--log-group-name", group + suffix)
    aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "s")
    now = int(time.time() * 1000)
    aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "s", "--log-events",
        json.dumps([{"timestamp": now, "message": "one"}, {"timestamp": now + 1, "message": "two"}]))
    events = aws("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "s",
                 "--start-from-head")["events"]
    check([e["message"] for e in events] == ["one", "two"], f"GetLogEvents: {events}")
    groups = aws("logs", "describe-log-groups", "--log-group-name-prefix", f"/{prefix}/",
                 "--page-size", "1")["logGroups"]
    check(sorted(g["logGroupName"] for g in groups) == [group, group + "-2"], f"DescribeLogGroups: {groups}")


def iam_and_sts(aws, prefix):
    for n in (1, 2):
        aws("iam", "create-user", "--user-name", f"{prefix}-u{n}", "--path", f"/{prefix}/")
    aws("iam", "wait", "user-exists", "--user-name", f"{prefix}-u1")
    users = aws("iam", "list-users", "--path-prefix", f"/{prefix}/", "--page-size", "1")["Users"]
    check(sorted(u["UserName"] for u in users) == [f"{prefix}-u1", f"{prefix}-u2"], f"ListUsers: {users}")
    me = aws("sts", "get-caller-identity")
    check(me["Arn"].endswith(":root"), f"GetCallerIdentity: {me}")
    for n in (1, 2):
        aws("iam", "delete-user", "--user-name", f"{prefix}-u{n}")


def ec2_and_rds(aws, prefix):
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.77.0.0/16")["Vpc"]["VpcId"]
    aws("ec2", "wait", "vpc-available", "--vpc-ids", vpc)
    zones = aws("ec2", "describe-availability-zones")["AvailabilityZones"]
    for i in range(2):
        aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", f"10.77.{i}.0/24",
            "--availability-zone", zones[i]["ZoneName"])
    subnets = aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vpc}", "--page-size", "5")["Subnets"]
    check(len(subnets) == 2, f"DescribeSubnets: {subnets}")
    group = aws("ec2", "create-security-group", "--group-name", prefix, "--description", "compat",
                "--vpc-id", vpc)["GroupId"]
    aws("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp", "--port", "6379",
        "--cidr", "10.0.0.0/8")
    found = aws("ec2", "describe-security-groups", "--group-ids", group)["SecurityGroups"]
    check(found[0]["IpPermissions"][0]["FromPort"] == 6379, f"DescribeSecurityGroups: {found}")
    aws("rds", "create-db-parameter-group", "--db-parameter-group-name", prefix, "--db-parameter-group-family",
        "postgres15", "--description", "compat")
    aws("rds", "modify-db-parameter-group", "--db-parameter-group-name", prefix, "--parameters",
        "ParameterName=work_mem,ParameterValue=4096,ApplyMethod=immediate")
    params = aws("rds", "describe-db-parameters", "--db-parameter-group-name", prefix, "--source", "user",
                 "--page-size", "20")["Parameters"]
    check([(p["ParameterName"], p["ParameterValue"]) for p in params] == [("work_mem", "4096")], f"params: {params}")
    aws("rds", "create-db-subnet-group", "--db-subnet-group-name", prefix, "--db-subnet-group-description", "c",
        "--subnet-ids", *[s["SubnetId"] for s in subnets])
    groups = aws("rds", "describe-db-subnet-groups", "--page-size", "20")["DBSubnetGroups"]
    check(prefix in [g["DBSubnetGroupName"] for g in groups], "DescribeDBSubnetGroups pages")


def elasticache(aws, prefix):
    cluster = prefix + "-mc"
    aws("elasticache", "create-cache-cluster", "--cache-cluster-id", cluster, "--engine", "memcached",
        "--cache-node-type", "cache.t3.micro", "--num-cache-nodes", "1")
    # The CLI's waiter sleeps 15 s between its polls: it is asked once the
    # cluster is up, and must see it so on its first.
    deadline = time.monotonic() + 120  # a loaded CI machine's start of memcached
    while aws("elasticache", "describe-cache-clusters", "--cache-cluster-id", cluster)["CacheClusters"][0][
            "CacheClusterStatus"] != "available":
        check(time.monotonic() < deadline, "the cluster never became available")
        time.sleep(0.5)
    aws("elasticache", "wait", "cache-cluster-available", "--cache-cluster-id", cluster)
    clusters = aws("elasticache", "describe-cache-clusters", "--page-size", "20",
                   "--show-cache-node-info")["CacheClusters"]
    mine = [c for c in clusters if c["CacheClusterId"] == cluster]
    check(mine and mine[0]["CacheNodes"][0]["Endpoint"]["Port"] > 0, f"cluster: {mine}")
    aws("elasticache", "delete-cache-cluster", "--cache-cluster-id", cluster)


def cloudtrail(aws, prefix):
    events = aws("cloudtrail", "lookup-events", "--lookup-attributes",
                 "AttributeKey=EventName,AttributeValue=CreateSecret", "--page-size", "1")["Events"]
    mine = [e for e in events if prefix in e.get("CloudTrailEvent", "")]
    check(len(mine) == 2, f"LookupEvents: {len(mine)} of {len(events)}")


STEPS = {"cloudwatch": cloudwatch, "dynamodb": dynamodb, "kms": kms, "secretsmanager": secretsmanager,
         "logs": logs, "iam_sts": iam_and_sts, "ec2_rds": ec2_and_rds, "elasticache": elasticache,
         "autoscaling": autoscaling}


def run(aws_path, endpoint, prefix):
    aws = Cli(aws_path, endpoint)
    results = {}

    def one(name):
        try:
            STEPS[name](aws, prefix)
            return None
        except Exception:  # noqa: BLE001 - each service is reported on its own
            return traceback.format_exc()[-3000:]

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        for name, error in zip(STEPS, pool.map(one, STEPS)):
            results[name] = error
    # CloudTrail last: it reads back the calls the others made.
    try:
        cloudtrail(aws, prefix)
        results["cloudtrail"] = None
    except Exception:  # noqa: BLE001
        results["cloudtrail"] = traceback.format_exc()[-3000:]
    return results
