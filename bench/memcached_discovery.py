#!/usr/bin/env python3
"""What a Memcached node's endpoint costs now that its connections pass
through the Auto Discovery filter: the node reached through its endpoint
(Kura's proxy, then the filter, then memcached), through the filter alone
(its port on 127.0.0.1), and memcached's own port, directly.
    /usr/bin/python3 bench/memcached_discovery.py [ROUNDS=5] [GETS=20000] [SECONDS=5]
Starts its own Kura (build/src/main/kura, or $KURA_BIN) on a free port with
a temporary data directory, makes a one-node Memcached cluster, and
measures, in rounds that alternate the sides' order:
  - latency: `get` round trips of a 100-byte value on one connection (µs);
  - throughput: pipelined `get`s, 100 a batch, on one connection, for
    SECONDS (gets/s);
  - discovery: `config get cluster` round trips through the endpoint (µs).
Reports the median over rounds of each side's p50 and p99, the overheads
against memcached directly, and the throughput ratios."""
import glob
import os
import re
import shutil
import signal
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
GETS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def read_until(conn, end):
    reply = b""
    while not reply.endswith(end):
        chunk = conn.recv(1 << 20)
        if not chunk:
            raise RuntimeError("connection closed")
        reply += chunk
    return reply


def round_trips(port, request, count):
    times = []
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            start = time.perf_counter_ns()
            conn.sendall(request)
            read_until(conn, b"END\r\n")
            times.append((time.perf_counter_ns() - start) / 1000)
    return times


def pipelined_rate(port):
    batch = b"get bench-key\r\n" * 100
    done = 0
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        deadline = time.perf_counter() + SECONDS
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            conn.sendall(batch)
            reply = b""
            while reply.count(b"END\r\n") < 100:
                reply += conn.recv(1 << 20)
            done += 100
        return done / (time.perf_counter() - start)


def listening_ports(pid):
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
    return {int(m.group(1)) for line in out.splitlines() if f"pid={pid}," in line
            for m in [re.search(r"127\.0\.0\.1:(\d+)", line)] if m}


def main():
    root = tempfile.mkdtemp(prefix="kura-bench-discovery-")
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
        client.create_cache_cluster(CacheClusterId="bench", Engine="memcached", CacheNodeType="cache.t3.micro",
                                    NumCacheNodes=1)
        deadline = time.monotonic() + 60
        while True:
            cluster = client.describe_cache_clusters(CacheClusterId="bench", ShowCacheNodeInfo=True)["CacheClusters"][0]
            if cluster["CacheClusterStatus"] == "available":
                break
            if time.monotonic() > deadline:
                raise SystemExit("the cache cluster is not available")
            time.sleep(0.2)
        endpoint = cluster["CacheNodes"][0]["Endpoint"]["Port"]
        pid_file = glob.glob(os.path.join(root, "data", "elasticache", "clusters", "bench-*", "node-0001",
                                          "memcached.pid"))[0]
        with open(f"/proc/{int(open(pid_file).read())}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        direct = int(argv[argv.index(b"-p") + 1])
        # The filter listens on an ephemeral port (Kura's others are fixed ones).
        filtered = [p for p in listening_ports(kura.pid) if p not in (port, endpoint) and p >= 32768]
        if len(filtered) != 1:
            raise SystemExit(f"cannot tell the filter's port among {filtered}")
        sides = {"endpoint": endpoint, "filter": filtered[0], "direct": direct}
        print(f"ports: endpoint {endpoint} (proxy + filter), filter {filtered[0]}, memcached {direct}")
        with socket.create_connection(("127.0.0.1", direct)) as conn:
            conn.sendall(b"set bench-key 0 0 100\r\n" + b"v" * 100 + b"\r\n")
            read_until(conn, b"STORED\r\n")
        latency = {name: [] for name in sides}
        rate = {name: [] for name in sides}
        discovery = []
        for round_ in range(ROUNDS):
            order = list(sides.items()) if round_ % 2 == 0 else list(reversed(sides.items()))
            for name, side in order:
                times = round_trips(side, b"get bench-key\r\n", GETS)
                latency[name].append((percentile(times, 0.5), percentile(times, 0.99)))
                rate[name].append(pipelined_rate(side))
            times = round_trips(endpoint, b"config get cluster\r\n", GETS // 4)
            discovery.append((percentile(times, 0.5), percentile(times, 0.99)))
        direct_p50 = statistics.median(p50 for p50, _ in latency["direct"])
        direct_rate = statistics.median(rate["direct"])
        for name in sides:
            p50 = statistics.median(p for p, _ in latency[name])
            p99 = statistics.median(p for _, p in latency[name])
            spread = max(p for p, _ in latency[name]) - min(p for p, _ in latency[name])
            gets = statistics.median(rate[name])
            print(f"{name:9} get p50 {p50:7.1f} µs (spread {spread:5.1f}), p99 {p99:7.1f} µs, "
                  f"overhead {p50 - direct_p50:6.1f} µs; pipelined {gets:10.0f} gets/s ({gets / direct_rate:.2f})")
        print(f"config get cluster through the endpoint: p50 {statistics.median(p for p, _ in discovery):.1f} µs, "
              f"p99 {statistics.median(p for _, p in discovery):.1f} µs")
    finally:
        os.killpg(kura.pid, signal.SIGTERM)
        kura.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
