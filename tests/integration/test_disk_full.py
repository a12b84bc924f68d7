"""A full disk is an outage that heals by itself: Kura's data directory on a
small tmpfs is filled up, calls fail with clear errors while the server
keeps serving and health says why, and once space is freed every kind of
call works again without a restart, every acknowledged write reads back,
and `kura trail verify` passes, reporting the records it lost as a gap.
Mounting a tmpfs needs root: the tests skip without it."""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request

import botocore.exceptions
import pytest

from conftest import KURA_BIN, KuraServer

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs as the data directory needs root")

DISK_MB = 96
FULL_WAIT = 30  # seconds for a full disk to show, and for Kura to heal once space is freed


@pytest.fixture
def small_disk():
    """A DISK_MB tmpfs as a data directory, unmounted afterwards."""
    root = tempfile.mkdtemp(prefix="kura-disk-full-")
    os.chmod(root, 0o711)
    data_dir = os.path.join(root, "data")
    os.mkdir(data_dir, 0o711)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m,mode=0711", "tmpfs", data_dir],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    servers = []
    yield data_dir, servers
    for server in servers:
        server.stop()
    subprocess.run(["umount", "-l", data_dir], check=False)
    if os.environ.get("KURA_KEEP_TEST_DATA"):
        print(f"server logs kept in {root}")
        return
    shutil.rmtree(root, ignore_errors=True)


def start_server(data_dir, servers, *args):
    # Digests every 2 s: a seal that failed on the full disk is retried soon.
    server = KuraServer(data_dir, ["--trail-digest-interval", "2", *args])
    servers.append(server)
    return server.start()


def free_bytes(path):
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(path, leave=0):
    """Writes a filler file until the file system is full (or `leave` bytes are left)."""
    filler = os.path.join(path, "filler")
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 12, 1):
            while free_bytes(path) - leave >= size:
                try:
                    f.write(chunk[:size])
                except OSError:
                    break
    return filler


def health(server):
    with urllib.request.urlopen(server.endpoint + "/_kura/health", timeout=5) as response:
        assert response.status == 200
        return json.loads(response.read())


def state_of(server):
    """For a failed assertion: what health says (or why it did not), and the log's tail."""
    try:
        said = health(server)
    except Exception as error:  # noqa: BLE001 - shown, not handled
        said = repr(error)
    return said, server.read_log()[-3000:]


def failure(call, **kwargs):
    """The ClientError a call fails with, or None when it succeeds."""
    try:
        call(**kwargs)
        return None
    except botocore.exceptions.ClientError as error:
        return error


def assert_disk_full_error(error):
    assert error is not None
    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
    code = error.response["Error"]["Code"]
    assert status in (500, 503), error.response
    assert code in ("InternalFailure", "InternalServerError", "ServiceUnavailable"), error.response


def stuck_or_healed(server):
    """Waits for the DynamoDB store to write again once space is back, or
    for health to say its recovery is stuck; fails otherwise."""
    def healed_or_stuck():
        reasons = health(server).get("reasons", [])
        if any(reason.startswith("recovery stuck: dynamodb") for reason in reasons):
            return "stuck"
        return "disk full: dynamodb" not in reasons

    outcome = until(time.monotonic() + FULL_WAIT, healed_or_stuck)
    assert outcome, state_of(server)
    return outcome


def healed_or_restarted(server):
    """Waits for the DynamoDB store to write again once space is back. When
    its recovery is stuck (RocksDB 7.8's Resume() can wait forever for a
    flush it never schedules: rarely, bench/ddb_disk_full_trials.py), Kura
    says to restart it: then it must stop at once and come back with what
    it acknowledged. The server and a DynamoDB client."""
    if stuck_or_healed(server) == "stuck":
        assert "a store's recovery has not ended: restart Kura" in server.read_log()
        assert server.stop(timeout=10) == 0, server.read_log()[-3000:]  # a stuck recovery holds no stop
        server.start()
    return server, server.client("dynamodb")


def until(deadline, attempt):
    """Calls attempt() until it returns something true or the deadline passes."""
    result = None
    while time.monotonic() < deadline:
        result = attempt()
        if result:
            return result
        time.sleep(0.5)
    return result


