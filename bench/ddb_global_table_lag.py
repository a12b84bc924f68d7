#!/usr/bin/env python3
"""DynamoDB global tables: replication lag, from a write acknowledged in
one region to the moment it can be read in the other.

A Kura of its own (temporary data directory) gets a table in us-east-1
with a replica in us-west-2. While LOADERS processes write PutItems (1 KB,
a new key each) to the us-east-1 table as fast as they can, a marker
writer puts one item every 20 ms in us-east-1 and reads it back from
us-west-2 (GetItem with ConsistentRead, every 2 ms) until it is there; the
lag is from the PutItem's answer to the GetItem that returns it. The same
is then done from us-west-2 to us-east-1. Prints p50 / p99 / max of each
direction and the load's rate (goal: p99 under 1 s).

  bench/ddb_global_table_lag.py [KURA_BIN=build/src/main/kura] [MARKERS=500] [LOADERS=4]
Needs: boto3 (python3-boto3).
"""
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.config

EAST, WEST = "us-east-1", "us-west-2"
TABLE = "lag"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(port, region):
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def load(port, stop, count, worker):
    ddb = client(port, EAST)
    n = 0
    while not stop.is_set():
        ddb.put_item(TableName=TABLE, Item={"k": {"S": f"load-{worker}-{n}"}, "v": {"S": "x" * 1000}})
        n += 1
    with count.get_lock():
        count.value += n


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def markers(port, source, target, total):
    writer, reader = client(port, source), client(port, target)
    lags = []
    for i in range(total):
        started = time.monotonic()
        key = {"k": {"S": f"marker-{source}-{i}"}}
        writer.put_item(TableName=TABLE, Item=dict(key, at={"N": str(time.time())}))
        acknowledged = time.monotonic()
        while "Item" not in reader.get_item(TableName=TABLE, Key=key, ConsistentRead=True):
            time.sleep(0.002)
        lags.append((time.monotonic() - acknowledged) * 1000)
        time.sleep(max(0.0, 0.02 - (time.monotonic() - started)))
    return lags


def main():
    kura = sys.argv[1] if len(sys.argv) > 1 else "build/src/main/kura"
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    loaders = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    work = tempfile.mkdtemp()
    port = free_port()
    proc = subprocess.Popen([kura, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir",
                             os.path.join(work, "kura"), "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_kura/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        east = client(port, EAST)
        east.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST",
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        east.update_table(TableName=TABLE, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
        while client(port, WEST).describe_table(TableName=TABLE)["Table"]["TableStatus"] != "ACTIVE":
            time.sleep(0.05)
        for source, target in ((EAST, WEST), (WEST, EAST)):
            stop = multiprocessing.Event()
            count = multiprocessing.Value("l", 0)
            workers = [multiprocessing.Process(target=load, args=(port, stop, count, f"{source}{w}"))
                       for w in range(loaders)]
            for w in workers:
                w.start()
            began = time.monotonic()
            lags = markers(port, source, target, total)
            stop.set()
            for w in workers:
                w.join()
            elapsed = time.monotonic() - began
            print(f"{source} -> {target}: {total} markers, lag p50 {percentile(lags, 50):.1f} ms, "
                  f"p99 {percentile(lags, 99):.1f} ms, max {max(lags):.1f} ms; "
                  f"load {count.value / elapsed:.0f} PutItems/s from {loaders} writers in {EAST}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
