#!/usr/bin/env python3
"""A full disk, again and again, under DynamoDB writes: does the store heal
every time without a restart?
    /usr/bin/python3 bench/ddb_disk_full_trials.py KURA_BIN[,KURA_BIN...] [FILLS=40] [ROUNDS=1] [LOAD=2]
For each build in turn (ROUNDS times): `kura serve` on a 96 MB tmpfs (needs
root), with a 16 MB DynamoDB budget (2 MB memtables: switches come often);
six writers put 8 KB items (the same 200 keys each, so that the data does
not grow to fill the disk itself) while the disk is filled with a file and
emptied FILLS times, 2 s full, 1.5 s apart; LOAD busy loops keep the
cores busy meanwhile (a loaded machine is where the rare cases show).
After each emptying, the store must write again within 30 s (health
drops `disk full: dynamodb`). Reports per build how many fills healed, the
fill at which one did not (its health reasons, and whether RocksDB said
"Failed to switch ... WAL file", the fatal switch of memtable), and the
writes acknowledged and refused. A long fault trial: not a test."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

builds = sys.argv[1].split(",")
fills = int(sys.argv[2]) if len(sys.argv) > 2 else 40
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
load = int(sys.argv[4]) if len(sys.argv) > 4 else 2
if os.geteuid() != 0:
    raise SystemExit("mounting a tmpfs needs root")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_bytes(path):
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(path):
    filler = os.path.join(path, "filler")
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as out:
        for size in (1 << 20, 1 << 12, 1):
            while free_bytes(path) >= size:
                try:
                    out.write(chunk[:size])
                except OSError:
                    break
    return filler


def trial(kura_bin):
    root = tempfile.mkdtemp(prefix="kura-disk-trials-")
    os.chmod(root, 0o711)
    data = os.path.join(root, "data")
    os.mkdir(data, 0o711)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m,mode=0711", "tmpfs", data], check=True)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log_path = os.path.join(root, "kura.log")
    kura, busy = None, []
    stop = threading.Event()
    counts = {"acknowledged": 0, "refused": 0}
    outcome = f"all {fills} fills healed"
    try:
        with open(log_path, "w") as log:
            kura = subprocess.Popen([kura_bin, "serve", "--port", str(port), "--data-dir", data,
                                     "--trail-digest-interval", "2", "--dynamodb-cache-mb", "16"], stdout=log, stderr=log)
        busy = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(load)]
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(endpoint + "/_kura/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("kura did not start")
                time.sleep(0.1)

        def client():
            return boto3.client("dynamodb", endpoint_url=endpoint, region_name="ap-northeast-1",
                                aws_access_key_id="test", aws_secret_access_key="test",
                                config=botocore.config.Config(retries={"max_attempts": 1}))

        client().create_table(TableName="items", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")

        def writer(name):
            ddb = client()
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    ddb.put_item(TableName="items", Item={"pk": {"S": f"{name}-{i % 200}"}, "v": {"S": "x" * 8000}})
                    counts["acknowledged"] += 1
                except botocore.exceptions.ClientError:
                    counts["refused"] += 1
                    time.sleep(0.05)

        def reasons():
            with urllib.request.urlopen(endpoint + "/_kura/health", timeout=5) as answer:
                return json.loads(answer.read()).get("reasons", [])

        writers = [threading.Thread(target=writer, args=(n,)) for n in "abcdef"]
        for thread in writers:
            thread.start()
        for number in range(1, fills + 1):
            time.sleep(1.5)
            filler = fill(data)
            time.sleep(2)
            os.remove(filler)
            deadline = time.monotonic() + 30
            while "disk full: dynamodb" in (said := reasons()) and time.monotonic() < deadline:
                time.sleep(0.5)
            if "disk full: dynamodb" in said:
                with open(log_path) as f:
                    fatal = "Failed to switch" in f.read()
                outcome = f"fill {number} did not heal in 30 s: {said}; fatal switch of memtable: {fatal}"
                break
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
    finally:
        stop.set()
        for process in busy:
            process.kill()
        if kura is not None:
            kura.terminate()
            try:
                kura.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kura.kill()
        subprocess.run(["umount", "-l", data], check=False)
        shutil.rmtree(root, ignore_errors=True)
    return outcome, counts


# Stopped (SIGTERM, Ctrl-C): the trial under way still stops its Kura and
# busy loops and unmounts its disk.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
for round_number in range(1, rounds + 1):
    for build in builds:
        outcome, counts = trial(build)
        print(f"round {round_number} {build}: {outcome}; writes acknowledged {counts['acknowledged']}, "
              f"refused {counts['refused']}", flush=True)
