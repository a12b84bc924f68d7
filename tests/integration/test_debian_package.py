"""The Debian package CPack builds (cmake/packaging.cmake): built here from
the build tree and inspected with dpkg-deb (its files, control fields,
maintainer scripts and systemd unit); then, where the tests run as root,
installed, started as the kura user (by systemd where it runs, else its
unit's command run as the unit runs it) and answering, and purged."""
import configparser
import os
import pathlib
import shutil
import subprocess
import time
import urllib.request

import pytest

import conftest

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("KURA_BUILD_DIR", REPO / "build"))


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    config = BUILD / "CPackConfig.cmake"
    assert config.exists(), f"no {config}: configure the build first (./scripts/build.sh)"
    out = tmp_path_factory.mktemp("deb")
    result = subprocess.run(["cpack", "-G", "DEB", "--config", str(config), "-B", str(out)], cwd=out,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (deb,) = out.glob("kura_*_amd64.deb")
    return deb


def field(deb, name):
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True,
                          text=True).stdout.strip()


def unit_of(root):
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str
    parser.read(root / "lib/systemd/system/kura.service")
    return parser


def test_package_holds_the_server_its_unit_and_its_scripts(package, tmp_path):
    assert field(package, "Package") == "kura"
    depends = field(package, "Depends")
    for needed in ("adduser", "libc6", "libssl3", "libsqlite3-0", "libjemalloc2", "libsimdjson"):
        assert needed in depends, depends
    recommends = field(package, "Recommends")
    for engine in ("postgresql", "mariadb-server", "mariadb-backup", "redis-server", "memcached"):
        assert engine in recommends, recommends

    listing = subprocess.run(["dpkg-deb", "-c", str(package)], check=True, capture_output=True, text=True).stdout
    paths = {line.split()[-1] for line in listing.splitlines()}
    for path in ("./usr/bin/kura", "./lib/systemd/system/kura.service", "./usr/share/kura/kura.env",
                 "./usr/share/doc/kura/operations.md"):
        assert path in paths, listing
    assert not any("/usr/local" in p or "/etc/" in p for p in paths), listing  # /etc is postinst's
    assert all(" root/root " in line for line in listing.splitlines()), listing

    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(package), str(root)], check=True)
    # The packaged binary runs (stripped, its libraries the Depends above).
    assert subprocess.run([root / "usr/bin/kura", "--help"], capture_output=True, text=True,
                          timeout=30).returncode == 0

    service = unit_of(root)["Service"]
    assert service["ExecStart"] == "/usr/bin/kura serve --data-dir /var/lib/kura"
    assert service["User"] == "kura" and service["Group"] == "kura"
    assert service["EnvironmentFile"] == "-/etc/kura/kura.env"
    # Written on two lines: Kura's data, and the unit's own cgroup (each RDS
    # server's memory cgroup is made below it).
    unit_text = (root / "lib/systemd/system/kura.service").read_text()
    writable = [line.split("=", 1)[1] for line in unit_text.splitlines() if line.startswith("ReadWritePaths=")]
    assert writable == ["/var/lib/kura", "-/sys/fs/cgroup/system.slice/kura.service"], writable
    assert service["Delegate"] == "yes" and service["ProtectControlGroups"] == "yes"
    for key, wanted in {"ProtectSystem": "strict", "NoNewPrivileges": "yes",
                        "PrivateTmp": "yes", "ProtectHome": "yes", "PrivateDevices": "yes",
                        "RestrictSUIDSGID": "yes", "UMask": "0077"}.items():
        assert service[key] == wanted, key
    assert set(service["CapabilityBoundingSet"].split()) == {
        "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL"}
    if shutil.which("systemd-analyze"):
        # Without a running systemd the verification cannot load the
        # targets; it still reports a key or value it does not know.
        checked = subprocess.run(["systemd-analyze", "verify", str(root / "lib/systemd/system/kura.service")],
                                 capture_output=True, text=True)
        for complaint in ("Unknown key", "Unknown section", "Failed to parse", "Invalid"):
            assert complaint not in checked.stderr, checked.stderr

    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(package), str(control)], check=True)
    postinst = (control / "postinst").read_text()
    assert "adduser --system --group" in postinst and "install -d -o kura -g kura -m 0700 /var/lib/kura" in postinst
    for script in ("postinst", "prerm", "postrm"):
        assert os.stat(control / script).st_mode & 0o777 == 0o755
        assert subprocess.run(["sh", "-n", str(control / script)]).returncode == 0
    # Purge never removes the data.
    assert "/var/lib/kura" not in [line.split()[-1] for line in (control / "postrm").read_text().splitlines()
                                   if line.strip().startswith("rm ")]


def systemd_running():
    return os.path.isdir("/run/systemd/system")


@pytest.mark.serial
@pytest.mark.skipif(os.geteuid() != 0, reason="installing a package needs root")
@pytest.mark.skipif(not systemd_running(), reason="no running systemd (PID 1 is not systemd): the service cannot "
                                                  "be started here")
