"""GET /_kura/metrics, read by Prometheus' own text parser
(python3-prometheus-client): the API's counters move with real calls, an
engine that stops answering shows up 0, replication lag, backup age and
restorable lag are real numbers, and off loopback the page is refused
without configured credentials."""
import base64
import glob
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import psycopg2
import pytest
from prometheus_client.parser import text_string_to_metric_families

import conftest
from rds_support import PASSWORD, create_instance, endpoint, wait_status
from test_elasticache_replication import member_pid, primary_of, wait_group


def scrape(server, headers=None):
    request = urllib.request.Request(server.endpoint + "/_kura/metrics", headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        return response.read().decode()


def samples(server):
    """{(sample name, frozenset(labels)): value} of the whole page."""
    found = {}
    for family in text_string_to_metric_families(scrape(server)):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(page, metric, **labels):
    wanted = set(labels.items())
    matches = [v for (n, l), v in page.items() if n == metric and wanted <= set(l)]
    assert len(matches) <= 1, (metric, labels, matches)
    return matches[0] if matches else None


def wait_value(server, predicate, metric, timeout=60, **labels):
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = value(samples(server), metric, **labels)
        if seen is not None and predicate(seen):
            return seen
        time.sleep(0.5)
    raise AssertionError(f"{metric}{labels} is {seen}")


def test_request_counters_move_with_real_calls(kura):
    ddb = kura.client("dynamodb")
    before = samples(kura)
    for _ in range(3):
        ddb.list_tables()
    for _ in range(2):
        with pytest.raises(ddb.exceptions.ResourceNotFoundException):
            ddb.describe_table(TableName="metrics-no-such-table")
    after = samples(kura)

    def moved(metric, **labels):
        return (value(after, metric, **labels) or 0) - (value(before, metric, **labels) or 0)

    assert moved("kura_api_requests_total", service="dynamodb", operation="ListTables") == 3
    assert moved("kura_api_request_errors_total", service="dynamodb", operation="ListTables") == 0
    assert moved("kura_api_requests_total", service="dynamodb", operation="DescribeTable") == 2
    assert moved("kura_api_request_errors_total", service="dynamodb", operation="DescribeTable") == 2
    assert moved("kura_api_errors_total", service="dynamodb", code="ResourceNotFoundException") == 2
    # The histogram counts every call, and its buckets are cumulative.
    assert moved("kura_api_request_duration_seconds_count", service="dynamodb", operation="ListTables") == 3
    assert moved("kura_api_request_duration_seconds_bucket", service="dynamodb", operation="ListTables",
                 le="+Inf") == 3
    assert value(after, "kura_api_request_duration_seconds_sum", service="dynamodb", operation="ListTables") > 0
    # An item write is answered once synced, by the thread that ends the
    # sync: it is counted then, and its time is the wait for the sync too.
    ddb.create_table(TableName="metrics-writes", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName="metrics-writes", WaiterConfig={"Delay": 1})
    unwritten = samples(kura)  # the shared server: other tests' writes are counted too
    for index in range(2):
        ddb.put_item(TableName="metrics-writes", Item={"k": {"S": str(index)}})
    written = samples(kura)

    def grew(metric, **labels):
        return (value(written, metric, **labels) or 0) - (value(unwritten, metric, **labels) or 0)
    assert grew("kura_api_requests_total", service="dynamodb", operation="PutItem") == 2
    assert grew("kura_api_request_duration_seconds_count", service="dynamodb", operation="PutItem") == 2
    assert grew("kura_api_request_duration_seconds_sum", service="dynamodb", operation="PutItem") > 0
    # An operation no model has is counted as "other", not under its name.
    request = urllib.request.Request(kura.endpoint + "/", data=b"{}", method="POST", headers={
        "X-Amz-Target": "DynamoDB_20120810.Made\"Up", "Content-Type": "application/x-amz-json-1.0"})
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
    page = scrape(kura)
    assert "Made" not in page
    # The stores' sizes are there, the catalog's never empty.
    assert value(samples(kura), "kura_store_bytes", store="catalog") > 0


def test_dynamodb_cache_bytes_show_what_the_budget_holds(kura_factory):
    """kura_dynamodb_cache_bytes: what the store's budget (--dynamodb-cache-mb,
    kura_dynamodb_cache_capacity_bytes) holds once a table bigger than it is
    written, flushed to table files and read back: data blocks come in with
    the reads, and all stays within the budget. kura_dynamodb_index_filter_bytes:
    the index and filter blocks of all the table files. Every item read back
    (GetItem batches and a Scan, from the files' partitioned index) is the one
    written."""
    server = kura_factory(["--dynamodb-cache-mb", "16"])
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="cache-parts", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    keys = [f"item-{n:05d}" for n in range(6000)]  # 24 MB: more than the budget, flushed to table files
    for first in range(0, len(keys), 25):
        pending = {"cache-parts": [{"PutRequest": {"Item": {"k": {"S": key}, "v": {"S": key * 400}}}}
                                   for key in keys[first:first + 25]]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending)["UnprocessedItems"]

    def parts():
        found = samples(server)
        seen = {part: found.get(("kura_dynamodb_cache_bytes", frozenset({("part", part)})))
                for part in ("data", "index", "filter", "memtables", "other")}
        seen["capacity"] = found.get(("kura_dynamodb_cache_capacity_bytes", frozenset()))
        for part in ("index", "filter"):
            seen["files " + part] = found.get(("kura_dynamodb_index_filter_bytes", frozenset({("part", part)})))
        return seen

    def settle(ready):  # gauges every 5 s; RocksDB's statistics of the cache up to 10 s old
        deadline = time.monotonic() + 60
        while True:
            seen = parts()
            if (seen["capacity"] and ready(seen)) or time.monotonic() > deadline:
                return seen
            time.sleep(1)
    unread = settle(lambda seen: seen["files index"] and seen["files filter"])
    assert unread["files index"] > 0 and unread["files filter"] > 0, unread

    read = 0
    for first in range(0, len(keys), 100):
        wanted = {"cache-parts": {"Keys": [{"k": {"S": key}} for key in keys[first:first + 100]]}}
        while wanted:
            answer = ddb.batch_get_item(RequestItems=wanted)
            for item in answer["Responses"].get("cache-parts", []):
                assert item["v"]["S"] == item["k"]["S"] * 400, item["k"]
                read += 1
            wanted = answer["UnprocessedKeys"]
    assert read == len(keys)
    scanned = []
    for page in ddb.get_paginator("scan").paginate(TableName="cache-parts"):
        scanned += [(item["k"]["S"], item["v"]["S"]) for item in page["Items"]]
    assert sorted(scanned) == [(key, key * 400) for key in keys]

    seen = settle(lambda seen: (seen["data"] or 0) > (unread["data"] or 0) + (1 << 20))
    assert seen["capacity"] == 16 << 20, seen
    assert seen["data"] > (unread["data"] or 0) + (1 << 20), (unread, seen)
    assert seen["index"] > 0 and seen["filter"] > 0, seen
    held = sum(seen[part] for part in ("data", "index", "filter", "memtables", "other"))
    assert held <= seen["capacity"] * 1.25, seen


def postmaster_pid(server, instance):
    path = os.path.join(server.data_dir, "rds", "instances", instance["DbiResourceId"], "pgdata", "postmaster.pid")
    with open(path) as f:
        return int(f.readline())


def test_rds_instance_gauges_are_real(kura):
    rds = kura.client("rds")
    create_instance(rds, "metrics-pg")
    instance = rds.describe_db_instances(DBInstanceIdentifier="metrics-pg")["DBInstances"][0]
    labels = dict(kind="db-instance", name="metrics-pg")
    wait_value(kura, lambda v: v == 1, "kura_engine_up", **labels)

    host, port = endpoint(rds, "metrics-pg")
    with psycopg2.connect(host=host, port=port, user="admin", password=PASSWORD, dbname="postgres") as session:
        wait_value(kura, lambda v: v >= 1, "kura_connections", **labels)
        rds.create_db_snapshot(DBInstanceIdentifier="metrics-pg", DBSnapshotIdentifier="metrics-pg-snap")
        wait_status(rds, "metrics-pg-snap", "available", snapshot=True)
        age = wait_value(kura, lambda v: True, "kura_backup_age_seconds", **labels)
        taken = rds.describe_db_snapshots(DBSnapshotIdentifier="metrics-pg-snap")["DBSnapshots"][0]
        expected = time.time() - taken["SnapshotCreateTime"].timestamp()
        assert 0 <= age <= expected + 10 and age >= expected - 15, (age, expected)
    latest = rds.describe_db_instances(DBInstanceIdentifier="metrics-pg")["DBInstances"][0]["LatestRestorableTime"]
    lag = wait_value(kura, lambda v: True, "kura_restorable_lag_seconds", **labels)
    assert 0 <= lag <= time.time() - latest.timestamp() + 10, lag

    # The engine stops answering (its postmaster stopped): 0, then 1 again.
    pid = postmaster_pid(kura, instance)
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_value(kura, lambda v: v == 0, "kura_engine_up", **labels)
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_value(kura, lambda v: v == 1, "kura_engine_up", **labels)

    # Stopped: no engine-up series, and its backup age and restorable lag
    # still reported, pass after pass (later passes from what an earlier
    # one kept of the unchanged record), each from the time of its pass.
    rds.stop_db_instance(DBInstanceIdentifier="metrics-pg")
    wait_status(rds, "metrics-pg", "stopped")
    stopped_at = time.monotonic()
    first_lag = wait_value(kura, lambda v: time.monotonic() > stopped_at + 11, "kura_restorable_lag_seconds", timeout=30,
                           **labels)
    first_age = value(samples(kura), "kura_backup_age_seconds", **labels)
    assert value(samples(kura), "kura_engine_up", **labels) is None
    latest = rds.describe_db_instances(DBInstanceIdentifier="metrics-pg")["DBInstances"][0]["LatestRestorableTime"]
    assert 0 <= first_lag <= time.time() - latest.timestamp() + 10, first_lag
    assert wait_value(kura, lambda v: v > first_lag + 4, "kura_restorable_lag_seconds", timeout=30, **labels)
    assert value(samples(kura), "kura_backup_age_seconds", **labels) > first_age + 4
    rds.delete_db_instance(DBInstanceIdentifier="metrics-pg", SkipFinalSnapshot=True)


def test_redis_replica_lag_and_a_hung_member(kura):
    ec = kura.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="metrics-rg", ReplicationGroupDescription="metrics",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2)
    group = wait_group(ec, "metrics-rg", "available")
    primary = primary_of(group)
    replica = next(m["CacheClusterId"] for m in group["NodeGroups"][0]["NodeGroupMembers"]
                   if m["CacheClusterId"] != primary)
    for member in (primary, replica):
        wait_value(kura, lambda v: v == 1, "kura_engine_up", kind="replication-group", name="metrics-rg", node=member)
    lag = wait_value(kura, lambda v: True, "kura_replication_lag_bytes", name="metrics-rg", node=replica)
    assert lag >= 0
    assert value(samples(kura), "kura_replication_lag_bytes", name="metrics-rg", node=primary) is None

    pid = member_pid(kura.data_dir, "metrics-rg", replica)
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_value(kura, lambda v: v == 0, "kura_engine_up", name="metrics-rg", node=replica)
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_value(kura, lambda v: v == 1, "kura_engine_up", name="metrics-rg", node=replica)
    ec.delete_replication_group(ReplicationGroupId="metrics-rg")


