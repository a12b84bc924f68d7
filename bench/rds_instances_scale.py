#!/usr/bin/env python3
"""DescribeDBInstances as the fleet grows, to 10,000 instances, on a Kura of
its own (control_plane_scale.py's companion for the one kind it cannot make
by the thousand: each instance is a PostgreSQL server).
    /usr/bin/python3 bench/rds_instances_scale.py KURA_BIN [SIZES=10,1000,10000] [CALLS=300]
It makes one real PostgreSQL instance through the API and stops it
(StopDBInstance), stops Kura, and copies that instance's catalog record
(catalog.db) under new names until the region holds SIZE stopped instances;
then starts Kura again and times CALLS calls of DescribeDBInstances of one
random instance, of the first page (MaxRecords 100), and one walk of every
page (and, without boto3, every page of two walks, then Kura's RSS).
Stopped instances run no engine, so what grows is only what the describe
path reads: the catalog. Reports p50 / p99 in ms per size, through
boto3 (its own cost included: parsing a page of 100 instances takes it about
35 ms) and, in turn with it, through a plain keep-alive HTTP client (each
request signed before its clock starts, the answer read whole): Kura's own
time. The data directory is removed at the end; no engine is left running
(the instance is stopped).
KURA_SCALE_HOLD=SECONDS keeps the last server up that long after its
measures (to profile it)."""
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from proc_stats import rss_mb
from rds_bench import create_instance, rds_client

kura_bin = sys.argv[1]
sizes = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "10,1000,10000").split(",")]
calls = int(sys.argv[3]) if len(sys.argv) > 3 else 300
data_dir = tempfile.mkdtemp(prefix="kura-rds-scale-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
endpoint = f"http://127.0.0.1:{port}"
server = None


def start():
    global server
    log = open(os.path.join(data_dir, "kura.log"), "a")
    server = subprocess.Popen([kura_bin, "serve", "--port", str(port), "--data-dir", data_dir,
                               "--engine-port-first", "4760", "--engine-port-last", "4779"],
                              stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{endpoint}/_kura/health", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("kura did not start")


def stop():
    global server
    if server and server.poll() is None:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    server = None


def wait_status(rds, name, status):
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        now = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]
        if now == status:
            return
        time.sleep(0.2)
    raise SystemExit(f"{name} not {status}")


def grow_catalog(base, count):
    """Copies `base`'s record under new names until `count` instances exist."""
    db = sqlite3.connect(os.path.join(data_dir, "catalog.db"))
    columns = [row[1] for row in db.execute("PRAGMA table_info(resources)") if row[1] != "id"]
    row = dict(zip(columns, db.execute(f"SELECT {', '.join(columns)} FROM resources WHERE kind='db-instance' "
                                       "AND name=?", (base,)).fetchone()))
    have = db.execute("SELECT COUNT(*) FROM resources WHERE kind='db-instance'").fetchone()[0]
    rows = []
    for i in range(have, count):
        name = f"{base}-{i:05d}"
        copy = {k: (v.replace(base, name) if isinstance(v, str) else v) for k, v in row.items()}
        rows.append(tuple(copy[c] for c in columns))
    db.executemany(f"INSERT INTO resources({', '.join(columns)}) VALUES({', '.join('?' * len(columns))})", rows)
    db.commit()
    names = [r[0] for r in db.execute("SELECT name FROM resources WHERE kind='db-instance'")]
    db.close()
    return names


def timed(call, count):
    times = []
    for _ in range(count):
        begin = time.perf_counter()
        call()
        times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


class RawClient:
    """DescribeDBInstances over one keep-alive connection, without boto3:
    the time from the request's first byte to the answer's last."""

    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)

    def timed_call(self, **params):
        body = urllib.parse.urlencode({"Action": "DescribeDBInstances", "Version": "2014-10-31", **params})
        request = AWSRequest(method="POST", url=f"{endpoint}/", data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials("test", "test"), "rds", "ap-northeast-1").add_auth(request)
        begin = time.perf_counter()
        self.conn.request("POST", "/", body=body, headers=dict(request.headers))
        answer = self.conn.getresponse()
        data = answer.read()
        elapsed = (time.perf_counter() - begin) * 1000
        assert answer.status == 200, data[:300]
        self.last = data
        return elapsed

    def walk(self):
        """Times every page of 100 in turn: their times, sorted."""
        marker, times = None, []
        while True:
            times.append(self.timed_call(MaxRecords=100, **({"Marker": marker} if marker else {})))
            found = re.search(rb"<Marker>(.*?)</Marker>", self.last)
            if not found:
                return sorted(times)
            marker = found.group(1).decode()


