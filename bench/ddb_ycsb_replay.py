#!/usr/bin/env python3
"""YCSB workloads A, B and C at the server's limit: the same signed
requests replayed by wrk against Kura and a peer, side by side.
    /usr/bin/python3 bench/ddb_ycsb_replay.py PEER [RECORDS=20000] [SECONDS=10] [CONNECTIONS=16] [ROUNDS=3]
PEER is `moto` (`moto_server` on PATH; not a Debian package), a folder
holding node_modules/.bin/dynalite (`npm install --prefix DIR dynalite`), or
`none` (Kura alone). The script starts Kura (build/src/main/kura) and the
peer on free loopback ports (KURA_BIN picks another build), loads RECORDS YCSB records (a string key and
ten 100-byte fields, 1 KB) into each, then for each workload signs a pool of
requests (zipfian keys as YCSB's default; A: 50% GetItem and 50% UpdateItem
of one field, B: 95/5, C: GetItem only) and has wrk replay them over
keep-alive connections, at CONNECTIONS and at a quarter of them (a lighter
load, for the latency there). bench/ddb_ycsb.py is the same workload with a
Python client, which is the bottleneck there; here wrk is light enough that
the servers are measured. Reports ops/s and p50/p99/p99.9 per run, medians
over ROUNDS, and the throughput ratio Kura/peer.
Needs: wrk, boto3 (Debian packages), a build in build/."""
import concurrent.futures
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ddb_ycsb import FIELDS, Zipfian, free_port, key_of  # noqa: E402

REGION = "ap-northeast-1"
TABLE = "usertable"
POOL = 4000  # signed requests per workload, replayed in turn
READS = {"A": 0.5, "B": 0.95, "C": 1.0}


def client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def load(endpoint, records):
    ddb = client(endpoint)
    ddb.create_table(TableName=TABLE, AttributeDefinitions=[{"AttributeName": "ycsb_key", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "ycsb_key", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=TABLE)
    value = {field: {"S": "x" * 100} for field in FIELDS}

    def part(first):
        c = client(endpoint)
        for start in range(first, min(first + 5000, records), 25):
            batch = [{"PutRequest": {"Item": {**key_of(n), **value}}} for n in range(start, min(start + 25, records))]
            while batch:
                batch = c.batch_write_item(RequestItems={TABLE: batch})["UnprocessedItems"].get(TABLE, [])
    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(part, range(0, records, 5000)))
    return time.monotonic() - began


def signed(endpoint, operation, body):
    text = json.dumps(body)
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=endpoint + "/", data=text,
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{operation}"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "dynamodb", REGION).add_auth(request)
    return text, dict(request.headers)


def pool_for(endpoint, workload, records):
    rng = random.Random(11)
    zipf = Zipfian(records)
    requests = []
    for _ in range(POOL):
        key = key_of(zipf.next(rng))
        if rng.random() < READS[workload]:
            requests.append(signed(endpoint, "GetItem", {"TableName": TABLE, "Key": key}))
        else:
            field = rng.choice(FIELDS)
            requests.append(signed(endpoint, "UpdateItem", {
                "TableName": TABLE, "Key": key, "UpdateExpression": "SET #f = :v",
                "ExpressionAttributeNames": {"#f": field},
                "ExpressionAttributeValues": {":v": {"S": "y" * 100}}}))
    # Every kind of request in the pool is answered before it is replayed
    # (wrk would count refusals as answers).
    for text, headers in requests[:20]:
        answer = json.loads(urllib.request.urlopen(urllib.request.Request(
            endpoint + "/", data=text.encode(), headers=headers)).read())
        updating = headers["X-Amz-Target"].endswith("UpdateItem")
        assert ("Item" in answer or updating) and "__type" not in answer, answer
    return requests


def lua_script(requests, path):
    def quoted(text):
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    with open(path, "w") as f:
        f.write("local pool = {\n")
        for text, headers in requests:
            pairs = ", ".join(f"[{quoted(k)}] = {quoted(v)}" for k, v in headers.items())
            f.write(f"  {{body = {quoted(text)}, headers = {{{pairs}}}}},\n")
        f.write("}\n")
        f.write("""local next_index = 0
function setup(thread) thread:set("offset", math.random(#pool)) end
function init(args) next_index = offset or 0 end
function request()
  next_index = next_index % #pool + 1
  local r = pool[next_index]
  return wrk.format("POST", "/", r.headers, r.body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %f %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
""")


def wrk(endpoint, script, seconds, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, endpoint + "/"],
                         capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    rate, p50, p99, p999, errors = line.split()[1:]
    if int(errors):
        raise SystemExit(f"{endpoint}: {errors} requests failed")
    return float(rate), float(p50), float(p99), float(p999)


def main():
    peer = sys.argv[1]
    records = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    if not shutil.which("wrk"):
        raise SystemExit("install wrk (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="ycsb-replay-")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    processes = []
    servers = {}
    try:
        port = free_port()
        kura = os.environ.get("KURA_BIN", os.path.join(root, "build/src/main/kura"))
        processes.append(subprocess.Popen([kura, "serve", "--port", str(port),
                                           "--data-dir", os.path.join(work, "kura"), "--log-level", "warn"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        servers["kura"] = f"http://127.0.0.1:{port}"
        peer_name = None
        if peer != "none":
            port = free_port()
            if peer == "moto":
                peer_name, command = "moto", [shutil.which("moto_server") or "moto_server", "-p", str(port)]
            else:
                peer_name = "dynalite"
                command = [os.path.join(peer, "node_modules", ".bin", "dynalite"), "--port", str(port),
                           "--path", os.path.join(work, "dynalite"), "--createTableMs", "0"]
            processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            servers[peer_name] = f"http://127.0.0.1:{port}"
        time.sleep(3)
        for name, endpoint in servers.items():
            print(f"{name}: loaded {records} records in {load(endpoint, records):.1f} s", flush=True)
        results = {}
        for workload in READS:
            scripts = {}
            for name, endpoint in servers.items():
                scripts[name] = os.path.join(work, f"{name}-{workload}.lua")
                lua_script(pool_for(endpoint, workload, records), scripts[name])
            for load_connections in (connections, max(1, connections // 4)):
                for round_number in range(rounds):
                    for name, endpoint in servers.items():
                        result = wrk(endpoint, scripts[name], seconds, load_connections)
                        results.setdefault((workload, load_connections, name), []).append(result)
                        print(f"{workload} c={load_connections} round {round_number + 1} {name}: {result[0]:.0f} ops/s,"
                              f" p50 {result[1]:.2f} p99 {result[2]:.2f} p99.9 {result[3]:.2f} ms", flush=True)
        print(f"\n{records} records, {seconds} s per run, {rounds} rounds: median [min-max] ops/s; "
              "median p50 / p99 / p99.9 ms")
        for (workload, load_connections, name), runs in results.items():
            rates = [r[0] for r in runs]
            line = (f"{workload} c={load_connections} {name}: {statistics.median(rates):.0f} "
                    f"[{min(rates):.0f}-{max(rates):.0f}] p50 {statistics.median(r[1] for r in runs):.2f} "
                    f"p99 {statistics.median(r[2] for r in runs):.2f} p99.9 {statistics.median(r[3] for r in runs):.2f}")
            if peer_name and name == peer_name:
                kura = statistics.median(r[0] for r in results[(workload, load_connections, "kura")])
                line += f"; kura/{peer_name} {kura / statistics.median(rates):.1f}"
            print(line)
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
