"""A client of an ElastiCache Redis node has what ElastiCache gives it and no
more: the commands ElastiCache keeps to itself (CONFIG, DEBUG, SAVE,
SHUTDOWN, REPLICAOF, ...) are refused and change nothing, while Kura's own
work (snapshots, restores, replication, failover) goes on as Kura's ACL
user. A node started by an earlier Kura, without that user, is given it."""
import glob
import hashlib
import hmac
import os
import stat
import subprocess
import time

import pytest

from test_elasticache import create_cluster, redis, wait_cluster, wait_snapshot
from test_elasticache_replication import Resp, endpoints, wait_group

# What a client must not run (each with harmless arguments: refused before
# it would do anything).
RESTRICTED = [
    ("CONFIG", "GET", "dir"),
    ("CONFIG", "SET", "dir", "/tmp"),
    ("CONFIG", "SET", "dbfilename", "authorized_keys"),
    ("CONFIG", "REWRITE"),
    ("DEBUG", "SLEEP", "0"),
    ("DEBUG", "RELOAD"),
    ("MODULE", "LOAD", "/tmp/nothing.so"),
    ("MODULE", "LIST"),
    ("SAVE",),
    ("BGSAVE",),
    ("BGREWRITEAOF",),
    ("SHUTDOWN", "NOSAVE"),
    ("REPLICAOF", "127.0.0.1", "1"),
    ("SLAVEOF", "127.0.0.1", "1"),
    ("SYNC",),
    ("PSYNC", "?", "-1"),
    ("REPLCONF", "listening-port", "1"),
    ("MIGRATE", "127.0.0.1", "1", "k", "0", "1000"),
    ("FAILOVER",),
    ("ACL", "SETUSER", "intruder", "on", "nopass", "+@all"),
    ("ACL", "LIST"),
    ("ACL", "GETUSER", "kura-admin"),
    ("ACL", "SAVE"),
    ("ACL", "LOAD"),
    ("ACL", "LOG"),
    ("CLUSTER", "ADDSLOTS", "1"),
    ("CLUSTER", "MEET", "127.0.0.1", "1"),
]


def refused(client, *command):
    with pytest.raises(RuntimeError) as raised:
        client.call(*command)
    message = str(raised.value)
    # ACL's answer, or the server's own for DEBUG and MODULE (off for everyone).
    assert message.startswith("NOPERM") or "not allowed" in message, f"{command}: {message}"


def node_dir(data_dir, cluster_id):
    (path,) = glob.glob(os.path.join(data_dir, "elasticache", "clusters", f"{cluster_id}-*", "node-0001"))
    return path


def engine_port(folder):
    """The port a node's engine listens on (behind its endpoint, Kura's
    proxy, which is gone while Kura is down), from its redis.conf."""
    with open(os.path.join(folder, "redis.conf")) as f:
        for line in f:
            if line.split()[:1] in (["port"], ["tls-port"]) and line.split()[1] != "0":
                return int(line.split()[1])
    raise AssertionError(f"no port in {folder}/redis.conf")


def member_dir(data_dir, group_id, member):
    (path,) = glob.glob(os.path.join(data_dir, "elasticache", "groups", f"{group_id}-*", member))
    return path


def admin_password(data_dir):
    """Kura's password on its nodes, derived as Kura does from its private key."""
    with open(os.path.join(data_dir, "keys", "redis-users.key"), "rb") as f:
        key = f.read()
    return hmac.new(key, b"kura-admin", hashlib.sha256).hexdigest()


def as_admin(data_dir, port, *args):
    env = dict(os.environ, REDISCLI_AUTH=admin_password(data_dir))
    result = subprocess.run(["redis-cli", "--user", "kura-admin", "-p", str(port), *args],
                            capture_output=True, text=True, env=env, timeout=30)
    return result.stdout.strip() + result.stderr.strip()


