"""ElastiCache Memcached clusters on real memcached: nodes that store and
serve keys, nodes added and removed, a rebooted node comes back empty, a
dead node is restarted, and snapshots are refused as ElastiCache refuses
them."""
import os
import signal
import socket
import time

import botocore.exceptions
import pytest


def wait_cluster(ec, cluster_id, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            cluster = ec.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)["CacheClusters"][0]
        except ec.exceptions.CacheClusterNotFoundFault:
            if wanted == "gone":
                return None
            raise
        status = cluster["CacheClusterStatus"]
        if status == wanted:
            return cluster
        time.sleep(0.1)
    raise AssertionError(f"{cluster_id} is still {status}, not {wanted}")


def memcached(port, command):
    """One text-protocol exchange; the reply up to END/STORED/... ."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
        conn.sendall(command.encode())
        reply = b""
        while not (reply.endswith((b"END\r\n", b"STORED\r\n", b"DELETED\r\n", b"NOT_FOUND\r\n")) or
                   (reply.startswith(b"VERSION ") and reply.endswith(b"\r\n"))):
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply.decode()


def ports_of(cluster):
    return {node["CacheNodeId"]: node["Endpoint"]["Port"] for node in cluster["CacheNodes"]}


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def test_memcached_cluster_nodes_scale_reboot_and_heal(kura):
    ec = kura.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="sessions-mc", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=3)
    cluster = wait_cluster(ec, "sessions-mc", "available")
    assert cluster["Engine"] == "memcached" and cluster["NumCacheNodes"] == 3
    ports = ports_of(cluster)
    assert sorted(ports) == ["0001", "0002", "0003"] and len(set(ports.values())) == 3
    assert cluster["ConfigurationEndpoint"]["Port"] == ports["0001"]
    for node, port in ports.items():
        assert memcached(port, f"set key-{node} 0 0 5\r\nvalue\r\n") == "STORED\r\n"
        assert f"VALUE key-{node} 0 5\r\nvalue\r\n" in memcached(port, f"get key-{node}\r\n")

    # No snapshots of Memcached, as in ElastiCache.
    assert error_code(ec.create_snapshot, CacheClusterId="sessions-mc", SnapshotName="mc-snap") == \
        "SnapshotFeatureNotSupportedFault"
    assert error_code(ec.delete_cache_cluster, CacheClusterId="sessions-mc", FinalSnapshotIdentifier="mc-final") == \
        "SnapshotFeatureNotSupportedFault"

    # A node more, then two fewer.
    ec.modify_cache_cluster(CacheClusterId="sessions-mc", NumCacheNodes=4, ApplyImmediately=True)
    cluster = wait_cluster(ec, "sessions-mc", "available")
    ports = ports_of(cluster)
    assert sorted(ports) == ["0001", "0002", "0003", "0004"]
    assert memcached(ports["0004"], "set fresh 0 0 1\r\nx\r\n") == "STORED\r\n"
    assert error_code(ec.modify_cache_cluster, CacheClusterId="sessions-mc", NumCacheNodes=2,
                      CacheNodeIdsToRemove=["0001"]) == "InvalidParameterCombination"
    removed = ports["0003"]
    ec.modify_cache_cluster(CacheClusterId="sessions-mc", NumCacheNodes=3, CacheNodeIdsToRemove=["0003"],
                            ApplyImmediately=True)
    cluster = wait_cluster(ec, "sessions-mc", "available")
    assert sorted(ports_of(cluster)) == ["0001", "0002", "0004"]
    with pytest.raises(ConnectionRefusedError):
        memcached(removed, "version\r\n")

    # A rebooted node comes back empty; the others keep their keys.
    ec.reboot_cache_cluster(CacheClusterId="sessions-mc", CacheNodeIdsToReboot=["0002"])
    cluster = wait_cluster(ec, "sessions-mc", "available")
    ports = ports_of(cluster)
    assert memcached(ports["0002"], "get key-0002\r\n") == "END\r\n"
    assert "VALUE key-0001" in memcached(ports["0001"], "get key-0001\r\n")

    # A node that dies is started again by the supervisor.
    pid_path = next(os.path.join(root, name) for root, _, names in os.walk(os.path.join(kura.data_dir, "elasticache"))
                    for name in names if name == "memcached.pid" and root.endswith("node-0001"))
    with open(pid_path) as f:
        os.kill(int(f.read().strip()), signal.SIGKILL)
    deadline = time.monotonic() + 15
    answered = ""
    while time.monotonic() < deadline and not answered.startswith("VERSION"):
        try:
            answered = memcached(ports["0001"], "version\r\n")
        except OSError:
            time.sleep(0.2)
    assert answered.startswith("VERSION")
    # The event is recorded once the node answers (and its start is noted in
    # the catalog): on a loaded machine that took longer than 10 s once.
    deadline = time.monotonic() + 30
    events = []
    while time.monotonic() < deadline and "Cache node 0001 restarted" not in events:
        events = [e["Message"] for e in ec.describe_events(SourceType="cache-cluster",
                                                           SourceIdentifier="sessions-mc")["Events"]]
        time.sleep(0.1)
    assert "Cache node 0001 restarted" in events

    ec.delete_cache_cluster(CacheClusterId="sessions-mc")
    wait_cluster(ec, "sessions-mc", "gone")
    with pytest.raises(ConnectionRefusedError):
        memcached(ports["0001"], "version\r\n")
    versions = ec.describe_cache_engine_versions(Engine="memcached")["CacheEngineVersions"]
    assert len(versions) == 1 and versions[0]["CacheParameterGroupFamily"].startswith("memcached")


def test_memcached_in_transit_encryption_serves_tls_only(kura, tmp_path):
    """TransitEncryptionEnabled: memcached's own TLS with a certificate of
    Kura's CA, verified with the bundle clients download; plaintext gets
    nothing; AuthToken is Redis's alone."""
    import ssl
    import urllib.request
    ec = kura.client("elasticache")
    assert error_code(ec.create_cache_cluster, CacheClusterId="mc-token", Engine="memcached",
                      CacheNodeType="cache.t3.micro", NumCacheNodes=1, TransitEncryptionEnabled=True,
                      AuthToken="a-long-enough-token-1") == "InvalidParameterCombination"
    ec.create_cache_cluster(CacheClusterId="mc-tls", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=2, TransitEncryptionEnabled=True)
    cluster = wait_cluster(ec, "mc-tls", "available")
    assert cluster["TransitEncryptionEnabled"] is True
    bundle = tmp_path / "kura-ca-bundle.pem"
    with urllib.request.urlopen(kura.endpoint + "/_kura/rds/ca-bundle.pem", timeout=10) as response:
        bundle.write_bytes(response.read())
    context = ssl.create_default_context(cafile=str(bundle))
    for node, port in ports_of(cluster).items():
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
                conn.sendall(b"set greeting 0 0 5\r\nhello\r\nget greeting\r\n")
                reply = b""
                while not reply.endswith(b"END\r\n"):
                    chunk = conn.recv(4096)
                    assert chunk, reply
                    reply += chunk
                assert reply == b"STORED\r\nVALUE greeting 0 5\r\nhello\r\nEND\r\n", node
        # Plaintext: the node answers no command.
        assert "VERSION" not in memcached(port, "version\r\n")
        # A bundle that is not Kura's does not verify the node.
        with pytest.raises(ssl.SSLError):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1")
    ec.delete_cache_cluster(CacheClusterId="mc-tls")
    wait_cluster(ec, "mc-tls", "gone")


