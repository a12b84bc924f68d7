"""Memcached Auto Discovery: every node, the configuration endpoint among
them, answers `config get cluster` as ElastiCache's nodes do, in order
among a pipelining client's other commands; the version grows and the node
list follows ModifyCacheCluster; a client (pymemcache) that discovers the
nodes uses the one added at run time."""
import socket
import struct
import time

import pytest

pymemcache = pytest.importorskip("pymemcache")
from pymemcache.client.base import Client  # noqa: E402
from pymemcache.client.hash import HashClient  # noqa: E402


def wait_cluster(ec, cluster_id, wanted="available", timeout=60):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        cluster = ec.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)["CacheClusters"][0]
        status = cluster["CacheClusterStatus"]
        if status == wanted:
            return cluster
        time.sleep(0.1)
    raise AssertionError(f"{cluster_id} is still {status}, not {wanted}")


def exchange(port, request, until):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        reply = b""
        while not reply.endswith(until):
            chunk = conn.recv(65536)
            assert chunk, reply
            reply += chunk
        return reply


def discover(port):
    """`config get cluster`, parsed: (version, [(host, ip, port)])."""
    reply = exchange(port, b"config get cluster\r\n", b"END\r\n")
    header, rest = reply.split(b"\r\n", 1)
    words = header.split(b" ")
    assert words[:3] == [b"CONFIG", b"cluster", b"0"], reply
    body = rest[:int(words[3])]
    assert rest[int(words[3]):] == b"\r\nEND\r\n", reply
    version, nodes, tail = body.decode().split("\n")
    assert tail == ""
    return int(version), [tuple(n.split("|")) for n in nodes.split(" ")]


def test_config_get_cluster_follows_the_nodes(kura_factory):
    kura = kura_factory()  # its own: it is restarted
    ec = kura.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="disco", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=2)
    cluster = wait_cluster(ec, "disco")
    endpoint = cluster["ConfigurationEndpoint"]
    ports = {n["CacheNodeId"]: n["Endpoint"]["Port"] for n in cluster["CacheNodes"]}
    version, nodes = discover(endpoint["Port"])
    assert version == 1
    assert nodes == [(endpoint["Address"], endpoint["Address"], str(ports["0001"])),
                     (endpoint["Address"], endpoint["Address"], str(ports["0002"]))]
    assert discover(ports["0002"]) == (version, nodes)  # every node knows

    # Among other commands, pipelined: the answers stay in order, and a
    # value that holds the command's bytes is stored, not answered.
    reply = exchange(endpoint["Port"], b"set k 0 0 5\r\nhello\r\nconfig get cluster\r\nset trap 0 0 20\r\n"
                     b"config get cluster\r\n\r\nmn\r\nget k trap\r\n", b"config get cluster\r\n\r\nEND\r\n")
    assert reply.startswith(b"STORED\r\nCONFIG cluster 0 ")
    after_config = reply.split(b"\r\nEND\r\n", 1)[1]
    assert after_config == (b"STORED\r\nMN\r\nVALUE k 0 5\r\nhello\r\n"
                            b"VALUE trap 0 20\r\nconfig get cluster\r\n\r\nEND\r\n")
    # Other commands reach memcached as ever; the binary protocol too.
    assert exchange(endpoint["Port"], b"version\r\n", b"\r\n").startswith(b"VERSION 1.6")
    request = struct.pack(">BBHBBHIIQ", 0x80, 0x0b, 0, 0, 0, 0, 0, 7, 0)  # VERSION, opaque 7
    with socket.create_connection(("127.0.0.1", endpoint["Port"]), timeout=5) as conn:
        conn.sendall(request)
        answer = b""
        while len(answer) < 24:
            answer += conn.recv(4096)
    magic, opcode, _, _, _, status, length, opaque, _ = struct.unpack(">BBHBBHIIQ", answer[:24])
    assert (magic, opcode, status, opaque) == (0x81, 0x0b, 0, 7)

    # A client that discovers the nodes, then a node added at run time.
    def discovered_client():
        _, found = discover(endpoint["Port"])
        return HashClient([(ip, int(port)) for _, ip, port in found], connect_timeout=3, timeout=3)

    before = discovered_client()
    for i in range(30):
        before.set(f"key-{i}", f"value-{i}")
    ec.modify_cache_cluster(CacheClusterId="disco", NumCacheNodes=3, ApplyImmediately=True)
    cluster = wait_cluster(ec, "disco")
    ports = {n["CacheNodeId"]: n["Endpoint"]["Port"] for n in cluster["CacheNodes"]}
    version, nodes = discover(endpoint["Port"])
    assert version == 2 and [int(p) for _, _, p in nodes] == [ports["0001"], ports["0002"], ports["0003"]]
    after = discovered_client()
    for i in range(60):
        after.set(f"new-{i}", f"value-{i}")
    assert all(after.get(f"new-{i}") == f"value-{i}".encode() for i in range(60))
    on_new_node = Client(("127.0.0.1", ports["0003"]), connect_timeout=3, timeout=3)
    assert int(on_new_node.stats()[b"curr_items"]) > 0  # the added node holds some of the keys

    ec.modify_cache_cluster(CacheClusterId="disco", NumCacheNodes=2, CacheNodeIdsToRemove=["0002"],
                            ApplyImmediately=True)
    wait_cluster(ec, "disco")
    version, nodes = discover(ports["0003"])
    assert version == 3 and [int(p) for _, _, p in nodes] == [ports["0001"], ports["0003"]]

    # The version survives a restart of Kura (clients keep only greater ones).
    kura.restart()
    assert discover(endpoint["Port"])[0] == 3
    kura.client("elasticache").delete_cache_cluster(CacheClusterId="disco")