def item(key):
    return {"pk": {"S": key}, "v": {"S": "x" * 200}}


def test_a_full_disk_heals_without_a_restart(small_disk):
    data_dir, servers = small_disk
    server = start_server(data_dir, servers)
    ddb, logs, rds, cw = (server.client(name) for name in ("dynamodb", "logs", "rds", "cloudwatch"))
    ddb.create_table(TableName="items", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    acknowledged = []
    for i in range(20):
        ddb.put_item(TableName="items", Item=item(f"before-{i}"))
        acknowledged.append(f"before-{i}")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    now_ms = int(time.time() * 1000)
    logs.put_log_events(logGroupName="g", logStreamName="s",
                        logEvents=[{"timestamp": now_ms, "message": f"before {i}"} for i in range(10)])
    logged = [f"before {i}" for i in range(10)]
    family = rds.describe_db_engine_versions(Engine="postgres")["DBEngineVersions"][0]["DBParameterGroupFamily"]
    rds.create_db_parameter_group(DBParameterGroupName="pg-before", DBParameterGroupFamily=family,
                                  Description="written before the disk fills")
    cw.put_metric_data(Namespace="Kura/Test", MetricData=[{"MetricName": "m", "Value": 1.0}])
    assert health(server)["status"] == "ok"

    filler = fill(data_dir)
    deadline = time.monotonic() + FULL_WAIT
    # Writes may still fit in pages their files already have: write until
    # each store refuses (bounded), keeping what was acknowledged.
    ddb_error = None
    for i in range(200):
        ddb_error = failure(ddb.put_item, TableName="items", Item=item(f"full-{i}"))
        if ddb_error is not None:
            break
        acknowledged.append(f"full-{i}")
    assert_disk_full_error(ddb_error)
    assert "disk is full" in ddb_error.response["Error"]["Message"]
    logs_error = None
    for i in range(200):
        logs_error = failure(logs.put_log_events, logGroupName="g", logStreamName="s",
                             logEvents=[{"timestamp": now_ms, "message": f"full {i} " + "y" * 2000}])
        if logs_error is not None:
            break
        logged.append(f"full {i} " + "y" * 2000)
    assert_disk_full_error(logs_error)
    assert "disk is full" in logs_error.response["Error"]["Message"]
    catalog_error = None
    for i in range(200):
        catalog_error = failure(rds.create_db_parameter_group, DBParameterGroupName=f"pg-full-{i}",
                                DBParameterGroupFamily=family, Description="d" * 200)
        if catalog_error is not None:
            break
    assert_disk_full_error(catalog_error)
    assert "disk is full" in catalog_error.response["Error"]["Message"]
    # Calls go on until the trail too has lost records (its file may have
    # had room for some).
    state = until(deadline, lambda: (ddb.describe_table(TableName="items"),
                                     "disk full: trail" in health(server).get("reasons", []))[1])
    assert state, health(server)
    report = health(server)
    assert report["status"] == "degraded"
    assert "disk full: dynamodb" in report["reasons"]
    assert "disk full: catalog.db" in report["reasons"]
    assert "disk full: logs.db" in report["reasons"]
    # Still serving: reads answer, the process lives.
    assert server.proc.poll() is None
    assert ddb.get_item(TableName="items", Key={"pk": {"S": "before-0"}}, ConsistentRead=True)["Item"]
    assert rds.describe_db_parameter_groups(DBParameterGroupName="pg-before")["DBParameterGroups"]
    assert server.client("cloudtrail").lookup_events(MaxResults=5)["Events"]

    os.remove(filler)
    healed_at = time.monotonic()
    deadline = healed_at + FULL_WAIT

    def everything_works():
        n = len(acknowledged)
        if failure(ddb.put_item, TableName="items", Item=item(f"after-{n}")) is not None:
            return False
        acknowledged.append(f"after-{n}")
        if failure(logs.put_log_events, logGroupName="g", logStreamName="s",
                   logEvents=[{"timestamp": now_ms, "message": f"after {n}"}]) is not None:
            return False
        logged.append(f"after {n}")
        if failure(rds.create_db_parameter_group, DBParameterGroupName=f"pg-after-{n}",
                   DBParameterGroupFamily=family, Description="after") is not None:
            return False
        if failure(cw.put_metric_data, Namespace="Kura/Test", MetricData=[{"MetricName": "m", "Value": 2.0}]):
            return False
        return health(server)["status"] == "ok"

    assert until(deadline, everything_works), state_of(server)
    print(f"healed {time.monotonic() - healed_at:.1f} s after the filler was deleted")
    assert server.proc.poll() is None

    def read_back():
        for key in acknowledged:
            got = ddb.get_item(TableName="items", Key={"pk": {"S": key}}, ConsistentRead=True)
            assert got.get("Item") == item(key), key
        messages = [e["message"] for e in logs.get_log_events(logGroupName="g", logStreamName="s",
                                                                 startFromHead=True, limit=10000)["events"]]
        for message in logged:
            assert message in messages

    read_back()
    assert server.stop() == 0
    # An outage is logged, not at every retry (the sealer once spun on it).
    assert server.read_log().count("trail: sealing failed") <= 1
    assert server.read_log().count("level=error") < 200
    server.start()
    read_back()
    assert rds.describe_db_parameter_groups(DBParameterGroupName="pg-before")["DBParameterGroups"]
    assert server.stop() == 0

    verified = subprocess.run([KURA_BIN, "trail", "verify", "--data-dir", data_dir, "--require-sealed"],
                              capture_output=True, text=True, timeout=120)
    print(verified.stdout)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "records lost between" in verified.stdout, verified.stdout
    assert "no space left on device" in verified.stdout, verified.stdout
    assert "intact, with" in verified.stdout, verified.stdout


def test_kura_starts_on_a_nearly_full_disk(small_disk):
    data_dir, servers = small_disk
    server = start_server(data_dir, servers)
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="items", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="items", Item=item("kept"))
    assert server.stop() == 0
    # An older Kura let RocksDB keep info LOGs of its own: they go at start.
    old_log = os.path.join(data_dir, "dynamodb", "LOG.old.1700000000000000")
    with open(old_log, "wb") as f:
        f.write(b"x" * (2 << 20))
    fill(data_dir, leave=256 * 1024)
    assert free_bytes(data_dir) < 512 * 1024
    server.start()  # waits for health's 200
    assert not os.path.exists(old_log)
    assert not os.path.exists(os.path.join(data_dir, "dynamodb", "LOG"))
    assert ddb.get_item(TableName="items", Key={"pk": {"S": "kept"}}, ConsistentRead=True)["Item"] == item("kept")
    assert health(server)["status"] in ("ok", "degraded")
    assert server.stop() == 0


