"""Kura out of file descriptors, or past its connection limit. The accept
loop backs off and logs once per interval (it used to retry at once: 2.6
million "Too many open files" lines in 5 s), a connection past the limit is
answered 503 in its service's protocol, health checks keep answering, API
calls work again once the connections close, and the ElastiCache supervisor
takes Kura's own shortage for no engine's death."""
import glob
import json
import os
import socket
import subprocess
import time
import urllib.request

import botocore.exceptions
import pytest

import conftest
import raw_http

MAX_LOG_GROWTH = 50  # lines over the whole flood: the acceptor spun into millions


def open_connections(port, count):
    """Connections that send nothing and stay open (the kernel completes
    them whether or not Kura accepts them)."""
    held = []
    for _ in range(count):
        held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    return held


def close_all(held):
    for connection in held:
        connection.close()


def health(server, timeout=1):
    try:
        with urllib.request.urlopen(server.endpoint + "/_kura/health", timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_health(server, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if health(server) == 200:
            return True
        time.sleep(0.2)
    return False


def log_lines(server):
    return server.read_log().count("\n")


def test_a_connection_past_the_limit_is_answered_503_in_its_services_protocol(kura_factory):
    server = kura_factory(["--max-connections", "20"])
    held = open_connections(server.port, 20)
    try:
        # The limit is reached once Kura has accepted all 20 (on a loaded
        # machine, not at once): until then a call is served.
        deadline = time.monotonic() + 10
        while True:
            status, headers, body = raw_http.send_signed(server.endpoint, "dynamodb",
                                                         headers=raw_http.ddb_headers("ListTables"), body=b"{}")
            if status == 503 or time.monotonic() > deadline:
                break
            assert status == 200, body
            time.sleep(0.1)
        assert status == 503, body
        assert json.loads(body)["__type"].endswith("ServiceUnavailable")
        assert headers.get("x-amzn-RequestId")
        status, _, body = raw_http.send_signed(server.endpoint, "rds", headers=raw_http.FORM_HEADERS,
                                               body=b"Action=DescribeDBInstances&Version=2014-10-31")
        assert status == 503, body
        assert b"<Code>ServiceUnavailable</Code>" in body and b"<Type>Receiver</Type>" in body
        # What an SDK makes of it (with retries off): AWS's own error.
        with pytest.raises(botocore.exceptions.ClientError) as failure:
            server.client("dynamodb").list_tables()
        assert failure.value.response["Error"]["Code"] == "ServiceUnavailable"
        assert failure.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        # Health is still answered past the limit.
        assert health(server) == 200
    finally:
        close_all(held)
    time.sleep(0.3)
    assert server.client("dynamodb").list_tables()["TableNames"] == []
    assert "connection limit reached" in server.read_log()


def test_more_connections_than_descriptors_keep_the_log_short_and_health_answering(kura_factory, tmp_path,
                                                                                    monkeypatch):
    # Kura started with 256 descriptors (soft and hard): its connection
    # limit is derived from them, leaving room for its stores.
    wrapper = tmp_path / "kura-256-descriptors"
    wrapper.write_text(f'#!/bin/sh\nexec prlimit --nofile=256:256 -- {conftest.KURA_BIN} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(conftest, "KURA_BIN", str(wrapper))
    server = kura_factory()
    log = server.read_log()
    assert "soft_limit=256 max_connections=112 reserve=16" in log, log[-2000:]
    before = log_lines(server)
    held = open_connections(server.port, 600)
    try:
        # Past the limit and its reserve newcomers are closed at once and
        # the reserve's idle connections time out in 2 s: health gets in.
        assert wait_health(server, 10), "no health answer while 600 connections were open"
        time.sleep(3)
        grown = log_lines(server) - before
        assert grown < MAX_LOG_GROWTH, server.read_log()[-3000:]
        # The limit kept Kura within its descriptors.
        assert "Too many open files" not in server.read_log()
    finally:
        close_all(held)
    assert wait_health(server, 5)
    sts = server.client("sts")
    assert sts.get_caller_identity()["Account"] == "000000000000"
    assert server.client("dynamodb").list_tables()["TableNames"] == []


def test_out_of_descriptors_the_acceptor_backs_off_and_the_supervisor_restarts_nothing(kura_factory):
    # No connection limit to speak of: only the descriptor limit, lowered
    # under the running server, stops the acceptor (EMFILE on accept).
    server = kura_factory(["--max-connections", "100000"])
    redis_cluster = None
    if os.path.exists("/usr/bin/redis-server"):
        ec = server.client("elasticache")
        ec.create_cache_cluster(CacheClusterId="fd-starved", Engine="redis", CacheNodeType="cache.t3.micro",
                                NumCacheNodes=1)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            redis_cluster = ec.describe_cache_clusters(CacheClusterId="fd-starved")["CacheClusters"][0]
            if redis_cluster["CacheClusterStatus"] == "available":
                break
            time.sleep(0.2)
        assert redis_cluster["CacheClusterStatus"] == "available"
        pid_files = glob.glob(os.path.join(server.data_dir, "elasticache", "clusters", "fd-starved-*", "*",
                                           "redis.pid"))
        assert len(pid_files) == 1, pid_files
        with open(pid_files[0]) as f:
            redis_pid = f.read().strip()
    # The soft limit only: raising it back needs no privilege.
    subprocess.run(["prlimit", "--pid", str(server.proc.pid), "--nofile=200:"], check=True)
    before = log_lines(server)
    held = open_connections(server.port, 400)
    try:
        time.sleep(6)  # several supervisor passes, 60 accept retries
        assert health(server) is None  # nothing left to accept it with
        log = server.read_log()
        grown = log.count("\n") - before
        assert grown < MAX_LOG_GROWTH, log[-3000:]
        flood = [line for line in log.splitlines()[before:] if "accept failed" in line]
        assert 1 <= len(flood) <= 2, flood
        assert "Too many open files" in flood[0]
    finally:
        close_all(held)
    assert wait_health(server, 5)
    subprocess.run(["prlimit", "--pid", str(server.proc.pid), "--nofile=4096:"], check=True)
    assert server.client("sts").get_caller_identity()["Account"] == "000000000000"
    if redis_cluster is not None:
        # The node never died: no restart, no failed restart, and the log
        # says why nothing was done.
        events = ec.describe_events(SourceType="cache-cluster", SourceIdentifier="fd-starved")["Events"]
        assert not [e for e in events if "restart" in e["Message"]], events
        assert "lack of file descriptors in Kura: state unknown" in server.read_log()
        with open(pid_files[0]) as f:
            assert f.read().strip() == redis_pid
        assert os.path.exists(f"/proc/{redis_pid}")
        ec.delete_cache_cluster(CacheClusterId="fd-starved")
