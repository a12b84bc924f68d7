"""No answer goes out before the sync that covers it: `kura serve` runs under
strace, a PutItem is made, and the trace must show the fdatasync (or fsync)
of the DynamoDB WAL that holds the item, and of the trail file that holds
the call's record, both finished before the response's bytes are handed to
the client's socket. (Traced syscalls of all threads carry their entry time
and duration, so "finished before" is read from the clock, not from the
order of lines.) Skipped where strace is missing: scripts/install-deps.sh
installs it, so CI runs it."""
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
    # The call's record reaches the trail.
    trail = [c for c in calls
             if c[0] in writes and "/trail/logs/" in c[1] and "PutItem" in c[2] and table in c[2]]
    assert trail, "no write of the PutItem record to the trail in the trace"
    trail_written = trail[0][4]
    # The answer: the first HTTP response handed to a socket after the item
    # was written (the test's client makes one call at a time).
    answers = [c for c in calls
               if c[0] in ("write", "writev", "sendto", "sendmsg") and "TCP" in c[1] and "HTTP/1.1 " in c[2]
               and c[3] >= wal_written]
    assert answers, "no response to the PutItem in the trace"
    answered = answers[0][3]

    wal_synced = first_sync_after(calls, "/dynamodb/", wal_written)
    assert wal_synced is not None and wal_synced <= answered, \
        f"the WAL was synced at {wal_synced}, after the answer went out at {answered}"
    trail_synced = first_sync_after(calls, "/trail/logs/", trail_written)
    assert trail_synced is not None and trail_synced <= answered, \
        f"the trail was synced at {trail_synced}, after the answer went out at {answered}"
    # And the record was written before the answer, not after it.
    assert trail_written <= answered