def test_writes_through_repeated_outages(small_disk):
    """Six writers keep writing while the disk fills and empties four times:
    the server lives, the DynamoDB store heals after each time, nothing
    acknowledged is lost, and the trail verifies. (A write or a WAL sync
    under way when another one failed once aborted the server inside
    RocksDB: TableStore's walMutex_. With small memtables, flushed often, a
    recovery tried on a disk still full once never returned and held every
    writer: TableStore::resume.)"""
    data_dir, servers = small_disk
    server = start_server(data_dir, servers, "--dynamodb-cache-mb", "16")
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="items", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    acknowledged, refused, stop = [], [], threading.Event()

    def writer(name):
        client = server.client("dynamodb")
        for i in range(100000):
            if stop.is_set():
                return
            key = f"{name}-{i}"
            error = failure(client.put_item, TableName="items", Item={"pk": {"S": key}, "v": {"S": "x" * 8000}})
            if error is None:
                acknowledged.append(key)
            else:
                assert_disk_full_error(error)
                refused.append(key)
                time.sleep(0.05)

    def start_writers():
        stop.clear()
        started = [threading.Thread(target=writer, args=(name,)) for name in "abcdef"]
        for thread in started:
            thread.start()
        return started

    def stop_writers(running):
        stop.set()
        for thread in running:
            thread.join(timeout=60)

    threads = start_writers()
    try:
        for _ in range(4):
            time.sleep(1.5)
            filler = fill(data_dir)
            time.sleep(2)
            assert server.proc.poll() is None, server.read_log()[-4000:]
            os.remove(filler)
            if "stuck" in str(stuck_or_healed(server)):
                # RocksDB 7.8's Resume() that never ends (docs/operations.md,
                # "the disk filled"): the runbook's restart, with the writers
                # stopped first, and every write acknowledged before it kept.
                stop_writers(threads)
                server, ddb = healed_or_restarted(server)
                threads = start_writers()
        time.sleep(2)
    finally:
        stop_writers(threads)
    assert refused, "the disk never filled"
    for key in acknowledged:
        assert "Item" in ddb.get_item(TableName="items", Key={"pk": {"S": key}}, ConsistentRead=True), key
    assert server.stop() == 0
    assert server.read_log().count("level=error") < 200
    verified = subprocess.run([KURA_BIN, "trail", "verify", "--data-dir", data_dir, "--require-sealed"],
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(f"{len(acknowledged)} writes acknowledged, {len(refused)} refused; " + verified.stdout.splitlines()[-1])


def test_kura_on_a_disk_with_no_space_at_all_exits_with_a_clear_error(small_disk):
    """Started on a disk with not a byte free, Kura either serves (degraded)
    or exits 1 saying the disk is full; it never aborts. Once space is freed
    it starts with everything it had."""
    data_dir, servers = small_disk
    server = start_server(data_dir, servers)
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="items", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="items", Item=item("kept"))
    assert server.stop() == 0
    filler = fill(data_dir)
    assert free_bytes(data_dir) == 0
    try:
        server.start()
        started = True
    except RuntimeError as error:
        started = False
        print(error)
    if started:
        assert health(server)["status"] == "degraded"
        assert server.stop() == 0
    else:
        code = server.stop()
        log = server.read_log()
        assert code == 1, log[-2000:]
        assert "the disk of the data directory is full" in log, log[-2000:]
    os.remove(filler)
    server.start()
    assert ddb.get_item(TableName="items", Key={"pk": {"S": "kept"}}, ConsistentRead=True)["Item"] == item("kept")
    assert health(server)["status"] == "ok"
    assert server.stop() == 0


