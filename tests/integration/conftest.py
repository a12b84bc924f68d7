"""Fixtures that start a real `kura serve` on a free loopback port with a
temporary data directory, and hand tests boto3 clients and the AWS CLI
pointed at it."""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import pytest

REGION = "ap-northeast-1"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KURA_BIN = os.environ.get("KURA_BIN", os.path.join(ROOT, "build", "src", "main", "kura"))
# Debian's AWS CLI (what the README installs), even where another comes first
# on PATH: the tests are written against its output. Newer CLIs are driven by
# the client compatibility suite (test_client_compat_*.py).
AWS_CLI = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else "aws"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "serial: runs alone, after the tests that run in parallel (scripts/test.sh): a failover or "
                   "crash drill whose waits or timings another worker's load could upset")


def engine_ports(serial):
    """The block of engine ports of this process's `serial`th server, within
    20000-31999 (below the ephemeral range). Under pytest-xdist each worker
    has a share of the range of its own: two workers' servers, running at
    once, never take the same port (Kura checks that a port is free when it
    allocates it, but an engine binds it only later, and a stopped engine's
    port looks free)."""
    block = 80  # (a Single-AZ instance takes two: its endpoint and its engine's own)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    share = 12000 // workers
    first = 20000 + worker * share + (os.getpid() * 37 + serial * block) % (share - block)
    return first, first + block - 1


class KuraServer:
    """One `kura serve` process; restart() keeps its data directory. With
    --tls or --tls-cert-file among its arguments it serves HTTPS, and its
    clients verify it with `ca_bundle` (for --tls, by default, the bundle
    of the server's own CA)."""

    _servers = 0

    def __init__(self, data_dir, extra_args=(), env=None, ca_bundle=None):
        self.data_dir = data_dir
        self.tls = "--tls" in extra_args or "--tls-cert-file" in extra_args
        self.ca_bundle = ca_bundle or (os.path.join(data_dir, "keys", "rds-ca.pem") if self.tls else None)
        # Each server gets its own block of engine ports, so that servers of
        # this run (or of another run on the host) never race for one.
        KuraServer._servers += 1
        first, last = engine_ports(KuraServer._servers)
        self.extra_args = ["--engine-port-first", str(first), "--engine-port-last", str(last)] + list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.port = None
        self.proc = None
        self.prefix = []  # a command Kura runs under (unshare ...), which execs it
        self.log_path = os.path.join(data_dir, "..", os.path.basename(data_dir) + ".log")

    @property
    def endpoint(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def ssl_context(self):
        """What a client that trusts `ca_bundle` verifies the server with
        (None for plain HTTP)."""
        return ssl.create_default_context(cafile=self.ca_bundle) if self.tls else None

    def start(self, timeout=30):
        self.port = self.port or free_port()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.prefix + [KURA_BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir",
                           self.data_dir] + self.extra_args,
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kura exited with {self.proc.returncode}: {self.read_log()[-2000:]}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_kura/health", timeout=1,
                                            context=self.ssl_context()) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("kura did not become healthy: " + self.read_log()[-2000:])

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sigkill=False, timeout=30):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if sigkill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        self.log.close()
        return code

    def restart(self, sigkill=True):
        self.stop(sigkill=sigkill)
        return self.start()

    def client(self, service, **kwargs):
        config = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                        connect_timeout=5, read_timeout=60)
        if self.tls:
            kwargs.setdefault("verify", self.ca_bundle)
        return boto3.client(service, endpoint_url=self.endpoint, region_name=kwargs.pop("region", REGION),
                            aws_access_key_id=kwargs.pop("key", "test"),
                            aws_secret_access_key=kwargs.pop("secret", "test"), config=config, **kwargs)

    def aws(self, *args, check=True, env=None):
        """Runs the AWS CLI against this server; returns parsed JSON output (or None)."""
        full_env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                        AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
        full_env.pop("AWS_PROFILE", None)
        full_env.update(env or {})
        tls = ["--ca-bundle", self.ca_bundle] if self.tls else []
        result = subprocess.run([AWS_CLI, "--endpoint-url", self.endpoint, *tls, "--output", "json", *args],
                                capture_output=True, text=True, env=full_env, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        if result.returncode != 0:
            return result
        return json.loads(result.stdout) if result.stdout.strip() else None


def stop_all(servers, timeout=30):
    """Stops servers the way KuraServer.stop() does, all at once: each Kura
    takes seconds to stop its engines, and they need not wait in turn."""
    running = [s for s in servers if s.proc is not None and s.proc.poll() is None]
    for server in running:
        server.proc.send_signal(signal.SIGTERM)  # Kura stops its engines
    deadline = time.monotonic() + timeout
    for server in running:
        try:
            server.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    for server in servers:
        server.stop()  # closes what is left of each


@pytest.fixture(scope="session")
def kura_factory():
    """Starts extra servers with their own data directories and arguments."""
    root = tempfile.mkdtemp(prefix="kura-test-")
    # Engines run as an unprivileged user when the tests run as root: they
    # must be able to pass through these directories.
    os.chmod(root, 0o711)
    servers = []

    def make(extra_args=(), env=None, start=True, subdir=None, ca_bundle=None):
        data_dir = tempfile.mkdtemp(dir=root)
        os.chmod(data_dir, 0o711)
        for part in (subdir or "").split("/"):  # a deeper data directory
            if part:
                data_dir = os.path.join(data_dir, part)
                os.mkdir(data_dir, 0o711)
        server = KuraServer(data_dir, extra_args, env, ca_bundle)
        servers.append(server)
        return server.start() if start else server

    make.servers = servers
    yield make
    stop_all(servers)
    # Engines of servers a test killed and never restarted.
    subprocess.run(["pkill", "-f", root], check=False)
    if os.environ.get("KURA_KEEP_TEST_DATA"):  # for a post-mortem: the servers' logs and data
        print(f"test data kept in {root}")
        return
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def kura(kura_factory):
    """The shared server most tests use."""
    server = kura_factory(["--enable-test-controllers"])
    server.shared = True
    return server


@pytest.fixture(scope="module", autouse=True)
def stop_module_servers(kura_factory):
    """Stops the servers a module's tests and fixtures started once the
    module is done (all but the shared one): the engines of every earlier
    module no longer run, and load the machine, until the session ends."""
    first = len(kura_factory.servers)
    yield
    done = [s for s in kura_factory.servers[first:] if not getattr(s, "shared", False)]
    stop_all(done)
    for server in done:  # engines of a server a test killed and never restarted
        subprocess.run(["pkill", "-f", server.data_dir], check=False)