def test_clients_cannot_run_restricted_commands_and_change_nothing(kura):
    ec = kura.client("elasticache")
    cluster = create_cluster(ec, "iso")
    port = cluster["CacheNodes"][0]["Endpoint"]["Port"]
    node = node_dir(kura.data_dir, "iso")
    data = os.path.join(node, "data")
    client = Resp(port)
    client.call("SET", "kept", "v1")
    for command in RESTRICTED:
        refused(client, *command)
    # Nothing changed: the server still runs, keeps its files where they were,
    # wrote no image (SAVE was refused), is no replica, has no new user.
    assert client.call("PING") == "PONG"
    assert client.call("GET", "kept") == "v1"
    assert not os.path.exists(os.path.join(data, "dump.rdb"))
    assert not os.path.exists("/tmp/authorized_keys")
    assert as_admin(kura.data_dir, port, "CONFIG", "GET", "dir") == f"dir\n{data}"
    assert as_admin(kura.data_dir, port, "CONFIG", "GET", "dbfilename") == "dbfilename\ndump.rdb"
    assert "role:master" in client.call("INFO", "replication")
    users = as_admin(kura.data_dir, port, "ACL", "USERS").split()
    assert sorted(users) == ["default", "kura-admin", "kura-replication"]
    # DEBUG and MODULE are off even for Kura's user.
    assert "not allowed" in as_admin(kura.data_dir, port, "DEBUG", "SLEEP", "0")

    # What ElastiCache allows still works, KEYS and FLUSHALL among them.
    assert client.call("ACL", "WHOAMI") == "default"
    assert client.call("SET", "a", "1") == "OK"
    assert sorted(client.call("KEYS", "*")) == ["a", "kept"]
    assert client.call("MULTI") == "OK"
    assert client.call("INCR", "a") == "QUEUED"
    assert client.call("GET", "a") == "QUEUED"
    assert client.call("EXEC") == ["2", "2"]
    assert "redis_version:7" in client.call("INFO", "server")
    assert client.call("EVAL", "return redis.call('GET', KEYS[1])", "1", "a") == "2"
    assert client.call("FLUSHALL") == "OK"
    assert client.call("DBSIZE") == "0"
    client.call("SET", "after-flush", "here")
    client.close()

    # Kura's password never shows: not in the node's files, not on a command line.
    password = admin_password(kura.data_dir)
    key_file = os.path.join(kura.data_dir, "keys", "redis-users.key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600 and os.stat(key_file).st_uid == os.getuid()
    for path in glob.glob(os.path.join(node, "**"), recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                assert password.encode() not in f.read(), path
    assert password not in kura.read_log()

    # Kura's own work goes on: a snapshot holds the data, a restore reads it back.
    ec.create_snapshot(CacheClusterId="iso", SnapshotName="iso-snap")
    wait_snapshot(ec, "iso-snap")
    ec.create_cache_cluster(CacheClusterId="iso-back", SnapshotName="iso-snap")
    back = wait_cluster(ec, "iso-back", "available")
    assert redis(back, "GET", "after-flush") == "here"
    # The restored node turned its append-only file on (as Kura) and is as closed.
    back_client = Resp(back["CacheNodes"][0]["Endpoint"]["Port"])
    refused(back_client, "CONFIG", "GET", "appendonly")
    back_client.close()
    back_port = back["CacheNodes"][0]["Endpoint"]["Port"]
    assert as_admin(kura.data_dir, back_port, "CONFIG", "GET", "appendonly") == "appendonly\nyes"
    for name in ("iso", "iso-back"):
        ec.delete_cache_cluster(CacheClusterId=name)
    for name in ("iso", "iso-back"):
        wait_cluster(ec, name, "gone")


def test_group_members_are_closed_and_still_replicate_and_fail_over(kura):
    ec = kura.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="isog", ReplicationGroupDescription="closed group",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                AutomaticFailoverEnabled=True)
    group = wait_group(ec, "isog", "available")
    primary_port, reader_port = endpoints(group)
    for port in (primary_port, reader_port):  # through the endpoints (Kura's proxy)
        client = Resp(port)
        for command in (("CONFIG", "GET", "dir"), ("REPLICAOF", "NO", "ONE"), ("SHUTDOWN",), ("SYNC",)):
            refused(client, *command)
        client.close()
    writer = Resp(primary_port)
    writer.call("SET", "replicated", "yes")
    assert int(writer.call("WAIT", 1, 5000)) == 1  # the replica signed in and has it
    writer.close()
    reader = Resp(reader_port)
    assert reader.call("GET", "replicated") == "yes"
    reader.close()

    ec.test_failover(ReplicationGroupId="isog", NodeGroupId="0001")
    group = wait_group(ec, "isog", "available")
    assert next(m["CacheClusterId"] for m in group["NodeGroups"][0]["NodeGroupMembers"]
                if m["CurrentRole"] == "primary") == "isog-002"
    writer = Resp(primary_port)
    assert writer.call("GET", "replicated") == "yes"
    writer.call("SET", "after-failover", "1")
    assert int(writer.call("WAIT", 1, 5000)) == 1  # the old primary follows, signed in
    writer.close()
    ec.delete_replication_group(ReplicationGroupId="isog")
    wait_group(ec, "isog", "gone")


def test_a_node_from_an_earlier_kura_is_given_the_acl(kura_factory):
    server = kura_factory()
    ec = server.client("elasticache")
    cluster = create_cluster(ec, "legacy")
    port = engine_port(node_dir(server.data_dir, "legacy"))
    redis(cluster, "SET", "old", "data")
    server.stop(sigkill=True)  # the node runs on
    # As a node of an earlier Kura: no users but an unrestricted default.
    for command in (("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all"),
                    ("ACL", "DELUSER", "kura-admin", "kura-replication")):
        assert as_admin(server.data_dir, port, *command) in ("OK", "2")
    direct = {"CacheNodes": [{"Endpoint": {"Address": "127.0.0.1", "Port": port}}]}
    assert redis(direct, "CONFIG", "GET", "maxmemory").startswith("maxmemory")
    server.start()
    ec = server.client("elasticache")
    # Kura's next command there (a snapshot) signs in after giving it its users.
    ec.create_snapshot(CacheClusterId="legacy", SnapshotName="legacy-snap")
    wait_snapshot(ec, "legacy-snap")
    assert "NOPERM" in redis(cluster, "CONFIG", "GET", "maxmemory")
    assert redis(cluster, "GET", "old") == "data"
    ec.delete_cache_cluster(CacheClusterId="legacy")
    wait_cluster(ec, "legacy", "gone")


def test_a_group_from_an_earlier_kura_is_given_the_acl_and_replicates(kura_factory):
    server = kura_factory()
    ec = server.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="legacyg", ReplicationGroupDescription="old group",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2)
    group = wait_group(ec, "legacyg", "available")
    primary_port, reader_port = endpoints(group)
    ports = {m["CacheClusterId"]: engine_port(member_dir(server.data_dir, "legacyg", m["CacheClusterId"]))
             for m in group["NodeGroups"][0]["NodeGroupMembers"]}
    server.stop(sigkill=True)  # the nodes run on
    # As nodes of an earlier Kura: no users, an unrestricted default user, and
    # the replica following its primary as that user.
    for member in ("legacyg-002", "legacyg-001"):
        port = ports[member]
        for command in (("CONFIG", "SET", "masteruser", ""), ("CONFIG", "SET", "masterauth", ""),
                        ("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all"),
                        ("ACL", "DELUSER", "kura-admin", "kura-replication")):
            assert as_admin(server.data_dir, port, *command) in ("OK", "2"), (member, command)
    primary = Resp(ports["legacyg-001"])
    primary.call("CLIENT", "KILL", "TYPE", "replica")
    deadline = time.monotonic() + 10
    while int(primary.call("WAIT", 1, 1000)) < 1 and time.monotonic() < deadline:
        pass
    assert "connected_slaves:1" in primary.call("INFO", "replication")
    primary.close()

    server.start()  # its health checks sign in to the primary, which gets the users, then the replica
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        closed = all("NOPERM" in redis({"CacheNodes": [{"Endpoint": {"Address": "127.0.0.1", "Port": p}}]},
                                       "CONFIG", "GET", "maxmemory") for p in ports.values())
        if closed:
            break
        time.sleep(0.3)
    assert closed
    writer = Resp(primary_port)
    writer.call("SET", "after-upgrade", "replicated")
    assert int(writer.call("WAIT", 1, 10000)) == 1  # the replica signed in again
    writer.close()
    reader = Resp(reader_port)
    assert reader.call("GET", "after-upgrade") == "replicated"
    reader.close()
    ec = server.client("elasticache")
    ec.delete_replication_group(ReplicationGroupId="legacyg")
    wait_group(ec, "legacyg", "gone")