def test_every_shard_of_a_cluster_mode_group_is_probed(kura_factory):
    """A cluster-mode group's members, each shard's primary and replica, are
    up, and its replicas' lag is a number (the collection pass reads each
    node group's own primary). On a server of its own: the shared one's
    engine ports may be taken by the other modules' groups."""
    kura = kura_factory()
    ec = kura.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="metrics-sharded", ReplicationGroupDescription="sharded",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumNodeGroups=2,
                                ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True)
    group = wait_group(ec, "metrics-sharded", "available", timeout=90)
    members = [m["CacheClusterId"] for shard in group["NodeGroups"] for m in shard["NodeGroupMembers"]]
    assert len(members) == 4
    for member in members:
        wait_value(kura, lambda v: v == 1, "kura_engine_up", kind="replication-group", name="metrics-sharded",
                   node=member)
    replicas = [m["CacheClusterId"] for shard in group["NodeGroups"] for m in shard["NodeGroupMembers"]
                if m.get("CurrentRole") == "replica"]
    assert len(replicas) == 2
    for replica in replicas:
        assert wait_value(kura, lambda v: True, "kura_replication_lag_bytes", name="metrics-sharded",
                          node=replica) >= 0
    ec.delete_replication_group(ReplicationGroupId="metrics-sharded")
    wait_group(ec, "metrics-sharded", "gone")


