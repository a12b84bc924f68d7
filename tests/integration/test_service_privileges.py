"""Kura as packaging/kura.service runs it: an unprivileged user with only
the unit's ambient capabilities. Engines still run as their own users, and
with no capability at all. (systemd itself is not needed: setpriv sets up
the same user and capabilities.)"""
import os
import re
import shutil
import time

import pytest

import conftest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start Kura as another user with capabilities"),
    pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv (util-linux)"),
    pytest.mark.skipif(not os.path.exists("/usr/bin/redis-server"), reason="needs redis-server"),
]


def unit_capabilities():
    with open(os.path.join(ROOT, "packaging", "kura.service")) as f:
        text = f.read()
    ambient = re.search(r"^AmbientCapabilities=(.*)$", text, re.M).group(1).split()
    bounding = re.search(r"^CapabilityBoundingSet=(.*)$", text, re.M).group(1).split()
    assert ambient == bounding
    return ",".join("+" + cap.lower().removeprefix("cap_") for cap in ambient)


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def start_as_nobody(kura_factory, tmp_path, monkeypatch, caps):
    wrapper = tmp_path / "kura-as-nobody"
    setpriv = "setpriv --reuid=nobody --regid=nogroup --clear-groups"
    if caps:
        setpriv += f" --inh-caps={caps} --ambient-caps={caps} --bounding-set=-all,{caps}"
    wrapper.write_text(f'#!/bin/sh\nexec {setpriv} -- {conftest.KURA_BIN} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(conftest, "KURA_BIN", str(wrapper))
    server = kura_factory(start=False)
    os.chown(server.data_dir, 65534, 65534)  # nobody's, as the install script makes /var/lib/kura kura's
    return server.start()


def redis_node(server, name):
    ec = server.client("elasticache")
    ec.create_cache_cluster(CacheClusterId=name, Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        status = ec.describe_cache_clusters(CacheClusterId=name)["CacheClusters"][0]["CacheClusterStatus"]
        if status == "available":
            break
        time.sleep(0.2)
    assert status == "available", server.read_log()[-2000:]
    pid_file, = [os.path.join(root, "redis.pid") for root, _, files in os.walk(server.data_dir)
                 if "redis.pid" in files]
    with open(pid_file) as f:
        return ec, int(f.read().strip())


def test_with_the_units_capabilities_engines_run_as_their_own_users_without_capabilities(kura_factory, tmp_path,
                                                                                         monkeypatch):
    caps = unit_capabilities()
    server = start_as_nobody(kura_factory, tmp_path, monkeypatch, caps)
    kura = proc_status(server.proc.pid)
    assert kura["Uid"].split()[0] == "65534"
    assert int(kura["CapAmb"], 16) != 0 and int(kura["CapEff"], 16) == int(kura["CapAmb"], 16)
    ec, pid = redis_node(server, "as-redis")
    engine = proc_status(pid)
    assert engine["Uid"].split()[0] == str(__import__("pwd").getpwnam("redis").pw_uid)
    for field in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        assert int(engine[field], 16) == 0, (field, engine[field])
    # Kura's files are nobody's (Kura's user) and private; the node's are redis's.
    info = os.stat(os.path.join(server.data_dir, "catalog.db"))
    assert info.st_uid == 65534 and info.st_mode & 0o077 == 0
    ec.delete_cache_cluster(CacheClusterId="as-redis")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.2)
    assert not os.path.exists(f"/proc/{pid}"), "the deleted node's Redis still runs (CAP_KILL?)"


def test_without_capabilities_engines_run_as_kuras_user(kura_factory, tmp_path, monkeypatch):
    server = start_as_nobody(kura_factory, tmp_path, monkeypatch, None)
    ec, pid = redis_node(server, "as-kura")
    assert proc_status(pid)["Uid"].split()[0] == "65534"
    ec.delete_cache_cluster(CacheClusterId="as-kura")