def test_links_planted_in_a_node_directory_are_never_followed(kura, tmp_path):
    """The node's directory is the engine's: a link planted as redis.conf,
    as the image a restore writes or as the log is replaced or ignored, never
    followed (Kura would otherwise write, chown or read the host's file)."""
    victim = tmp_path / "victim"
    victim.write_text("host secret, untouched\n")
    os.chmod(victim, 0o600)
    before = os.lstat(victim)
    ec = kura.client("elasticache")
    cluster = create_cluster(ec, "planted")
    Resp(cluster["CacheNodes"][0]["Endpoint"]["Port"]).call("SET", "kept", "v1")
    ec.create_snapshot(CacheClusterId="planted", SnapshotName="planted-snap")
    wait_snapshot(ec, "planted-snap")
    node = node_dir(kura.data_dir, "planted")
    os.remove(os.path.join(node, "redis.conf"))
    os.symlink(victim, os.path.join(node, "redis.conf"))
    ec.reboot_cache_cluster(CacheClusterId="planted", CacheNodeIdsToReboot=["0001"])
    time.sleep(1)
    cluster = wait_cluster(ec, "planted", "available")
    assert Resp(cluster["CacheNodes"][0]["Endpoint"]["Port"]).call("GET", "kept") == "v1"
    assert stat.S_ISREG(os.lstat(os.path.join(node, "redis.conf")).st_mode)

    # A restore writes its image where the new node's engine could have planted a link.
    ec.create_cache_cluster(CacheClusterId="planted-back", SnapshotName="planted-snap")
    back = wait_cluster(ec, "planted-back", "available")
    assert Resp(back["CacheNodes"][0]["Endpoint"]["Port"]).call("GET", "kept") == "v1"
    after = os.lstat(victim)
    assert (after.st_mode, after.st_uid, after.st_size, after.st_mtime_ns) == \
        (before.st_mode, before.st_uid, before.st_size, before.st_mtime_ns)
    assert victim.read_text() == "host secret, untouched\n"
    for name in ("planted", "planted-back"):
        ec.delete_cache_cluster(CacheClusterId=name)
    for name in ("planted", "planted-back"):
        wait_cluster(ec, name, "gone")