def test_installed_package_runs_kura_as_a_service(package):
    assert subprocess.run(["dpkg", "-s", "kura"], capture_output=True).returncode != 0, \
        "a kura package is installed already: not touched"
    result = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", str(package)],
                            capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert result.returncode == 0, result.stdout + result.stderr
    try:
        assert subprocess.run(["getent", "passwd", "kura"], capture_output=True).returncode == 0
        assert oct(os.stat("/var/lib/kura").st_mode & 0o777) == "0o700"
        assert oct(os.stat("/etc/kura/kura.env").st_mode & 0o777) == "0o600"
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:4566/_kura/health", timeout=2) as response:
                    status = response.status
                    if status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        assert status == 200, subprocess.run(["journalctl", "-u", "kura", "-n", "50"], capture_output=True,
                                             text=True).stdout
        pid = subprocess.run(["systemctl", "show", "-p", "MainPID", "--value", "kura"], capture_output=True,
                             text=True).stdout.strip()
        with open(f"/proc/{pid}/status") as f:
            uid = next(line.split()[1] for line in f if line.startswith("Uid:"))
        assert int(uid) == int(subprocess.run(["id", "-u", "kura"], capture_output=True, text=True).stdout)
        with urllib.request.urlopen("http://127.0.0.1:4566/_kura/metrics", timeout=5) as response:
            assert b"# TYPE kura_api_requests_total counter" in response.read()
    finally:
        subprocess.run(["apt-get", "purge", "-y", "kura"], capture_output=True, timeout=300)
    assert subprocess.run(["systemctl", "is-active", "kura"], capture_output=True, text=True).stdout.strip() != "active"
    assert os.path.isdir("/var/lib/kura")  # the data stays


@pytest.mark.serial
@pytest.mark.skipif(os.geteuid() != 0, reason="installing a package needs root")
@pytest.mark.skipif(systemd_running(), reason="under systemd the test above starts the service itself")
def test_installed_package_runs_its_unit_command_as_the_kura_user_without_systemd(package):
    """Where PID 1 is not systemd (a container, a CI machine): the package is
    installed for real (its user, its directories and their modes), then the
    unit's ExecStart is run as the unit runs it (its User and Group, UMask,
    EnvironmentFile) and answers; purged after, its data kept. systemd's own
    sandboxing (capabilities, ProtectSystem...) is what this cannot test."""
    if subprocess.run(["dpkg", "-s", "kura"], capture_output=True).returncode == 0:
        pytest.skip("a kura package is installed already: not touched")
    if os.path.exists("/var/lib/kura") or os.path.exists("/etc/kura"):
        pytest.skip("/var/lib/kura or /etc/kura exists already: not touched")
    user_existed = subprocess.run(["getent", "passwd", "kura"], capture_output=True).returncode == 0
    result = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", str(package)],
                            capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert result.returncode == 0, result.stdout + result.stderr
    server = None
    try:
        assert subprocess.run(["getent", "passwd", "kura"], capture_output=True).returncode == 0
        assert oct(os.stat("/var/lib/kura").st_mode & 0o777) == "0o700"
        assert oct(os.stat("/etc/kura/kura.env").st_mode & 0o777) == "0o600"
        service = unit_of(pathlib.Path("/"))["Service"]
        command = service["ExecStart"].split()
        assert command[0] == "/usr/bin/kura" and os.access(command[0], os.X_OK), command
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        for line in pathlib.Path(service["EnvironmentFile"].lstrip("-")).read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                env[key.strip()] = value.strip()
        port = conftest.free_port()
        env["KURA_PORT"] = str(port)
        umask = service["UMask"]
        server = subprocess.Popen(["runuser", "-u", service["User"], "-g", service["Group"], "--", "sh", "-c",
                                   f'umask {umask} && exec "$@"', "kura", *command],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_kura/health", timeout=2) as response:
                    status = response.status
                    if status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        assert status == 200, server.stderr.read() if server.poll() is not None else "no answer"
        kura_uid = int(subprocess.run(["id", "-u", "kura"], capture_output=True, text=True).stdout)
        # The server, not runuser: the child of the process started.
        pids = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        served = [pid for pid in pids if os.readlink(f"/proc/{pid}/exe") == "/usr/bin/kura"] or [str(server.pid)]
        with open(f"/proc/{served[0]}/status") as f:
            assert int(next(line.split()[1] for line in f if line.startswith("Uid:"))) == kura_uid
        # What it made under /var/lib/kura is kura's and private.
        made = [path for path in pathlib.Path("/var/lib/kura").rglob("*") if path.is_file()]
        assert made
        for path in made:
            info = os.stat(path)
            assert info.st_uid == kura_uid and info.st_mode & 0o077 == 0, (path, oct(info.st_mode))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_kura/metrics", timeout=5) as response:
            assert b"# TYPE kura_api_requests_total counter" in response.read()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        purged = subprocess.run(["apt-get", "purge", "-y", "kura"], capture_output=True, text=True, timeout=300)
        kept = os.path.isdir("/var/lib/kura")
        shutil.rmtree("/var/lib/kura", ignore_errors=True)
        if not user_existed:
            subprocess.run(["deluser", "--system", "kura"], capture_output=True)
    assert purged.returncode == 0, purged.stdout + purged.stderr
    assert kept, "purging the package removed /var/lib/kura: it must keep the data"
    assert not os.path.exists("/etc/kura/kura.env")
