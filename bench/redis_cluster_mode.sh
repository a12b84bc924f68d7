#!/usr/bin/env bash
# Redis cluster mode enabled on Kura: throughput through the configuration
# endpoint with a cluster client against one shard reached directly, and
# the failover time of each shard.
#   bench/redis_cluster_mode.sh [KURA_BIN] [SHARDS=3] [REQUESTS=200000] [ROUNDS=3] [FAILOVERS=3]
# Starts its own Kura on a free port with a temporary data directory and
# makes a group of SHARDS node groups, one replica each. Then, in ROUNDS
# that alternate the order:
#  - cluster: `redis-benchmark --cluster` SET and GET (50 clients, random
#    keys) against the configuration endpoint: every shard serves its
#    slots' share, each through its own proxy port;
#  - one shard: `redis-benchmark` SET and GET of keys of one slot (hash
#    tag) against that shard's primary's endpoint;
# and reports ops/s per shard (cluster total / SHARDS) against the one
# shard's (goal: no loss beyond 5%). On a 2-core machine every shard,
# Kura's proxy and redis-benchmark share the same cores: the totals do not
# scale with SHARDS there, the per-shard cost is what is compared.
# Failover: FAILOVERS times per shard, its primary SIGKILLed while a
# cluster client writes keys of that shard; the time from the kill to the
# first write acknowledged by the new primary (goal: median under 2 s).
set -euo pipefail
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
KURA_BIN="${1:-${KURA_BIN:-$root_dir/build/src/main/kura}}"
export KURA_BIN SHARDS="${2:-3}" REQUESTS="${3:-200000}" ROUNDS="${4:-3}" FAILOVERS="${5:-3}"
exec /usr/bin/python3 - <<'PY'
import glob, os, re, shutil, signal, socket, statistics, subprocess, tempfile, time
import boto3
from redis.cluster import RedisCluster

KURA_BIN, SHARDS = os.environ["KURA_BIN"], int(os.environ["SHARDS"])
REQUESTS, ROUNDS, FAILOVERS = int(os.environ["REQUESTS"]), int(os.environ["ROUNDS"]), int(os.environ["FAILOVERS"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rates(args):
    done = subprocess.run(["redis-benchmark", "-q", "-c", "50", "-n", str(REQUESTS), *args],
                          capture_output=True, text=True, timeout=600)
    out = done.stdout
    if "requests per second" not in out:
        raise SystemExit(f"redis-benchmark {' '.join(args)} failed: {(done.stdout + done.stderr)[-300:]}")
    found = dict(re.findall(r"^(\w+).*: ([\d.]+) requests per second", out.replace("\r", "\n"), re.M))
    return {name: float(value) for name, value in found.items()}


def group_of(ec):
    return ec.describe_replication_groups(ReplicationGroupId="bench")["ReplicationGroups"][0]


def wait_available(ec):
    deadline = time.monotonic() + 120
    while group_of(ec)["Status"] != "available":
        if time.monotonic() > deadline:
            raise SystemExit("the group is not available")
        time.sleep(0.2)
    return group_of(ec)


def main():
    root = tempfile.mkdtemp(prefix="kura-bench-cluster-")
    os.chmod(root, 0o711)
    port = free_port()
    log = open(os.path.join(root, "kura.log"), "ab")
    data = os.path.join(root, "data")
    kura = subprocess.Popen([KURA_BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ec = boto3.client("elasticache", endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-northeast-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
        deadline = time.monotonic() + 30
        while True:
            try:
                ec.describe_replication_groups()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        ec.create_replication_group(ReplicationGroupId="bench", ReplicationGroupDescription="bench", Engine="redis",
                                    NumNodeGroups=SHARDS, ReplicasPerNodeGroup=1,
                                    CacheParameterGroupName="default.redis7.cluster.on")
        group = wait_available(ec)
        config = group["ConfigurationEndpoint"]["Port"]
        client = RedisCluster(host="127.0.0.1", port=config)
        first = group["NodeGroups"][0]
        primary = next(m for m in first["NodeGroupMembers"] if m["CurrentRole"] == "primary")["ReadEndpoint"]["Port"]
        low, _, high = first["Slots"].split(",")[0].partition("-")
        tag = next(f"t{n}" for n in range(100000) if int(low) <= client.keyslot(f"t{n}") <= int(high or low))
        cluster, direct = [], []
        for r in range(ROUNDS):
            sides = [("cluster", cluster), ("direct", direct)]
            for name, results in (sides if r % 2 == 0 else sides[::-1]):
                if name == "cluster":
                    got = rates(["-p", str(config), "--cluster", "-r", "100000", "-t", "set,get"])
                    results.append({k: v / SHARDS for k, v in got.items()})
                else:
                    s = rates(["-p", str(primary), "-r", "100000", "SET", f"{{{tag}}}:__rand_int__", "xxx"])
                    g = rates(["-p", str(primary), "-r", "100000", "GET", f"{{{tag}}}:__rand_int__"])
                    results.append({"SET": next(iter(s.values())), "GET": next(iter(g.values()))})
        for op in ("SET", "GET"):
            c = statistics.median(x[op] for x in cluster)
            d = statistics.median(x[op] for x in direct)
            print(f"{op}: per shard through the configuration endpoint {c:9.0f} ops/s "
                  f"(total {c * SHARDS:9.0f}); one shard directly {d:9.0f} ops/s; ratio {c / d:.2f}")

        # Failover per shard.
        times = {}
        for trial in range(FAILOVERS):
            for node_group in group_of(ec)["NodeGroups"]:
                group = wait_available(ec)
                node_group = next(g for g in group["NodeGroups"] if g["NodeGroupId"] == node_group["NodeGroupId"])
                victim = next(m for m in node_group["NodeGroupMembers"] if m["CurrentRole"] == "primary")
                low, _, high = node_group["Slots"].split(",")[0].partition("-")
                key = next(f"k{n}" for n in range(100000) if int(low) <= client.keyslot(f"k{n}") <= int(high or low))
                # Both nodes of the shard answer (the last trial's victim rejoined).
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    try:
                        nodes = client.execute_command("CLUSTER NODES", target_nodes=RedisCluster.RANDOM)
                        if "fail" not in str(nodes) and "slave" in str(nodes):
                            break
                    except Exception:
                        pass
                    time.sleep(0.3)
                (pidfile,) = glob.glob(f"{data}/elasticache/groups/bench-*/{victim['CacheClusterId']}/redis.pid")
                pid = int(open(pidfile).read())
                writer = RedisCluster(host="127.0.0.1", port=config, socket_timeout=1,
                                      cluster_error_retry_attempts=1)
                writer.set(key, "before")
                killed = time.monotonic()
                os.kill(pid, signal.SIGKILL)
                while True:
                    try:
                        writer.set(key, "after")
                        node = writer.get_node_from_key(key)
                        if node.port != victim["ReadEndpoint"]["Port"]:
                            break
                    except Exception:
                        pass
                    time.sleep(0.01)
                    if time.monotonic() - killed > 60:
                        raise SystemExit("no failover within 60 s")
                writer.close()
                times.setdefault(node_group["NodeGroupId"], []).append(time.monotonic() - killed)
        for node_group, values in sorted(times.items()):
            print(f"failover of node group {node_group}: median {statistics.median(values):.2f} s, "
                  f"max {max(values):.2f} s over {len(values)} kills")
        client.close()
    finally:
        os.killpg(kura.pid, signal.SIGTERM)
        kura.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)


main()
PY
