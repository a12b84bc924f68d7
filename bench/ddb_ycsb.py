#!/usr/bin/env python3
"""YCSB core workloads against DynamoDB endpoints side by side: Kura and a
peer, same client, same data.
    /usr/bin/python3 bench/ddb_ycsb.py KURA_ENDPOINT PEER [RECORDS=10000] [OPS=20000] [CLIENTS=4] [ROUNDS=3]
PEER is `moto` (moto's server, `moto_server` on PATH; not a Debian package),
`none` (Kura alone, e.g. for a load of a million records), or a folder holding node_modules/.bin/dynalite (`npm install --prefix DIR
dynalite`; run on a LevelDB folder of its own). The script starts the peer
on a free loopback port. Records are YCSB's: a string key and ten 100-byte fields (1 KB).
Workloads (zipfian keys, as YCSB's default): load (PutItem), A (50% GetItem,
50% UpdateItem of one field), B (95/5), C (GetItem only). The client signs
with SigV4 over keep-alive HTTP (no SDK, so that the client is not the
bottleneck), CLIENTS processes at once. Reports throughput and p50/p99/p99.9
latency per workload (median of ROUNDS) and the ratio Kura/dynalite."""
import bisect
import datetime
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

REGION = "ap-northeast-1"
KEY, SECRET = "test", "test"
FIELDS = [f"field{i}" for i in range(10)]


class Client:
    """DynamoDB JSON 1.0 over one keep-alive connection, signed with SigV4."""

    def __init__(self, endpoint):
        url = urllib.parse.urlparse(endpoint)
        self.host, self.port = url.hostname, url.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(self, operation, body):
        payload = json.dumps(body).encode()
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        host = f"{self.host}:{self.port}"
        headers = {"content-type": "application/x-amz-json-1.0", "host": host, "x-amz-date": amz_date,
                   "x-amz-target": f"DynamoDB_20120810.{operation}"}
        signed = ";".join(sorted(headers))
        canonical = "\n".join(["POST", "/", "", "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed,
                               hashlib.sha256(payload).hexdigest()])
        scope = f"{day}/{REGION}/dynamodb/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + SECRET).encode()
        for part in (day, REGION, "dynamodb", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={KEY}/{scope}, SignedHeaders={signed}, "
                                    f"Signature={signature}")
        for attempt in range(3):
            try:
                self.connection.request("POST", "/", payload, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {data[:200]!r}")
        return json.loads(data)


def record(rng):
    return {name: {"S": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(100))} for name in FIELDS}


def key_of(n):
    return {"ycsb_key": {"S": f"user{n:010d}"}}


class Zipfian:
    def __init__(self, items, theta=0.99):
        weights = [1.0 / (i + 1) ** theta for i in range(items)]
        total, running = sum(weights), 0.0
        self.cumulative = []
        for weight in weights:
            running += weight
            self.cumulative.append(running / total)
        # YCSB scatters the popular keys over the key space.
        self.order = list(range(items))
        random.Random(7).shuffle(self.order)

    def next(self, rng):
        return self.order[min(bisect.bisect_left(self.cumulative, rng.random()), len(self.order) - 1)]


def worker(args):
    endpoint, table, workload, start, count, records, seed = args
    rng = random.Random(seed)
    client = Client(endpoint)
    zipf = Zipfian(records) if workload != "load" else None
    reads = {"load": 0.0, "A": 0.5, "B": 0.95, "C": 1.0}[workload]
    value = record(rng)
    latencies = []
    for i in range(count):
        began = time.perf_counter()
        if workload == "load":
            item = dict(key_of(start + i))
            item.update(value)
            client.call("PutItem", {"TableName": table, "Item": item})
        elif rng.random() < reads:
            client.call("GetItem", {"TableName": table, "Key": key_of(zipf.next(rng))})
        else:
            field = rng.choice(FIELDS)
            client.call("UpdateItem", {"TableName": table, "Key": key_of(zipf.next(rng)),
                                       "UpdateExpression": "SET #f = :v", "ExpressionAttributeNames": {"#f": field},
                                       "ExpressionAttributeValues": {":v": value[field]}})
        latencies.append(time.perf_counter() - began)
    return latencies


