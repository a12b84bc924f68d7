#!/usr/bin/env python3
"""What /_kura/metrics costs with a fleet: how long a collection pass of the
resources' gauges takes (kura_metrics_collection_seconds, every engine
probed in turn), and a scrape's time and size.
    /usr/bin/python3 bench/metrics_collection.py KURA_BIN [POSTGRES=2] [REDIS=2] [MEMCACHED=2] [SAMPLES=6]
Starts `kura serve` on a data directory of its own, creates the RDS
instances and single-node cache clusters, waits until all are available and
every engine is reported up, then samples every 5 s. Stops Kura and removes
the data directory."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from prometheus_client.parser import text_string_to_metric_families

kura_bin = sys.argv[1]
postgres, redis, memcached = (int(sys.argv[i]) if len(sys.argv) > i else 2 for i in (2, 3, 4))
samples = int(sys.argv[5]) if len(sys.argv) > 5 else 6

root = tempfile.mkdtemp(prefix="kura-metrics-bench-")
os.chmod(root, 0o711)
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
endpoint = f"http://127.0.0.1:{port}"
log = open(os.path.join(root, "kura.log"), "wb")
proc = subprocess.Popen([kura_bin, "serve", "--port", str(port), "--data-dir", os.path.join(root, "data"),
                         "--engine-port-first", "33000", "--engine-port-last", "33199"], stdout=log, stderr=log)


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def page():
    started = time.monotonic()
    with urllib.request.urlopen(endpoint + "/_kura/metrics", timeout=30) as response:
        text = response.read().decode()
    return text, time.monotonic() - started


def gauge(text, name):
    values = [s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == name]
    return values


try:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/_kura/health", timeout=1)
            break
        except OSError:
            assert time.monotonic() < deadline, "kura did not start"
            time.sleep(0.1)
    rds, ec = client("rds"), client("elasticache")
    for n in range(postgres):
        rds.create_db_instance(DBInstanceIdentifier=f"pg-{n}", Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20)
    for n in range(redis):
        ec.create_cache_cluster(CacheClusterId=f"redis-{n}", Engine="redis", CacheNodeType="cache.t3.micro",
                                NumCacheNodes=1)
    for n in range(memcached):
        ec.create_cache_cluster(CacheClusterId=f"mc-{n}", Engine="memcached", CacheNodeType="cache.t3.micro",
                                NumCacheNodes=1)
    engines = postgres + redis + memcached
    deadline = time.monotonic() + 600
    while True:
        text, _ = page()
        up = gauge(text, "kura_engine_up")
        if len(up) == engines and all(v == 1 for v in up):
            break
        assert time.monotonic() < deadline, f"engines up: {up}"
        time.sleep(2)
    print(f"fleet: {postgres} PostgreSQL instances, {redis} Redis and {memcached} Memcached nodes, all up")
    print("sample pass_ms scrape_ms page_bytes")
    for n in range(samples):
        time.sleep(5)
        text, took = page()
        (pass_seconds,) = gauge(text, "kura_metrics_collection_seconds")
        print(f"{n + 1} {pass_seconds * 1000:.1f} {took * 1000:.1f} {len(text)}")
finally:
    proc.terminate()
    proc.wait(timeout=120)
    shutil.rmtree(root, ignore_errors=True)
