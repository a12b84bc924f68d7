"""Restart events tell what happened to the engine: one that ran on through
a restart of Kura (killed, so its engines live on and are adopted) gets no
"restarted" event; one Kura started again (after its own clean stop, which
stops the engines, or after the engine died) gets one."""
import glob
import os
import signal
import time

from rds_support import create_instance, psql
from test_elasticache import create_cluster, redis, wait_cluster
from test_elasticache_replication import member_pid, wait_group


def restarted_events(client, source_type, source_id):
    events = client.describe_events(SourceType=source_type, SourceIdentifier=source_id, Duration=60)["Events"]
    return [e["Message"] for e in events if "restarted" in e["Message"]]


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def read_pid(pattern):
    (path,) = glob.glob(pattern)
    with open(path) as f:
        return int(f.readline().strip())


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_cache_node_events_only_when_kura_started_it(kura_factory):
    server = kura_factory()
    ec = server.client("elasticache")
    cluster = create_cluster(ec, "ev")
    redis(cluster, "SET", "k", "v")
    ec.create_replication_group(ReplicationGroupId="evg", ReplicationGroupDescription="events",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2)
    wait_group(ec, "evg", "available")
    pid_file = os.path.join(server.data_dir, "elasticache", "clusters", "ev-*", "node-0001", "redis.pid")
    pid = read_pid(pid_file)
    group_pids = [member_pid(server.data_dir, "evg", m) for m in ("evg-001", "evg-002")]
    assert restarted_events(ec, "cache-cluster", "ev") == []

    # Kura killed: the nodes run on and the next Kura adopts them.
    server.restart(sigkill=True)
    ec = server.client("elasticache")
    time.sleep(4)  # several supervisor passes
    assert read_pid(pid_file) == pid and alive(pid)
    assert [member_pid(server.data_dir, "evg", m) for m in ("evg-001", "evg-002")] == group_pids
    assert restarted_events(ec, "cache-cluster", "ev") == []
    assert restarted_events(ec, "replication-group", "evg") == []

    # Kura stopped cleanly stops its nodes: the next one starts them again, and says so.
    server.stop()
    assert wait_for(lambda: not alive(pid), 10)
    server.start()
    ec = server.client("elasticache")
    assert wait_for(lambda: len(restarted_events(ec, "cache-cluster", "ev")) == 1)
    assert wait_for(lambda: len(restarted_events(ec, "replication-group", "evg")) == 2)
    cluster = wait_cluster(ec, "ev", "available")
    assert redis(cluster, "GET", "k") == "v"
    pid = read_pid(pid_file)

    # The node dies: Kura starts it again and records it, once.
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: len(restarted_events(ec, "cache-cluster", "ev")) == 2)
    assert read_pid(pid_file) != pid
    assert redis(cluster, "GET", "k") == "v"
    time.sleep(2)
    assert len(restarted_events(ec, "cache-cluster", "ev")) == 2
    ec.delete_cache_cluster(CacheClusterId="ev")
    ec.delete_replication_group(ReplicationGroupId="evg")
    wait_cluster(ec, "ev", "gone")
    wait_group(ec, "evg", "gone")


def test_db_instance_events_only_when_kura_started_it(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "evdb", BackupRetentionPeriod=0)
    psql(rds, "evdb", "CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
    pid_file = os.path.join(server.data_dir, "rds", "instances", "*", "pgdata", "postmaster.pid")
    pid = read_pid(pid_file)
    assert restarted_events(rds, "db-instance", "evdb") == []

    server.restart(sigkill=True)
    rds = server.client("rds")
    time.sleep(4)  # several supervisor passes
    assert read_pid(pid_file) == pid and alive(pid)
    assert restarted_events(rds, "db-instance", "evdb") == []
    assert psql(rds, "evdb", "SELECT x FROM t") == "1"

    # Kura stopped cleanly stops the engine: the next one starts it again, and says so.
    server.stop()
    assert wait_for(lambda: not alive(pid), 30)
    server.start()
    rds = server.client("rds")
    assert wait_for(lambda: len(restarted_events(rds, "db-instance", "evdb")) == 1, 60)
    assert wait_for(lambda: psql(rds, "evdb", "SELECT x FROM t", check=False) == "1", 60)
    pid = read_pid(pid_file)

    # The engine dies: Kura starts it again and records it, once.
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: len(restarted_events(rds, "db-instance", "evdb")) == 2, 60)
    assert wait_for(lambda: psql(rds, "evdb", "SELECT x FROM t", check=False) == "1", 60)
    assert read_pid(pid_file) != pid
    time.sleep(2)
    assert restarted_events(rds, "db-instance", "evdb") == ["DB instance restarted"] * 2