def timed_raw(call, count):
    times = sorted(call() for _ in range(count))
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def walk(rds):
    marker, seen = None, 0
    while True:
        page = rds.describe_db_instances(MaxRecords=100, **({"Marker": marker} if marker else {}))
        seen += len(page["DBInstances"])
        marker = page.get("Marker")
        if not marker:
            return seen


results = []
try:
    start()
    rds = rds_client(endpoint)
    base = "scalebase"
    create_instance(rds, base, "postgres", 0)
    wait_status(rds, base, "available")
    rds.stop_db_instance(DBInstanceIdentifier=base)
    wait_status(rds, base, "stopped")
    for size in sizes:
        stop()
        names = grow_catalog(base, size)
        start()
        rds = rds_client(endpoint)
        rds.describe_db_instances(MaxRecords=100)  # the connection, warm
        describe = timed(lambda: rds.describe_db_instances(DBInstanceIdentifier=random.choice(names)), calls)
        page = timed(lambda: rds.describe_db_instances(MaxRecords=100), calls)
        raw = RawClient()
        raw.timed_call(MaxRecords=100)  # the connection, warm
        raw_describe = timed_raw(lambda: raw.timed_call(DBInstanceIdentifier=random.choice(names)), calls)
        raw_page = timed_raw(lambda: raw.timed_call(MaxRecords=100), calls)
        begin = time.perf_counter()
        seen = walk(rds)
        walked = time.perf_counter() - begin
        assert seen == size, (seen, size)
        pages = raw.walk() + raw.walk()  # every page without boto3, twice
        raw_walk = (statistics.median(pages), pages[min(len(pages) - 1, int(len(pages) * 0.99))])
        rss = rss_mb(server.pid)
        results.append((size, describe, page, walked, raw_describe, raw_page, raw_walk, rss))
        print(f"{size:6} instances: describe one p50 {describe[0]:6.2f} p99 {describe[1]:6.2f} ms; first page "
              f"p50 {page[0]:6.2f} p99 {page[1]:6.2f} ms; every page {walked:.2f} s; without boto3: describe one "
              f"p50 {raw_describe[0]:6.2f} p99 {raw_describe[1]:6.2f} ms, first page p50 {raw_page[0]:6.2f} "
              f"p99 {raw_page[1]:6.2f} ms, every page (two walks) p50 {raw_walk[0]:6.2f} p99 {raw_walk[1]:6.2f} ms; "
              f"Kura's RSS {rss:.0f} MB", flush=True)
    if os.environ.get("KURA_SCALE_HOLD"):  # keeps the last size's server up that long, e.g. for perf
        print(f"holding {endpoint} (pid {server.pid}) for {os.environ['KURA_SCALE_HOLD']} s", flush=True)
        time.sleep(float(os.environ["KURA_SCALE_HOLD"]))
finally:
    stop()
    shutil.rmtree(data_dir, ignore_errors=True)

print()
print("| instances | describe one p50 / p99 ms | first page (100) p50 / p99 ms | walk of every page, s "
      "| without boto3: describe one | first page | every page | Kura's RSS, MB |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for size, describe, page, walked, raw_describe, raw_page, raw_walk, rss in results:
    print(f"| {size} | {describe[0]:.2f} / {describe[1]:.2f} | {page[0]:.2f} / {page[1]:.2f} | {walked:.2f} "
          f"| {raw_describe[0]:.2f} / {raw_describe[1]:.2f} | {raw_page[0]:.2f} / {raw_page[1]:.2f} "
          f"| {raw_walk[0]:.2f} / {raw_walk[1]:.2f} | {rss:.0f} |")
