#!/usr/bin/env python3
"""Control-plane latency as the fleet grows: the describe and list calls at
10, 1,000 and 10,000 resources of a kind, against a running Kura.
    /usr/bin/python3 bench/control_plane_scale.py [ENDPOINT=http://127.0.0.1:4566] [SIZES=10,1000,10000] [CALLS=300] [KINDS=table,parameter-group,key,secret]
For each size it creates resources up to that count (cheap kinds only:
DynamoDB tables, RDS DB parameter groups, KMS keys, secrets), then times
CALLS calls of each kind's describe of one random resource and of the
first page of its list (100 a page, as a client that paginates asks),
and reports p50 / p99 in ms per size and the p99 ratio against the
smallest size. The times include boto3's own work (about 1 ms a call),
so they bound Kura's from above. Everything it made is deleted at the
end. RDS DB instances are not made by the thousand here (each runs a
PostgreSQL): bench/rds_instances_scale.py measures DescribeDBInstances
with 10,000 stopped instances' records. KINDS picks some of the kinds."""
import concurrent.futures
import random
import statistics
import sys
import time

import boto3
import botocore.config

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4566"
sizes = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "10,1000,10000").split(",")]
calls = int(sys.argv[3]) if len(sys.argv) > 3 else 300
chosen = (sys.argv[4] if len(sys.argv) > 4 else "table,parameter-group,key,secret").split(",")
config = botocore.config.Config(max_pool_connections=16, retries={"max_attempts": 8, "mode": "standard"})


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name="ap-northeast-1", config=config,
                        aws_access_key_id="test", aws_secret_access_key="test")


ddb, rds, kms, sm = client("dynamodb"), client("rds"), client("kms"), client("secretsmanager")
stamp = int(time.time())


class Kind:
    """One kind of resource: how to make one, describe one, list a page, delete one."""

    def __init__(self, name, make, describe, page, delete):
        self.name, self.make, self.describe, self.page, self.delete = name, make, describe, page, delete
        self.made = []


def make_table(i):
    name = f"scale-{stamp}-{i}"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    return name


def make_parameter_group(i):
    name = f"scale-{stamp}-{i}"
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres15",
                                  Description="scale bench")
    return name


def make_key(i):
    return kms.create_key(Description=f"scale {i}")["KeyMetadata"]["KeyId"]


def make_secret(i):
    name = f"scale-{stamp}-{i}"
    sm.create_secret(Name=name, SecretString="x")
    return name


all_kinds = [
    Kind("DynamoDB table", make_table,
         lambda n: ddb.describe_table(TableName=n),
         lambda: ddb.list_tables(Limit=100),
         lambda n: ddb.delete_table(TableName=n)),
    Kind("RDS DB parameter group", make_parameter_group,
         lambda n: rds.describe_db_parameter_groups(DBParameterGroupName=n),
         lambda: rds.describe_db_parameter_groups(MaxRecords=100),
         lambda n: rds.delete_db_parameter_group(DBParameterGroupName=n)),
    Kind("KMS key", make_key,
         lambda k: kms.describe_key(KeyId=k),
         lambda: kms.list_keys(Limit=100),
         lambda k: kms.schedule_key_deletion(KeyId=k, PendingWindowInDays=7)),
    Kind("secret", make_secret,
         lambda n: sm.describe_secret(SecretId=n),
         lambda: sm.list_secrets(MaxResults=100),
         lambda n: sm.delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)),
]
kinds = [kind for kind, key in zip(all_kinds, ["table", "parameter-group", "key", "secret"]) if key in chosen]


def timed(call, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def grow(kind, size):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        kind.made += list(pool.map(kind.make, range(len(kind.made), size)))


results = {}  # (kind, size) -> ((describe p50, p99), (list p50, p99))
try:
    for size in sizes:
        for kind in kinds:
            start = time.monotonic()
            grow(kind, size)
            made_in = time.monotonic() - start
            describe = timed(lambda: kind.describe(random.choice(kind.made)), calls)
            page = timed(kind.page, calls)
            results[(kind.name, size)] = (describe, page)
            print(f"{kind.name:24} {size:6}: describe p50 {describe[0]:6.2f} p99 {describe[1]:6.2f} ms; "
                  f"list page p50 {page[0]:6.2f} p99 {page[1]:6.2f} ms (grown in {made_in:.0f} s)", flush=True)
finally:
    for kind in kinds:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(kind.delete, kind.made))

print()
print("| kind | " + " | ".join(f"{s} describe p50 / p99" for s in sizes) + " | " +
      " | ".join(f"{s} list p50 / p99" for s in sizes) + f" | p99 ratio {sizes[-1]}/{sizes[0]} (describe, list) |")
print("| --- " * (2 * len(sizes) + 2) + "|")
for kind in kinds:
    row = [results[(kind.name, s)] for s in sizes]
    cells = [f"{d[0]:.2f} / {d[1]:.2f}" for d, _ in row] + [f"{p[0]:.2f} / {p[1]:.2f}" for _, p in row]
    ratio = f"{row[-1][0][1] / row[0][0][1]:.2f}, {row[-1][1][1] / row[0][1][1]:.2f}"
    print(f"| {kind.name} | " + " | ".join(cells) + f" | {ratio} |")