def test_a_write_bigger_than_the_wal_buffer_on_a_full_disk(small_disk):
    """A write batch bigger than the WAL's buffer (rocksdb_options.h:
    kWalBufferBytes) fails on a full disk inside RocksDB's append, before it
    reaches the memtable. Right after a recovery the memtable is empty, and
    RocksDB's Resume() switches to a new WAL only when it has something to
    flush: the failed WAL stayed in use and the next write aborted Kura.
    25 items of 390 KB with an index that projects them all make one batch
    of about 20 MB."""
    data_dir, servers = small_disk
    server = start_server(data_dir, servers)
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="big", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexes=[{"IndexName": "by-g",
                                              "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="big", Item={"pk": {"S": "kept"}, "g": {"S": "g"}})

    def store_stopped():
        return "disk full: dynamodb" in health(server).get("reasons", [])

    # An outage and its recovery, which leaves the memtable empty.
    filler = fill(data_dir)
    for i in range(200):
        if failure(ddb.put_item, TableName="big", Item={"pk": {"S": f"full-{i}"}, "v": {"S": "x" * 8000}}):
            break
    assert store_stopped()
    os.remove(filler)
    server, ddb = healed_or_restarted(server)
    # The big write on a full disk, then space again.
    filler = fill(data_dir)
    items = [{"PutRequest": {"Item": {"pk": {"S": f"big-{i}"}, "g": {"S": "g"}, "v": {"S": "y" * 390000}}}}
             for i in range(25)]
    error = failure(ddb.batch_write_item, RequestItems={"big": items})
    assert_disk_full_error(error)
    os.remove(filler)

    server, ddb = healed_or_restarted(server)
    # Writes work again; the process lives.
    assert until(time.monotonic() + FULL_WAIT,
                 lambda: failure(ddb.put_item, TableName="big", Item={"pk": {"S": "after"}, "g": {"S": "g"}}) is None)
    assert server.proc.poll() is None, server.read_log()[-4000:]
    ddb.batch_write_item(RequestItems={"big": items})
    assert ddb.get_item(TableName="big", Key={"pk": {"S": "big-24"}}, ConsistentRead=True)["Item"]["v"]["S"] == "y" * 390000
    assert ddb.get_item(TableName="big", Key={"pk": {"S": "kept"}}, ConsistentRead=True)["Item"]
    assert server.stop() == 0
