#!/usr/bin/env python3
"""Kura's own CPU and memory while a fleet of engines sits idle.
    /usr/bin/python3 bench/idle_fleet.py KURA_BIN [POSTGRES=20] [REDIS=15] [MEMCACHED=15] [SECONDS=60] [RETENTION=1]
Starts `kura serve` on a data directory of its own, creates POSTGRES RDS
instances (db.t3.micro, BackupRetentionPeriod RETENTION: 1 is AWS's
default, and makes Kura follow each one's WAL archive) and REDIS + MEMCACHED
ElastiCache clusters of one node, waits until all are available, lets it
settle 10 s, then samples Kura's own /proc/PID/stat (user + system time of
its threads, not of the engines, which are other processes) over SECONDS,
and its RSS. Reports Kura's share of one core, the tools it ran and waited
for (their CPU, from the same file's cutime and cstime), the threads that used it
(by name, from /proc/PID/task), and the engines' RSS beside Kura's. Stops
Kura (which stops its engines) and removes the data directory."""
import concurrent.futures
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

from proc_stats import rss_mb

kura_bin = sys.argv[1]
postgres = int(sys.argv[2]) if len(sys.argv) > 2 else 20
redis = int(sys.argv[3]) if len(sys.argv) > 3 else 15
memcached = int(sys.argv[4]) if len(sys.argv) > 4 else 15
seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 60
retention = int(sys.argv[6]) if len(sys.argv) > 6 else 1
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(path, children=False):
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    if children:  # cutime, cstime: the tools Kura ran and waited for (psql, pg_ctl, redis-cli)
        return (int(fields[13]) + int(fields[14])) / TICKS
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            out[tid] = (name, cpu_seconds(f"/proc/{pid}/task/{tid}/stat"))
        except OSError:
            pass
    return out


def engine_processes():
    """The engines' processes: every process whose command line names the
    data directory (Kura starts them detached, not as its children)."""
    found = subprocess.run(["pgrep", "-f", data_dir], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found if int(pid) != kura.pid]


data_dir = tempfile.mkdtemp(prefix="kura-idle-fleet-")
port = free_port()
endpoint = f"http://127.0.0.1:{port}"
log = open(os.path.join(data_dir, "kura.log"), "w")
kura = subprocess.Popen([kura_bin, "serve", "--port", str(port), "--data-dir", data_dir,
                         "--engine-port-first", "4800", "--engine-port-last", "4999"], stdout=log, stderr=log)
try:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/_kura/health", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("kura did not start")
            time.sleep(0.1)
    session = dict(endpoint_url=endpoint, region_name="ap-northeast-1", aws_access_key_id="test",
                   aws_secret_access_key="test")
    rds, cache = boto3.client("rds", **session), boto3.client("elasticache", **session)
    began = time.monotonic()
    for i in range(postgres):
        rds.create_db_instance(DBInstanceIdentifier=f"idle-pg-{i}", Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                               BackupRetentionPeriod=retention)
    for i in range(redis):
        cache.create_cache_cluster(CacheClusterId=f"idle-redis-{i}", Engine="redis", CacheNodeType="cache.t3.micro",
                                   NumCacheNodes=1)
    for i in range(memcached):
        cache.create_cache_cluster(CacheClusterId=f"idle-mc-{i}", Engine="memcached", CacheNodeType="cache.t3.micro",
                                   NumCacheNodes=1)
    deadline = time.monotonic() + 1800
    while True:
        instances = [i["DBInstanceStatus"] for i in rds.describe_db_instances()["DBInstances"]]
        clusters = [c["CacheClusterStatus"] for c in cache.describe_cache_clusters()["CacheClusters"]]
        ready = instances.count("available") + clusters.count("available")
        if ready == postgres + redis + memcached:
            break
        if "failed" in instances or time.monotonic() > deadline:
            raise SystemExit(f"not available: {instances} {clusters}")
        time.sleep(2)
    print(f"{postgres} PostgreSQL instances, {redis} Redis and {memcached} Memcached clusters available in "
          f"{time.monotonic() - began:.0f} s", flush=True)
    time.sleep(10)
    before, start = threads(kura.pid), time.monotonic()
    total_before = cpu_seconds(f"/proc/{kura.pid}/stat")
    tools_before = cpu_seconds(f"/proc/{kura.pid}/stat", children=True)
    rss_samples = []
    while time.monotonic() - start < seconds:
        rss_samples.append(rss_mb(kura.pid))
        time.sleep(1)
    elapsed = time.monotonic() - start
    used = cpu_seconds(f"/proc/{kura.pid}/stat") - total_before
    tools = cpu_seconds(f"/proc/{kura.pid}/stat", children=True) - tools_before
    after = threads(kura.pid)
    engines = engine_processes()
    engines_rss = sum(rss_mb(pid) for pid in engines)
    print(f"Kura over {elapsed:.0f} s: {used:.2f} s of CPU = {100 * used / elapsed:.2f}% of a core; RSS "
          f"{min(rss_samples):.0f}-{max(rss_samples):.0f} MB; its {len(engines)} engine processes: "
          f"{engines_rss:.0f} MB RSS together")
    print(f"  the tools it ran meanwhile (psql, pg_ctl, redis-cli; not the engines): {tools:.2f} s = "
          f"{100 * tools / elapsed:.2f}% of a core")
    by_name = {}
    for tid, (name, spent) in after.items():
        by_name[name] = by_name.get(name, 0.0) + spent - before.get(tid, (name, 0.0))[1]
    for name, spent in sorted(by_name.items(), key=lambda kv: -kv[1])[:8]:
        if spent > 0:
            print(f"  thread {name:16} {100 * spent / elapsed:6.2f}% of a core")
finally:
    if kura.poll() is None:
        kura.send_signal(signal.SIGTERM)
        try:
            kura.wait(timeout=120)
        except subprocess.TimeoutExpired:
            kura.kill()
            kura.wait()
    shutil.rmtree(data_dir, ignore_errors=True)
