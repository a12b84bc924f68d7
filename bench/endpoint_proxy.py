#!/usr/bin/env python3
"""What the enforcing endpoint costs: a Redis cache node reached through
Kura's endpoint (the proxy that checks the node's security groups and copies
the bytes) side by side with the same node's engine port, reached directly.
    /usr/bin/python3 bench/endpoint_proxy.py [ROUNDS=5] [CONNECTS=2000] [PINGS=20000] [SECONDS=10]
Starts its own Kura (build/src/main/kura, or $KURA_BIN) on a free port with a
temporary data directory, makes one Redis cache cluster, and measures, in
alternating rounds:
  - connection setup: connect, PING, +PONG, close (per connection, µs);
  - query latency: PING round trips on one connection (µs);
  - throughput: redis-benchmark GET/SET, 50 clients (requests/s).
Then one PostgreSQL instance, with pgbench's select-only script for SECONDS
per run: 8 clients on their connections (transactions/s and mean latency),
and 4 clients connecting anew for every transaction (-C: connection setup
with authentication, transactions/s).
Reports, per measure, the median over rounds of each side's p50 (and p99)
with the rounds' spread, the endpoint's overhead (p50 through it minus p50
direct) and the throughput ratio. Goals (issue 17): p50 overhead under
50 µs, throughput within 5%."""
import glob
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KURA_BIN = os.environ.get("KURA_BIN", os.path.join(ROOT, "build", "src", "main", "kura"))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
CONNECTS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
PINGS = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
SECONDS = int(sys.argv[4]) if len(sys.argv) > 4 else 10
PASSWORD = "bench-password-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def connect_ping_close(port, count):
    times = []
    for _ in range(count):
        start = time.perf_counter_ns()
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"PING\r\n")
            s.recv(16)
        times.append((time.perf_counter_ns() - start) / 1000)
    return times


def ping_round_trips(port, count):
    times = []
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            start = time.perf_counter_ns()
            s.sendall(b"PING\r\n")
            s.recv(16)
            times.append((time.perf_counter_ns() - start) / 1000)
    return times


def benchmark_rps(port):
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", "get,set", "-n", "100000",
                          "-c", "50", "-q", "--csv"], capture_output=True, text=True, timeout=300).stdout
    rates = [float(row.split(",")[1].strip('"')) for row in out.splitlines() if row.startswith('"GET"') or
             row.startswith('"SET"')]
    return sum(rates) / len(rates)


def pgbench(port, *args):
    """Transactions/s and mean latency (ms) of one pgbench run."""
    env = dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="disable")
    out = subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(port), "-U", "admin", "-n", "-S", "-T", str(SECONDS),
                          *args, "postgres"], capture_output=True, text=True, env=env, timeout=SECONDS + 120).stdout
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    return tps, float(latency.group(1)) if latency else float("nan")


def postgres_side(port):
    rds = boto3.client("rds", endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-northeast-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    rds.create_db_instance(DBInstanceIdentifier="bench", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                           BackupRetentionPeriod=0)
    deadline = time.monotonic() + 180
    while True:
        instance = rds.describe_db_instances(DBInstanceIdentifier="bench")["DBInstances"][0]
        if instance["DBInstanceStatus"] == "available":
            break
        if time.monotonic() > deadline:
            raise SystemExit("the instance is not available")
        time.sleep(0.5)
    endpoint_port = instance["Endpoint"]["Port"]
    (conf,) = glob.glob(os.path.join(ROOT_DIR[0], "data", "rds", "instances", "*", "pgdata", "kura.conf"))
    engine_port = int(re.search(r"^port = (\d+)$", open(conf).read(), re.M).group(1))
    env = dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="disable")
    subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(engine_port), "-U", "admin", "-i", "-s", "1", "-q",
                    "postgres"], check=True, capture_output=True, env=env, timeout=300)
    print(f"postgres: endpoint port {endpoint_port} (proxy), engine port {engine_port} (direct); "
          f"{ROUNDS} rounds of pgbench -S for {SECONDS} s", flush=True)
    measures = {key: ([], []) for key in ("tps, 8 clients", "latency ms, 8 clients", "tps, new connection each")}
    for round_ in range(ROUNDS):
        sides = [(0, endpoint_port), (1, engine_port)] if round_ % 2 == 0 else [(1, engine_port), (0, endpoint_port)]
        for side, target in sides:
            tps, latency = pgbench(target, "-c", "8", "-j", "2")
            measures["tps, 8 clients"][side].append(tps)
            measures["latency ms, 8 clients"][side].append(latency)
            measures["tps, new connection each"][side].append(pgbench(target, "-C", "-c", "4", "-j", "2")[0])
    results = {name: summary(name, *values, "") for name, values in measures.items()}
    print(f"postgres ratios endpoint/direct: tps {results['tps, 8 clients'][0] / results['tps, 8 clients'][1]:.3f}, "
          f"tps with a connection each {results['tps, new connection each'][0] / results['tps, new connection each'][1]:.3f}; "
          f"latency overhead {1000 * (results['latency ms, 8 clients'][0] - results['latency ms, 8 clients'][1]):.0f} µs")
    rds.delete_db_instance(DBInstanceIdentifier="bench", SkipFinalSnapshot=True)