def test_nodes_refused_for_want_of_ports_give_back_those_they_took(kura_factory):
    kura = kura_factory(start=False)
    # Room for three nodes (two ports each): the cluster's first and two
    # more; a third more is refused after the two took theirs.
    first = int(kura.extra_args[1])
    kura.extra_args[3] = str(first + 5)
    kura.start()
    ec = kura.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="narrow-mc", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1)
    wait_cluster(ec, "narrow-mc", "available")
    assert error_code(ec.modify_cache_cluster, CacheClusterId="narrow-mc", NumCacheNodes=4,
                      ApplyImmediately=True) == "InsufficientCacheClusterCapacity"
    cluster = ec.describe_cache_clusters(CacheClusterId="narrow-mc", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert cluster["CacheClusterStatus"] == "available" and cluster["NumCacheNodes"] == 1
    # The two nodes' ports were given back: two more nodes fit.
    ec.modify_cache_cluster(CacheClusterId="narrow-mc", NumCacheNodes=3, ApplyImmediately=True)
    cluster = wait_cluster(ec, "narrow-mc", "available")
    ports = ports_of(cluster)
    assert sorted(ports) == ["0001", "0002", "0003"]
    assert memcached(ports["0003"], "set k 0 0 1\r\nv\r\n") == "STORED\r\n"
    assert memcached(ports["0003"], "get k\r\n") == "VALUE k 0 1\r\nv\r\nEND\r\n"
    kura.stop()


def zones_of(cluster):
    return {node["CacheNodeId"]: node["CustomerAvailabilityZone"] for node in cluster["CacheNodes"]}


def test_memcached_nodes_are_placed_in_zones_as_elasticache_places_them(kura):
    """single-az (the default) keeps every node in the cluster's zone;
    cross-az spreads them, PreferredAvailabilityZones and
    NewAvailabilityZones name each new node's; "Multiple" when they span
    zones (kura check's elasticache-multi-az fix then passes)."""
    ec = kura.client("elasticache")
    zones = sorted({subnet["SubnetAvailabilityZone"]["Name"] for subnet in ec.describe_cache_subnet_groups(
        CacheSubnetGroupName="default")["CacheSubnetGroups"][0]["Subnets"]})
    assert len(zones) >= 2, zones

    ec.create_cache_cluster(CacheClusterId="one-zone", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=2, PreferredAvailabilityZone=zones[1])
    cluster = wait_cluster(ec, "one-zone", "available")
    assert cluster["PreferredAvailabilityZone"] == zones[1]
    assert zones_of(cluster) == {"0001": zones[1], "0002": zones[1]}
    # kura check's fix for a cluster in one zone: a node more, across zones.
    ec.modify_cache_cluster(CacheClusterId="one-zone", NumCacheNodes=3, AZMode="cross-az", ApplyImmediately=True)
    cluster = wait_cluster(ec, "one-zone", "available")
    placed = zones_of(cluster)
    assert placed["0001"] == placed["0002"] == zones[1] and placed["0003"] != zones[1]
    assert cluster["PreferredAvailabilityZone"] == "Multiple"
    # Named for the nodes added; a count that does not match, or a zone not
    # in the subnet group, is refused and changes nothing.
    assert error_code(ec.modify_cache_cluster, CacheClusterId="one-zone", NumCacheNodes=5,
                      NewAvailabilityZones=[zones[0]], ApplyImmediately=True) == "InvalidParameterValue"
    assert error_code(ec.modify_cache_cluster, CacheClusterId="one-zone", NumCacheNodes=4,
                      NewAvailabilityZones=["mars-1a"], ApplyImmediately=True) == "InvalidVPCNetworkStateFault"
    assert error_code(ec.modify_cache_cluster, CacheClusterId="one-zone", AZMode="single-az",
                      ApplyImmediately=True) == "InvalidParameterCombination"
    ec.modify_cache_cluster(CacheClusterId="one-zone", NumCacheNodes=4, NewAvailabilityZones=[zones[0]],
                            ApplyImmediately=True)
    cluster = wait_cluster(ec, "one-zone", "available")
    assert zones_of(cluster)["0004"] == zones[0] and len(cluster["CacheNodes"]) == 4

    ec.create_cache_cluster(CacheClusterId="spread", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=2, AZMode="cross-az")
    cluster = wait_cluster(ec, "spread", "available")
    assert len(set(zones_of(cluster).values())) == 2 and cluster["PreferredAvailabilityZone"] == "Multiple"

    named = [zones[-1], zones[0], zones[-1]]
    ec.create_cache_cluster(CacheClusterId="named", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=3, PreferredAvailabilityZones=named)
    cluster = wait_cluster(ec, "named", "available")
    assert [zones_of(cluster)[n] for n in ("0001", "0002", "0003")] == named

    for refused in ({"NumCacheNodes": 1, "AZMode": "cross-az"},
                    {"NumCacheNodes": 2, "PreferredAvailabilityZones": [zones[0]]},
                    {"NumCacheNodes": 2, "AZMode": "single-az", "PreferredAvailabilityZones": zones[:2]}):
        assert error_code(ec.create_cache_cluster, CacheClusterId="refused", Engine="memcached",
                          CacheNodeType="cache.t3.micro", **refused) in (
                              "InvalidParameterValue", "InvalidParameterCombination"), refused
        assert error_code(ec.describe_cache_clusters, CacheClusterId="refused") == "CacheClusterNotFound"
    for name in ("one-zone", "spread", "named"):
        ec.delete_cache_cluster(CacheClusterId=name)
