"""ElastiCache replication groups on real Redis: a primary and replicas
behind stable primary and reader endpoints, planned and automatic failover,
at-rest encryption of snapshots, restore into a new group."""
import glob
import os
import signal
import socket
import time

import botocore.exceptions
import pytest

from test_elasticache import redis, wait_snapshot


class Resp:
    """A minimal RESP client: one connection, one command at a time."""

    def __init__(self, port, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b":"):
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            while len(self.buf) < size + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                self.buf += chunk
            data, self.buf = self.buf[:size], self.buf[size + 2:]
            return data.decode()
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError(f"unexpected reply {line!r}")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for arg in args:
            data = str(arg).encode()
            out += b"$%d\r\n%s\r\n" % (len(data), data)
        self.sock.sendall(out)
        return self._reply()


def wait_group(ec, group_id, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            groups = ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
        except ec.exceptions.ReplicationGroupNotFoundFault:
            if wanted == "gone":
                return None
            raise
        status = groups[0]["Status"]
        if status == wanted:
            return groups[0]
        if status in ("failed", "restore-failed") and wanted != status:
            events = ec.describe_events(SourceIdentifier=group_id, SourceType="replication-group")["Events"]
            raise AssertionError(f"{group_id} is {status}: " + "; ".join(e["Message"] for e in events))
        time.sleep(0.2)
    raise AssertionError(f"{group_id} is still {status}, not {wanted}")


def endpoints(group):
    node_group = group["NodeGroups"][0]
    return node_group["PrimaryEndpoint"]["Port"], node_group["ReaderEndpoint"]["Port"]


def primary_of(group):
    return next(m["CacheClusterId"] for m in group["NodeGroups"][0]["NodeGroupMembers"] if m["CurrentRole"] == "primary")


def member_pid(data_dir, group_id, member):
    (path,) = glob.glob(os.path.join(data_dir, "elasticache", "groups", f"{group_id}-*", member, "redis.pid"))
    with open(path) as f:
        return int(f.read().strip())


def write_until(port, stop, start=0, wait_replica=True):
    """Writes numbered keys through the endpoint until stop() says so, each
    acknowledged only once a replica has it (WAIT); returns the acknowledged
    numbers. Connection errors during a failover are retried."""
    acked = []
    n = start
    client = None
    deadline = time.monotonic() + 60
    while not stop() and time.monotonic() < deadline:
        try:
            if client is None:
                client = Resp(port, timeout=3)
            client.call("SET", f"k:{n}", n)
            if wait_replica and int(client.call("WAIT", 1, 2000)) < 1:
                n += 1
                continue  # not on a replica: not counted as acknowledged
            acked.append(n)
        except (OSError, ConnectionError, RuntimeError):
            if client is not None:
                client.close()
            client = None
            time.sleep(0.05)
        n += 1
    if client is not None:
        client.close()
    return acked


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def test_group_endpoints_failover_and_encrypted_restore(kura):
    ec = kura.client("elasticache")
    kms = kura.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    ec.create_replication_group(ReplicationGroupId="sessions", ReplicationGroupDescription="session store",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=3,
                                AutomaticFailoverEnabled=True, MultiAZEnabled=True,
                                AtRestEncryptionEnabled=True, KmsKeyId=key)
    group = wait_group(ec, "sessions", "available")
    assert group["AutomaticFailover"] == "enabled" and group["MultiAZ"] == "enabled"
    assert group["AtRestEncryptionEnabled"] and group["KmsKeyId"] == key
    assert group["MemberClusters"] == ["sessions-001", "sessions-002", "sessions-003"]
    assert primary_of(group) == "sessions-001"
    zones = {m["PreferredAvailabilityZone"] for m in group["NodeGroups"][0]["NodeGroupMembers"]}
    assert len(zones) == 3
    members = ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    assert {m["CacheClusterId"] for m in members if m.get("ReplicationGroupId") == "sessions"} == set(group["MemberClusters"])

    primary_port, reader_port = endpoints(group)
    writer = Resp(primary_port)
    writer.call("SET", "marker", "PLAINTEXT-GROUP-4410")
    assert int(writer.call("WAIT", 2, 5000)) == 2
    writer.close()
    reader = Resp(reader_port)
    assert reader.call("GET", "marker") == "PLAINTEXT-GROUP-4410"
    with pytest.raises(RuntimeError, match="READONLY"):
        reader.call("SET", "x", "1")
    reader.close()

    # Planned failover (TestFailover) while a client writes: nothing
    # acknowledged is lost, and the endpoint port stays the same.
    writes = []
    import threading
    done = threading.Event()
    thread = threading.Thread(target=lambda: writes.extend(write_until(primary_port, done.is_set, 0, False)))
    thread.start()
    time.sleep(0.5)
    ec.test_failover(ReplicationGroupId="sessions", NodeGroupId="0001")
    group = wait_group(ec, "sessions", "available")
    time.sleep(0.5)
    done.set()
    thread.join()
    assert primary_of(group) != "sessions-001"
    assert endpoints(group)[0] == primary_port
    client = Resp(primary_port)
    missing = [n for n in writes if client.call("GET", f"k:{n}") != str(n)]
    assert writes and not missing, f"{len(missing)} of {len(writes)} acknowledged writes lost in a planned failover"
    client.close()

    # The primary dies (SIGKILL), then hangs (SIGSTOP): each time a replica
    # takes over and every write a replica acknowledged (WAIT) is there.
    for fault in (signal.SIGKILL, signal.SIGSTOP):
        group = wait_group(ec, "sessions", "available")
        old_primary = primary_of(group)
        # Every member runs again (the old primary came back as a replica).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            group = ec.describe_replication_groups(ReplicationGroupId="sessions")["ReplicationGroups"][0]
            ok = all(redis({"CacheNodes": [{"Endpoint": m["ReadEndpoint"]}]}, "PING", check=False) == "PONG"
                     for m in group["NodeGroups"][0]["NodeGroupMembers"])
            if ok:
                break
            time.sleep(0.3)
        start = 100000 * (2 if fault == signal.SIGKILL else 3)
        done = threading.Event()
        acked = []
        thread = threading.Thread(target=lambda: acked.extend(write_until(primary_port, done.is_set, start)))
        thread.start()
        time.sleep(0.5)
        os.kill(member_pid(kura.data_dir, "sessions", old_primary), fault)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            group = ec.describe_replication_groups(ReplicationGroupId="sessions")["ReplicationGroups"][0]
            if primary_of(group) != old_primary:
                break
            time.sleep(0.2)
        assert primary_of(group) != old_primary, f"no failover after {fault}"
        time.sleep(1.0)
        done.set()
        thread.join()
        client = Resp(primary_port)
        missing = [n for n in acked if client.call("GET", f"k:{n}") != str(n)]
        assert acked and not missing, f"{len(missing)} of {len(acked)} replicated writes lost after {fault}"
        client.close()
    events = [e["Message"] for e in ec.describe_events(SourceType="replication-group",
                                                        SourceIdentifier="sessions")["Events"]]
    assert sum("Failover from primary node" in m for m in events) >= 3

    # A snapshot of the encrypted group is sealed under its key.
    snapshot = ec.create_snapshot(ReplicationGroupId="sessions", SnapshotName="sessions-snap")["Snapshot"]
    assert snapshot["ReplicationGroupId"] == "sessions" and snapshot["KmsKeyId"] == key
    wait_snapshot(ec, "sessions-snap")
    for path in glob.glob(os.path.join(kura.data_dir, "elasticache", "snapshots", "sessions-snap-*", "**"),
                          recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                assert b"PLAINTEXT-GROUP-4410" not in f.read()
    assert [s["SnapshotName"] for s in ec.describe_snapshots(ReplicationGroupId="sessions")["Snapshots"]] == ["sessions-snap"]

    ec.create_replication_group(ReplicationGroupId="sessions-restore", ReplicationGroupDescription="restored",
                                SnapshotName="sessions-snap", NumCacheClusters=2, AutomaticFailoverEnabled=True)
    restored = wait_group(ec, "sessions-restore", "available")
    primary_port2, reader_port2 = endpoints(restored)
    assert Resp(primary_port2).call("GET", "marker") == "PLAINTEXT-GROUP-4410"
    assert Resp(reader_port2).call("GET", "marker") == "PLAINTEXT-GROUP-4410"

    ec.delete_replication_group(ReplicationGroupId="sessions", FinalSnapshotIdentifier="sessions-final")
    ec.delete_replication_group(ReplicationGroupId="sessions-restore")
    wait_group(ec, "sessions", "gone")
    wait_group(ec, "sessions-restore", "gone")
    wait_snapshot(ec, "sessions-final")
    with pytest.raises(OSError):
        Resp(primary_port, timeout=2).call("PING")


def test_group_errors(kura):
    ec = kura.client("elasticache")
    assert error_code(ec.create_replication_group, ReplicationGroupId="solo", ReplicationGroupDescription="x",
                      NumCacheClusters=1, AutomaticFailoverEnabled=True) == "InvalidParameterValue"
    assert error_code(ec.create_replication_group, ReplicationGroupId="solo", ReplicationGroupDescription="x",
                      NumCacheClusters=2, MultiAZEnabled=True) == "InvalidParameterCombination"
    assert error_code(ec.create_replication_group, ReplicationGroupId="solo", ReplicationGroupDescription="x",
                      NumCacheClusters=7) == "InvalidParameterValue"
    assert error_code(ec.create_replication_group, ReplicationGroupId="solo", ReplicationGroupDescription="x",
                      NumNodeGroups=0) == "InvalidParameterValue"
    ec.create_replication_group(ReplicationGroupId="solo", ReplicationGroupDescription="no failover",
                                NumCacheClusters=1)
    wait_group(ec, "solo", "available")
    assert error_code(ec.create_replication_group, ReplicationGroupId="solo",
                      ReplicationGroupDescription="x") == "ReplicationGroupAlreadyExists"
    assert error_code(ec.test_failover, ReplicationGroupId="solo", NodeGroupId="0001") == "InvalidReplicationGroupState"
    assert error_code(ec.test_failover, ReplicationGroupId="solo", NodeGroupId="0002") == "NodeGroupNotFoundFault"
    assert error_code(ec.test_failover, ReplicationGroupId="missing", NodeGroupId="0001") == "ReplicationGroupNotFoundFault"
    assert error_code(ec.create_snapshot, ReplicationGroupId="solo", CacheClusterId="solo-001",
                      SnapshotName="s") == "InvalidParameterCombination"
    # A group without a replica restarts its primary in place.
    group = wait_group(ec, "solo", "available")
    port = endpoints(group)[0]
    Resp(port).call("SET", "kept", "1")
    time.sleep(1.2)  # the append-only file is fsynced every second
    os.kill(member_pid(kura.data_dir, "solo", "solo-001"), signal.SIGKILL)
    deadline = time.monotonic() + 20
    value = None
    while time.monotonic() < deadline:
        try:
            value = Resp(port, timeout=2).call("GET", "kept")
            break
        except (OSError, ConnectionError):
            time.sleep(0.3)
    assert value == "1"
    ec.delete_replication_group(ReplicationGroupId="solo")
    wait_group(ec, "solo", "gone")


def test_group_endpoints_come_back_after_sigkill_of_kura(kura_factory):
    server = kura_factory()
    ec = server.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="durable", ReplicationGroupDescription="x",
                                NumCacheClusters=2, AutomaticFailoverEnabled=True)
    group = wait_group(ec, "durable", "available")
    primary_port, reader_port = endpoints(group)
    client = Resp(primary_port)
    client.call("SET", "kept", "yes")
    assert int(client.call("WAIT", 1, 2000)) == 1
    client.close()
    server.restart(sigkill=True)
    ec = server.client("elasticache")
    # The nodes kept running; the endpoints (Kura's ports) are back.
    deadline = time.monotonic() + 20
    value = None
    while time.monotonic() < deadline:
        try:
            value = Resp(primary_port, timeout=2).call("GET", "kept")
            break
        except (OSError, ConnectionError):
            time.sleep(0.2)
    assert value == "yes"
    assert Resp(reader_port).call("GET", "kept") == "yes"
    # And failover still works after the restart.
    os.kill(member_pid(server.data_dir, "durable", "durable-001"), signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if primary_of(ec.describe_replication_groups(ReplicationGroupId="durable")["ReplicationGroups"][0]) == "durable-002":
            break
        time.sleep(0.2)
    assert Resp(primary_port).call("GET", "kept") == "yes"
    ec.delete_replication_group(ReplicationGroupId="durable")
    wait_group(ec, "durable", "gone", timeout=20)
