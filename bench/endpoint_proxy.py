#!/usr/bin/env python3
"""What the enforcing endpoint costs: a Redis cache node reached through
Kura's endpoint (the proxy that checks the node's security groups and copies
the bytes) side by side with the same node's engine port, reached directly.
    /usr/bin/python3 bench/endpoint_proxy.py [ROUNDS=5] [CONNECTS=2000] [PINGS=20000]
Starts its own Kura (build/src/main/kura, or $KURA_BIN) on a free port with a
temporary data directory, makes one Redis cache cluster, and measures, in
alternating rounds:
  - connection setup: connect, PING, +PONG, close (per connection, µs);
  - query latency: PING round trips on one connection (µs);
  - throughput: redis-benchmark GET/SET, 50 clients (requests/s).
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


def summary(name, rounds_endpoint, rounds_direct, unit):
    e = statistics.median(rounds_endpoint)
    d = statistics.median(rounds_direct)
    spread = lambda xs: f"{min(xs):.1f}-{max(xs):.1f}"
    print(f"{name}: endpoint {e:.1f} {unit} ({spread(rounds_endpoint)}), direct {d:.1f} {unit} "
          f"({spread(rounds_direct)})", flush=True)
    return e, d


def main():
    root = tempfile.mkdtemp(prefix="kura-bench-proxy-")
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
    finally:
        kura.terminate()
        try:
            kura.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kura.kill()
        subprocess.run(["rm", "-rf", root], check=False)


if __name__ == "__main__":
    main()
