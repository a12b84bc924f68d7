#!/usr/bin/env python3
"""DynamoDB as a table grows: Kura's memory and GetItem latency at 10,000
items against 1M (and more), each size on a Kura of its own, side by side.
    /usr/bin/python3 bench/ddb_size_curve.py KURA_BIN [SIZES=10000,1000000] [ROUNDS=3] [GETS=5000] [LOADERS=2] [-- KURA ARGS]
For each size it starts `kura serve` on a fresh data directory (with KURA
ARGS, e.g. `--dynamodb-cache-mb 64`), makes a table and loads SIZE items of
1 KB (a key and 1,000 bytes of letters) with BatchWriteItem (25 a call,
LOADERS processes); it reports the load rate, Kura's RSS after the load and
after a Scan that reads every item back (all pages), and the data folder's
size. Then, with every size's server up, ROUNDS rounds: in each, GETS
GetItems of random keys on one keep-alive connection against each server
in turn (the same client: SigV4 over http.client, about 0.1 ms of its own
per call). Reports p50 / p99 per size and round, their medians and spread,
and the p99 ratio of each size against the smallest, and (from
/_kura/metrics) the size of the table files' index and filter blocks and
how much of them is in the cache. Removes its data directories at the
end."""
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from ddb_ycsb import Client, free_port
from proc_stats import rss_mb

args = sys.argv[1:]
extra = []
if "--" in args:
    extra = args[args.index("--") + 1:]
    args = args[:args.index("--")]
kura_bin = args[0]
sizes = [int(s) for s in (args[1] if len(args) > 1 else "10000,1000000").split(",")]
rounds = int(args[2]) if len(args) > 2 else 3
gets = int(args[3]) if len(args) > 3 else 5000
loaders = int(args[4]) if len(args) > 4 else 2
TABLE = "size-curve"
VALUE_BYTES = 1000


def key_of(n):
    return {"pk": {"S": f"user{n:010d}"}}


def load_part(job):
    endpoint, first, count, seed = job
    rng = random.Random(seed)
    client = Client(endpoint)
    letters = "abcdefghijklmnopqrstuvwxyz"
    n = first
    while n < first + count:
        batch = []
        for i in range(n, min(n + 25, first + count)):
            item = dict(key_of(i))
            item["v"] = {"S": "".join(rng.choices(letters, k=VALUE_BYTES))}
            batch.append({"PutRequest": {"Item": item}})
        pending = {TABLE: batch}
        while pending:
            answer = client.call("BatchWriteItem", {"RequestItems": pending})
            pending = answer.get("UnprocessedItems") or {}
        n += len(batch)


def folder_mb(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total / (1 << 20)


class Server:
    def __init__(self, size):
        self.size = size
        self.data = tempfile.mkdtemp(prefix=f"kura-ddb-size-{size}-")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        log = open(os.path.join(self.data, "kura.log"), "w")
        self.proc = subprocess.Popen([kura_bin, "serve", "--port", str(self.port), "--data-dir", self.data] + extra,
                                     stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.endpoint}/_kura/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise SystemExit(f"kura did not start (see {self.data}/kura.log)")
                time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.data, ignore_errors=True)


def load(server):
    client = Client(server.endpoint)
    client.call("CreateTable", {"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
                                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    base = rss_mb(server.proc.pid)
    began = time.monotonic()
    share = (server.size + loaders - 1) // loaders
    jobs, first = [], 0
    while first < server.size:
        step = min(share, server.size - first, 20000)
        jobs.append((server.endpoint, first, step, first))
        first += step
    with multiprocessing.Pool(loaders) as pool:
        list(pool.imap_unordered(load_part, jobs))
    took = time.monotonic() - began
    loaded = rss_mb(server.proc.pid)
    seen, start = 0, None
    while True:
        body = {"TableName": TABLE}
        if start:
            body["ExclusiveStartKey"] = start
        page = client.call("Scan", body)
        seen += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == server.size, (seen, server.size)
    read = rss_mb(server.proc.pid)
    print(f"{server.size:9} items: loaded in {took:6.1f} s ({server.size / took:7.0f} items/s); RSS {base:.0f} MB "
          f"empty, {loaded:.0f} MB loaded, {read:.0f} MB after a Scan of all; folder "
          f"{folder_mb(os.path.join(server.data, 'dynamodb')):.0f} MB", flush=True)
    return base, loaded, read


def index_and_filter_mb(server):
    """The table files' index and filter blocks, and those in the cache, in
    MB, from /_kura/metrics (gauges refreshed every 5 s); None from a Kura
    without them."""
    try:
        page = urllib.request.urlopen(f"{server.endpoint}/_kura/metrics", timeout=10).read().decode()
    except OSError:
        return None
    found = {}
    for line in page.splitlines():
        for name in ("kura_dynamodb_index_filter_bytes", "kura_dynamodb_cache_bytes"):
            if line.startswith(name + "{"):
                part = line.split('part="', 1)[1].split('"', 1)[0]
                found[(name, part)] = float(line.rsplit(" ", 1)[1]) / (1 << 20)
    if ("kura_dynamodb_index_filter_bytes", "index") not in found:
        return None
    return (found[("kura_dynamodb_index_filter_bytes", "index")], found[("kura_dynamodb_index_filter_bytes", "filter")],
            found.get(("kura_dynamodb_cache_bytes", "index"), 0) + found.get(("kura_dynamodb_cache_bytes", "filter"), 0))


def latencies(server, rng):
    client = Client(server.endpoint)
    times = []
    for _ in range(gets):
        key = key_of(rng.randrange(server.size))
        began = time.perf_counter()
        answer = client.call("GetItem", {"TableName": TABLE, "Key": key})
        times.append((time.perf_counter() - began) * 1000)
        assert "Item" in answer
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


servers, memory, results = [], {}, {size: [] for size in sizes}
try:
    for size in sizes:
        server = Server(size)
        servers.append(server)
        memory[size] = load(server)
    rng = random.Random(1)
    for r in range(rounds):
        for server in servers:
            p50, p99 = latencies(server, rng)
            results[server.size].append((p50, p99))
            print(f"round {r + 1}, {server.size:9} items: GetItem p50 {p50:.3f} ms, p99 {p99:.3f} ms", flush=True)
    for server in servers:
        memory[server.size] += (rss_mb(server.proc.pid),)
    time.sleep(15)  # the gauges, and RocksDB's statistics of its cache (up to 10 s old)
    for server in servers:
        blocks = index_and_filter_mb(server)
        if blocks:
            print(f"{server.size:9} items: the table files' index {blocks[0]:.1f} MB and filter {blocks[1]:.1f} MB; "
                  f"{blocks[2]:.1f} MB of them in the cache", flush=True)
finally:
    for server in servers:
        server.stop()


def spread(values):
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


smallest = statistics.median(p99 for _, p99 in results[sizes[0]])
print()
print("| items | RSS empty / loaded / after reading all / after the GetItems, MB | GetItem p50 ms, median (min-max) "
      "| p99 ms | p99 / smallest's |")
print("| --- | --- | --- | --- | --- |")
for size in sizes:
    p50s = [p50 for p50, _ in results[size]]
    p99s = [p99 for _, p99 in results[size]]
    mem = " / ".join(f"{m:.0f}" for m in memory[size])
    print(f"| {size:,} | {mem} | {spread(p50s)} | {spread(p99s)} | {statistics.median(p99s) / smallest:.2f} |")
