#!/usr/bin/env python3
"""Snapshot and restore of one instance: Kura against plain pg_basebackup on
the same machine, and how far LatestRestorableTime lags under steady writes.
    /usr/bin/python3 bench/rds_snapshot_restore.py DATA_DIR [ENDPOINT=http://127.0.0.1:4566] [SCALE=50] [ROUNDS=3]
DATA_DIR is the running Kura's --data-dir (to reach the engine's socket as
Kura does). The database is made by `pgbench -i -s SCALE`. Per round:
  - Kura: create-db-snapshot until available; restore-db-instance-from-db-
    snapshot until the restored endpoint serves the data (checksums
    verified, engine started, through the API and the controller), and
    until available (after the new instance's first automated backup, as
    RDS takes one);
  - peer: pg_basebackup with the flags Kura uses (-Ft -z -X fetch -c fast)
    over the same socket; restore = untar, then pg_ctl start until it
    accepts connections.
Then pgbench writes for 60 s through the endpoint while LatestRestorableTime
is read every second (RDS documents about five minutes of lag).
Reports medians and spreads, and the ratios Kura/peer (goal: 1.3 or less;
restore lag under 5 s). Needs pgbench (postgresql-contrib)."""
import datetime
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import boto3

data_dir = os.path.abspath(sys.argv[1])
endpoint = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:4566"
scale = int(sys.argv[3]) if len(sys.argv) > 3 else 50
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
PASSWORD = "S3cret-pass"
rds = boto3.client("rds", endpoint_url=endpoint, region_name="ap-northeast-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
stamp = int(time.time())
name = f"snapbench-{stamp}"
as_engine = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
if not os.path.exists(os.path.join(bindir, "pg_ctl")):
    bindir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    bindir = f"/usr/lib/postgresql/{bindir}/bin"


def describe(identifier):
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def wait(check, what, limit=1800):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise SystemExit(f"{what}: not done after {limit} s")


def available(identifier):
    return describe(identifier)["DBInstanceStatus"] == "available"


def spread(values):
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def owned_tmp():
    path = tempfile.mkdtemp(prefix="kura-bench-")
    if as_engine:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(path, 0o700)
    return path


rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                       MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                       BackupRetentionPeriod=1)
wait(lambda: available(name), "create")
instance = describe(name)
host, port = instance["Endpoint"]["Address"], instance["Endpoint"]["Port"]
socket = os.path.join(data_dir, "rds", "instances", instance["DbiResourceId"], "run")
env = dict(os.environ, PGPASSWORD=PASSWORD)
print(f"pgbench -i -s {scale} ...", flush=True)
subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), "-h", host, "-p", str(port), "-U", "admin", "postgres"],
               env=env, check=True, capture_output=True)
size = subprocess.run(["psql", "-X", "-A", "-t", f"host={host} port={port} user=admin dbname=postgres", "-c",
                       "SELECT pg_size_pretty(pg_database_size('postgres'))"], env=env, capture_output=True,
                      text=True).stdout.strip()
print(f"database: {size}", flush=True)

kura_snapshot, kura_restore, kura_serving, peer_backup, peer_restore = [], [], [], [], []
for round_number in range(rounds):
    snapshot = f"{name}-snap-{round_number}"
    start = time.monotonic()
    rds.create_db_snapshot(DBInstanceIdentifier=name, DBSnapshotIdentifier=snapshot)
    wait(lambda: rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot)["DBSnapshots"][0]["Status"] == "available",
         "snapshot")
    kura_snapshot.append(time.monotonic() - start)
    wait(lambda: available(name), "back to available")

    work = owned_tmp()
    start = time.monotonic()
    subprocess.run([*as_engine, os.path.join(bindir, "pg_basebackup"), "-h", socket, "-p", str(port), "-U", "admin",
                    "-D", os.path.join(work, "base"), "-Ft", "-z", "-X", "fetch", "-c", "fast", "--no-password"],
                   check=True, capture_output=True)
    peer_backup.append(time.monotonic() - start)

    restored = f"{name}-restored-{round_number}"
    start = time.monotonic()
    out = rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier=restored, DBSnapshotIdentifier=snapshot)
    wait(lambda: "Endpoint" in describe(restored), "restore endpoint")
    endpoint_port = describe(restored)["Endpoint"]["Port"]
    wait(lambda: subprocess.run(["psql", "-X", "-A", "-t", f"host={host} port={endpoint_port} user=admin "
                                 "dbname=postgres connect_timeout=2", "-c", "SELECT count(*) FROM pgbench_branches"],
                                env=env, capture_output=True).returncode == 0, "restored data")
    kura_serving.append(time.monotonic() - start)
    wait(lambda: available(restored), "restore")
    kura_restore.append(time.monotonic() - start)

    pgdata = os.path.join(work, "pgdata")
    run_dir = os.path.join(work, "run")
    start = time.monotonic()
    subprocess.run([*as_engine, "sh", "-c", f"mkdir -m 700 {pgdata} {run_dir} && "
                    f"tar -xzf {work}/base/base.tar.gz -C {pgdata}"], check=True)
    peer_port = str(port + 1000)
    subprocess.run([*as_engine, os.path.join(bindir, "pg_ctl"), "-D", pgdata, "-w", "-t", "600", "-s", "-l",
                    os.path.join(work, "log"), "-o",
                    f"-c port={peer_port} -c listen_addresses='' -c unix_socket_directories={run_dir} "
                    "-c archive_mode=off -c logging_collector=off -c cluster_name=''", "start"], check=True)
    peer_restore.append(time.monotonic() - start)
    subprocess.run([*as_engine, os.path.join(bindir, "pg_ctl"), "-D", pgdata, "-w", "-s", "-m", "immediate", "stop"],
                   check=False)
    shutil.rmtree(work, ignore_errors=True)
    rds.delete_db_instance(DBInstanceIdentifier=restored, SkipFinalSnapshot=True)
    rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot)
    print(f"round {round_number + 1}: kura snapshot {kura_snapshot[-1]:.2f} s, pg_basebackup {peer_backup[-1]:.2f} s, "
          f"kura restore serving {kura_serving[-1]:.2f} s / available {kura_restore[-1]:.2f} s, "
          f"untar+start {peer_restore[-1]:.2f} s", flush=True)

print(f"snapshot: kura {spread(kura_snapshot)}; pg_basebackup {spread(peer_backup)}; "
      f"ratio {statistics.median(kura_snapshot) / statistics.median(peer_backup):.2f}")
print(f"restore to serving the data: kura {spread(kura_serving)}; untar+start {spread(peer_restore)}; "
      f"ratio {statistics.median(kura_serving) / statistics.median(peer_restore):.2f}")
print(f"restore to available (after the restored instance's first automated backup): kura {spread(kura_restore)}")

# Restore lag: how far LatestRestorableTime trails now under steady writes.
writer = subprocess.Popen(["pgbench", "-n", "-c", "2", "-T", "60", "-h", host, "-p", str(port), "-U", "admin",
                           "postgres"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
lags = []
while writer.poll() is None:
    latest = describe(name).get("LatestRestorableTime")
    if latest is not None:
        lags.append((datetime.datetime.now(datetime.timezone.utc) - latest).total_seconds())
    time.sleep(1)
lags.sort()
print(f"restore lag under pgbench (2 clients, 60 s): median {statistics.median(lags):.2f} s, "
      f"p95 {lags[int(len(lags) * 0.95) - 1]:.2f} s, max {lags[-1]:.2f} s ({len(lags)} samples)")
rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
