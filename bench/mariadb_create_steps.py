#!/usr/bin/env python3
"""Where a MariaDB instance's create time goes: the steps of making its
files run by hand with Kura's tools and flags, as the engine user, outside
Kura.
    /usr/bin/python3 bench/mariadb_create_steps.py [ROUNDS=5]
Per round: mariadb-install-db; the first start of mariadbd until it
answers on its socket; the named time zones loaded through the client
(mariadb-tzinfo-to-sql piped to it, as each create once did); then, the
server stopped, the same time zones read by mariadbd --bootstrap (as Kura
now loads them once into its template) and a plain copy of the data
directory (what each create does now instead of the install and the
time zones). Reports median, min and max per step."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from snapshot_peers import free_port, mariadbd, stop_mariadbd

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
as_engine = ["runuser", "-u", "mysql", "--"] if os.geteuid() == 0 else []
user = "mysql" if as_engine else os.environ.get("USER", "root")
steps = {"mariadb-install-db": [], "first start": [], "time zones through the client": [],
         "time zones, bootstrap mode": [], "copy of the data directory": []}
ZONES = "{ echo 'USE mysql;'; /usr/bin/mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null; } | "


def timed(step, *argv, check=True):
    start = time.monotonic()
    subprocess.run([*as_engine, *argv], check=check, capture_output=True, stdin=subprocess.DEVNULL)
    steps[step].append(time.monotonic() - start)


def answers(work):
    return subprocess.run([*as_engine, "/usr/bin/mariadb", "--no-defaults", f"--socket={work}/mariadbd.sock",
                           f"--user={user}", "-e", "SELECT 1"], capture_output=True).returncode == 0


for _ in range(rounds):
    work = tempfile.mkdtemp(prefix="kura-bench-")
    if as_engine:
        shutil.chown(work, "mysql", "mysql")
    try:
        timed("mariadb-install-db", "/usr/bin/mariadb-install-db", "--no-defaults", f"--datadir={work}/data",
              f"--tmpdir={work}", "--auth-root-authentication-method=socket", f"--auth-root-socket-user={user}",
              "--skip-test-db", "--skip-name-resolve")
        start = time.monotonic()
        subprocess.run([*as_engine, *mariadbd(work, free_port())], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not answers(work):
            if time.monotonic() - start > 120:
                raise SystemExit("mariadbd did not start")
            time.sleep(0.02)
        steps["first start"].append(time.monotonic() - start)
        timed("time zones through the client", "/bin/sh", "-c",
              ZONES + f"/usr/bin/mariadb --no-defaults --socket={work}/mariadbd.sock --user={user}")
        stop_mariadbd(work)
        timed("time zones, bootstrap mode", "/bin/sh", "-c", ZONES + "/usr/sbin/mariadbd --no-defaults --bootstrap "
              f"--datadir={work}/data --tmpdir={work} --log-warnings=0 --max-allowed-packet=8M")
        timed("copy of the data directory", "/bin/cp", "-R", "--preserve=mode,timestamps", f"{work}/data",
              f"{work}/copy")
    finally:
        stop_mariadbd(work)
        shutil.rmtree(work, ignore_errors=True)

for step, times in steps.items():
    print(f"{step}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, "
          f"{len(times)} rounds)")