ROOT_DIR = []


def summary(name, rounds_endpoint, rounds_direct, unit):
    e = statistics.median(rounds_endpoint)
    d = statistics.median(rounds_direct)
    spread = lambda xs: f"{min(xs):.1f}-{max(xs):.1f}"
    unit = f" {unit}" if unit else ""
    print(f"{name}: endpoint {e:.1f}{unit} ({spread(rounds_endpoint)}), direct {d:.1f}{unit} "
          f"({spread(rounds_direct)})", flush=True)
    return e, d


def main():
    root = tempfile.mkdtemp(prefix="kura-bench-proxy-")
    ROOT_DIR.append(root)
    os.chmod(root, 0o711)
    port = free_port()
    log = open(os.path.join(root, "kura.log"), "ab")
    kura = subprocess.Popen([KURA_BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir",
                             os.path.join(root, "data")], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        client = boto3.client("elasticache", endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-northeast-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        deadline = time.monotonic() + 30
        while True:
            try:
                client.describe_cache_clusters()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        client.create_cache_cluster(CacheClusterId="bench", Engine="redis", CacheNodeType="cache.t3.micro",
                                    NumCacheNodes=1)
        deadline = time.monotonic() + 120
        while True:
            cluster = client.describe_cache_clusters(CacheClusterId="bench", ShowCacheNodeInfo=True)["CacheClusters"][0]
            if cluster["CacheClusterStatus"] == "available":
                break
            if time.monotonic() > deadline:
                raise SystemExit("the cache cluster is not available")
            time.sleep(0.2)
        endpoint_port = cluster["CacheNodes"][0]["Endpoint"]["Port"]
        confs = glob.glob(os.path.join(root, "data", "elasticache", "**", "redis.conf"), recursive=True)
        engine_port = int(re.search(r"^port (\d+)$", open(confs[0]).read(), re.M).group(1))
        print(f"endpoint port {endpoint_port} (proxy), engine port {engine_port} (direct); "
              f"{ROUNDS} rounds of {CONNECTS} connections, {PINGS} pings, redis-benchmark -c 50", flush=True)

        measures = {key: ([], []) for key in ("connect p50", "connect p99", "ping p50", "ping p99", "rps")}
        for round_ in range(ROUNDS):
            # Alternate which side goes first, so drift of the machine is shared.
            sides = [(0, endpoint_port), (1, engine_port)] if round_ % 2 == 0 else [(1, engine_port), (0, endpoint_port)]
            for side, target in sides:
                connects = connect_ping_close(target, CONNECTS)
                pings = ping_round_trips(target, PINGS)
                measures["connect p50"][side].append(percentile(connects, 0.5))
                measures["connect p99"][side].append(percentile(connects, 0.99))
                measures["ping p50"][side].append(percentile(pings, 0.5))
                measures["ping p99"][side].append(percentile(pings, 0.99))
                measures["rps"][side].append(benchmark_rps(target))
        results = {name: summary(name, *values, "req/s" if name == "rps" else "µs") for name, values in measures.items()}
        print(f"overhead at p50: connection setup {results['connect p50'][0] - results['connect p50'][1]:.1f} µs, "
              f"ping {results['ping p50'][0] - results['ping p50'][1]:.1f} µs; "
              f"throughput ratio endpoint/direct {results['rps'][0] / results['rps'][1]:.3f}")
        client.delete_cache_cluster(CacheClusterId="bench")
        postgres_side(port)
    finally:
        kura.terminate()
        try:
            kura.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kura.kill()
        subprocess.run(["rm", "-rf", root], check=False)


if __name__ == "__main__":
    main()