def run(endpoint, table, workload, ops, clients, records):
    share = ops // clients
    jobs = [(endpoint, table, workload, c * share, share, records, hash((workload, c, time.time())))
            for c in range(clients)]
    began = time.perf_counter()
    with multiprocessing.Pool(clients) as pool:
        latencies = sorted(x for part in pool.map(worker, jobs) for x in part)
    elapsed = time.perf_counter() - began
    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000
    return len(latencies) / elapsed, percentile(.5), percentile(.99), percentile(.999)


def create_table(endpoint, table):
    client = Client(endpoint)
    client.call("CreateTable", {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
                                "AttributeDefinitions": [{"AttributeName": "ycsb_key", "AttributeType": "S"}],
                                "KeySchema": [{"AttributeName": "ycsb_key", "KeyType": "HASH"}]})
    for _ in range(300):
        if client.call("DescribeTable", {"TableName": table})["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.1)
    raise SystemExit(f"{table} not active")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    kura = sys.argv[1]
    peer_name = sys.argv[2] if sys.argv[2] in ("moto", "none") else "dynalite"
    records = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    ops = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
    clients = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    store = tempfile.mkdtemp(prefix="dynalite-")
    port = free_port()
    if peer_name == "none":
        command = None
    elif peer_name == "moto":
        command = [shutil.which("moto_server") or "moto_server", "-p", str(port)]
    else:
        command = [os.path.join(sys.argv[2], "node_modules", ".bin", "dynalite"), "--port", str(port), "--path", store,
                   "--createTableMs", "0"]
    peer = command and subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if peer:
        time.sleep(2.5)
    servers = {"kura": kura, **({peer_name: f"http://127.0.0.1:{port}"} if peer else {})}
    results = {name: {w: [] for w in ("load", "A", "B", "C")} for name in servers}
    try:
        for round_number in range(rounds):
            for name, endpoint in servers.items():
                table = f"ycsb-{int(time.time())}-{round_number}"
                create_table(endpoint, table)
                for workload in ("load", "A", "B", "C"):
                    result = run(endpoint, table, workload, records if workload == "load" else ops, clients, records)
                    results[name][workload].append(result)
                    print(f"round {round_number + 1} {name} {workload}: {result[0]:.0f} ops/s, "
                          f"p50 {result[1]:.2f} ms, p99 {result[2]:.2f} ms, p99.9 {result[3]:.2f} ms", flush=True)
    finally:
        if peer:
            peer.terminate()
            peer.wait()
        shutil.rmtree(store, ignore_errors=True)
    print(f"\n{records} records, {ops} operations per workload, {clients} client processes, {rounds} rounds "
          "(median [min-max] ops/s; median p50 / p99 / p99.9 ms)")
    for workload in ("load", "A", "B", "C"):
        line = []
        for name in servers:
            runs = results[name][workload]
            rates = [r[0] for r in runs]
            line.append(f"{name} {statistics.median(rates):.0f} [{min(rates):.0f}-{max(rates):.0f}] "
                        f"p50 {statistics.median(r[1] for r in runs):.2f} p99 {statistics.median(r[2] for r in runs):.2f} "
                        f"p99.9 {statistics.median(r[3] for r in runs):.2f}")
        if peer_name == "none":
            print(f"{workload}: " + "; ".join(line))
            continue
        ratio = statistics.median(r[0] for r in results["kura"][workload]) / \
            statistics.median(r[0] for r in results[peer_name][workload])
        print(f"{workload}: " + "; ".join(line) + f"; throughput ratio kura/{peer_name} {ratio:.2f}")


if __name__ == "__main__":
    main()
