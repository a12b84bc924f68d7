"""No answer goes out before the sync that covers it: `kura serve` runs under
strace, a PutItem is made, and the trace must show the fdatasync (or fsync)
of the DynamoDB WAL that holds the item and the call's trail record (the WAL
carries the record until the trail's own file has it synced,
common/trail_carrier.h), finished before the response's bytes are handed to
the client's socket; the record reaches the trail's file too. (Traced
syscalls of all threads carry their entry time and duration, so "finished
before" is read from the clock, not from the order of lines.) Skipped where
strace is missing: scripts/install-deps.sh installs it, so CI runs it.

And what the WAL carried comes back after a crash: Kura is killed right
after its PutItems are answered, the trail's file loses its last records
(as a power loss loses what was not synced), and at the next start the
records are back in the trail, whose chain `kura trail verify` checks."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import uuid

import boto3
import botocore.config
import pytest

from conftest import KURA_BIN, REGION, free_port
from syscall_trace import STRACE, first_sync_after, parse


@pytest.mark.skipif(STRACE is None, reason="strace is not installed (scripts/install-deps.sh installs it)")
def test_put_item_is_answered_only_after_its_wal_and_trail_record_are_synced():
    root = tempfile.mkdtemp(prefix="kura-durable-")
    data_dir = os.path.join(root, "data")
    trace_path = os.path.join(root, "trace.txt")
    port = free_port()
    log = open(os.path.join(root, "kura.log"), "wb")
    proc = subprocess.Popen(
        [STRACE, "-f", "-ttt", "-T", "-yy", "-s", "4096", "-o", trace_path,
         "-e", "trace=fdatasync,fsync,sync_file_range,write,writev,pwrite64,sendto,sendmsg",
         KURA_BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # traced, Kura starts slowly
        while True:
            assert proc.poll() is None, "kura (under strace) exited"
            try:
                with urllib.request.urlopen(endpoint + "/_kura/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "kura under strace did not become healthy"
            time.sleep(0.2)
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                           aws_secret_access_key="test",
                           config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=60))
        table = "durable" + uuid.uuid4().hex[:8]
        marker = "mark" + uuid.uuid4().hex
        ddb.create_table(TableName=table, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName=table, Item={"k": {"S": "one"}, "v": {"S": marker}})
    finally:
        # Kura itself is stopped (strace, sent a SIGTERM, goes on tracing);
        # strace ends with it.
        try:
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
                for child in f.read().split():
                    os.kill(int(child), signal.SIGTERM)
        except OSError:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    with open(trace_path, encoding="utf-8", errors="replace") as f:
        calls = parse(f.read())
    shutil.rmtree(root, ignore_errors=True)

    writes = ("write", "writev", "pwrite64")
    # The item reaches the WAL (a RocksDB log file in the DynamoDB store).
    wal = [c for c in calls if c[0] in writes and "/dynamodb/" in c[1] and ".log" in c[1] and marker in c[2]]
    assert wal, "no write of the item to the DynamoDB WAL in the trace"
    wal_written = wal[0][4]
    # The answer: the first HTTP response handed to a socket after the item
    # was written (the test's client makes one call at a time).
    answers = [c for c in calls
               if c[0] in ("write", "writev", "sendto", "sendmsg") and "TCP" in c[1] and "HTTP/1.1 " in c[2]
               and c[3] >= wal_written]
    assert answers, "no response to the PutItem in the trace"
    answered = answers[0][3]

    # The call's record rides the same WAL (common/trail_carrier.h), written
    # before the answer.
    carried = [c for c in calls if c[0] in writes and "/dynamodb/" in c[1] and ".log" in c[1]
               and "PutItem" in c[2] and table in c[2] and "eventID" in c[2]]
    assert carried, "no write of the PutItem's trail record to the DynamoDB WAL in the trace"
    carried_written = carried[0][4]
    assert carried_written <= answered, "the WAL took the trail record after the answer"
    # One sync of the WAL, begun once both were written, ended before the answer.
    wal_synced = first_sync_after(calls, "/dynamodb/", max(wal_written, carried_written))
    assert wal_synced is not None and wal_synced <= answered, \
        f"the WAL was synced at {wal_synced}, after the answer went out at {answered}"
    # The trail's own file gets the record too (within its flush interval).
    trail = [c for c in calls
             if c[0] in writes and "/trail/logs/" in c[1] and "PutItem" in c[2] and table in c[2]]
    assert trail, "no write of the PutItem record to the trail in the trace"


def trail_records(data_dir):
    """The trail's records, in their files' order: (file, line)."""
    logs = os.path.join(data_dir, "trail", "logs")
    out = []
    for name in sorted(os.listdir(logs)):
        with open(os.path.join(logs, name), encoding="utf-8") as f:
            out += [(name, line) for line in f.read().splitlines()]
    return out


def test_trail_records_the_wal_carried_come_back_after_a_kill(kura_factory):
    server = kura_factory()
    ddb = server.client("dynamodb")
    table = "carried" + uuid.uuid4().hex[:8]
    ddb.create_table(TableName=table, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")

    def put(first, count):
        return [ddb.put_item(TableName=table, Item={"k": {"S": f"k{i}"}, "v": {"S": "x"}})
                ["ResponseMetadata"]["RequestId"] for i in range(first, first + count)]

    def count_in_trail(request_ids):
        lines = [line for _, line in trail_records(server.data_dir)]
        return [sum(request_id in line for line in lines) for request_id in request_ids]

    lost = put(0, 5)
    server.stop(sigkill=True)
    # What a power loss does to the trail's file when its last records were
    # not synced yet: they are gone (cut from the first PutItem's record on,
    # if the trail had written them at all).
    records = trail_records(server.data_dir)
    first = next((i for i, (_, line) in enumerate(records) if any(r in line for r in lost)), None)
    if first is not None:
        name = records[first][0]
        keep = [line for n, line in records[:first] if n == name]
        with open(os.path.join(server.data_dir, "trail", "logs", name), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in keep))
        for later in {n for n, _ in records[first:]} - {name}:
            os.remove(os.path.join(server.data_dir, "trail", "logs", later))
    assert count_in_trail(lost) == [0] * 5

    server.start()
    ddb = server.client("dynamodb")
    # Every answered PutItem's record is in the trail again, once.
    assert count_in_trail(lost) == [1] * 5
    assert ddb.get_item(TableName=table, Key={"k": {"S": "k4"}})["Item"]["v"] == {"S": "x"}

    # Killed once the trail has written the records (it does within 20 ms)
    # but likely before it synced them (within a second): the WAL still
    # carries them, and the next start does not append them twice.
    kept = put(5, 5)
    time.sleep(0.3)
    server.restart(sigkill=True)
    assert count_in_trail(lost + kept) == [1] * 10
    server.stop()
    verified = subprocess.run([KURA_BIN, "trail", "verify", "--data-dir", server.data_dir], capture_output=True,
                              text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_carried_records_are_dropped_once_the_trail_has_synced_them(kura_factory):
    """The WAL's copies go once the trail has synced them (within about a
    second, with no other call), and at a clean stop: a kill or a restart
    after that hands nothing back, and nothing is appended twice, however
    much the trail grew meanwhile."""
    server = kura_factory()
    ddb = server.client("dynamodb")
    table = "dropped" + uuid.uuid4().hex[:8]
    ddb.create_table(TableName=table, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    ids = [ddb.put_item(TableName=table, Item={"k": {"S": f"k{i}"}})["ResponseMetadata"]["RequestId"]
           for i in range(20)]
    time.sleep(2.5)  # the trail syncs within a second; DynamoDB is quiet meanwhile
    server.restart(sigkill=True)
    assert "carried=" not in server.read_log()
    later = [server.client("dynamodb").put_item(TableName=table, Item={"k": {"S": "late"}})
             ["ResponseMetadata"]["RequestId"]]
    server.restart(sigkill=False)  # a clean stop drops what it has synced at the end
    assert "carried=" not in server.read_log()
    lines = [line for _, line in trail_records(server.data_dir)]
    assert [sum(i in line for line in lines) for i in ids + later] == [1] * 21
    server.stop()
    verified = subprocess.run([KURA_BIN, "trail", "verify", "--data-dir", server.data_dir], capture_output=True,
                              text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