def signed_get(url, key, secret):
    request = botocore.awsrequest.AWSRequest(method="GET", url=url)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "kura", conftest.REGION).add_auth(request)
    return dict(request.headers.items())


def test_off_loopback_the_page_needs_configured_credentials(tmp_path):
    # Bound to every address (a non-loopback bind), reached through 127.0.0.1.
    port = conftest.free_port()
    first, last = conftest.engine_ports(900)
    log_path = tmp_path / "kura.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([conftest.KURA_BIN, "serve", "--host", "0.0.0.0", "--port", str(port),
                                 "--data-dir", str(tmp_path / "data"), "--engine-port-first", str(first),
                                 "--engine-port-last", str(last)],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env=dict(os.environ, KURA_ACCESS_KEY_ID="AKIDMETRICS",
                                         KURA_SECRET_ACCESS_KEY="metrics-secret"))
    url = f"http://127.0.0.1:{port}/_kura/metrics"

    def status(headers):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
                assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
                page = response.read().decode()
                list(text_string_to_metric_families(page))  # parses
                assert "# TYPE kura_api_requests_total counter\n" in page
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def basic(user, password):
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    try:
        deadline = time.monotonic() + 30
        while "kura is serving" not in log_path.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
            time.sleep(0.1)
        assert status({}) == 401
        assert status(basic("AKIDMETRICS", "wrong")) == 401
        assert status(basic("test", "test")) == 401  # loopback's default credentials are not accepted here
        assert status(signed_get(url, "test", "test")) == 401
        assert status(signed_get(url, "AKIDMETRICS", "not-the-secret")) == 401
        assert status(basic("AKIDMETRICS", "metrics-secret")) == 200
        assert status(signed_get(url, "AKIDMETRICS", "metrics-secret")) == 200
    finally:
        proc.terminate()
        proc.wait(timeout=60)
