#!/usr/bin/env python3
"""Snapshot and restore of one instance: Kura against the engine's plain
backup tools on the same machine, and how far LatestRestorableTime lags
under steady writes.
    /usr/bin/python3 bench/rds_snapshot_restore.py DATA_DIR [ENDPOINT=http://127.0.0.1:4566] [SCALE=50] [ROUNDS=3] \\
        [--engine postgres|mysql|mariadb]
DATA_DIR is the running Kura's --data-dir (to reach the engine's socket as
Kura does). The database holds pgbench's tables at SCALE (for PostgreSQL
made by `pgbench -i -s SCALE`; for MariaDB the same shape, SCALE x 100,000
accounts). Per round:
  - Kura: create-db-snapshot until available; restore-db-instance-from-db-
    snapshot until the restored endpoint serves the data (checksums
    verified, engine started, through the API and the controller), and
    until available (after the new instance's first automated backup, as
    RDS takes one);
  - peer (bench/snapshot_peers.py): PostgreSQL's pg_basebackup with the
    flags Kura uses (-Ft -z -X fetch -c fast) over the same socket, restore
    = untar, then pg_ctl start until it accepts connections; MariaDB's
    mariadb-backup --backup then --prepare, restore = mariadb-backup
    --copy-back, then mariadbd started until it serves the data.
Then steady writes for 60 s through the endpoint (pgbench, or one client
committing rows) while LatestRestorableTime is read every second (RDS
documents about five minutes of lag). Reports medians and spreads, and the
ratios Kura/peer (goal: 1.3 or less; restore lag under 5 s). PostgreSQL
needs pgbench (postgresql-contrib), MariaDB python3-pymysql."""
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time

from rds_bench import create_instance, engine_option, rds_client
from snapshot_peers import PEERS

engine = engine_option()
data_dir = os.path.abspath(sys.argv[1])
endpoint = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:4566"
scale = int(sys.argv[3]) if len(sys.argv) > 3 else 50
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
rds = rds_client(endpoint)
name = f"snapbench-{int(time.time())}"


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


create_instance(rds, name, engine, 1)
wait(lambda: available(name), "create")
peer = PEERS[engine](data_dir, describe(name))
print(f"loading scale {scale} ...", flush=True)
print(f"database: {peer.load(scale)}", flush=True)



def gone(describe_call, **kwargs):
    try:
        describe_call(**kwargs)
        return False
    except rds.exceptions.ClientError:
        return True


kura_snapshot, kura_restore, kura_serving, peer_backup, peer_restore = [], [], [], [], []
for round_number in range(rounds):
    snapshot = f"{name}-snap-{round_number}"
    work = tempfile.mkdtemp(prefix="kura-bench-")
    peer.own(work)
    # Who backs up first alternates: the first backup after writes pays for
    # flushing them, and the second finds the files in the page cache.
    for kura_first in ((True, False) if round_number % 2 == 0 else (False, True)):
        start = time.monotonic()
        if kura_first:
            rds.create_db_snapshot(DBInstanceIdentifier=name, DBSnapshotIdentifier=snapshot)
            wait(lambda: rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot)["DBSnapshots"][0]["Status"]
                 == "available", "snapshot")
            kura_snapshot.append(time.monotonic() - start)
            wait(lambda: available(name), "back to available")
        else:
            peer.backup(work)
            peer_backup.append(time.monotonic() - start)

    restored = f"{name}-restored-{round_number}"
    start = time.monotonic()
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier=restored, DBSnapshotIdentifier=snapshot)
    wait(lambda: "Endpoint" in describe(restored), "restore endpoint")
    restored_port = describe(restored)["Endpoint"]["Port"]
    wait(lambda: peer.serving(restored_port), "restored data")
    kura_serving.append(time.monotonic() - start)
    wait(lambda: available(restored), "restore")
    kura_restore.append(time.monotonic() - start)

    # Kura's restored instance is gone (its files removed) before the peer
    # restores: a large database's two restored copies need not fit the
    # disk together.
    rds.delete_db_instance(DBInstanceIdentifier=restored, SkipFinalSnapshot=True)
    wait(lambda: gone(rds.describe_db_instances, DBInstanceIdentifier=restored), "restored instance deleted")
    start = time.monotonic()
    peer.restore(work)
    peer_restore.append(time.monotonic() - start)
    peer.stop(work)
    shutil.rmtree(work, ignore_errors=True)
    rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot)
    # Gone (its files removed) before the next round is timed.
    wait(lambda: gone(rds.describe_db_snapshots, DBSnapshotIdentifier=snapshot), "snapshot deleted")
    print(f"round {round_number + 1}: kura snapshot {kura_snapshot[-1]:.2f} s, {peer.backup_tool} "
          f"{peer_backup[-1]:.2f} s, kura restore serving {kura_serving[-1]:.2f} s / available "
          f"{kura_restore[-1]:.2f} s, {peer.restore_tool} {peer_restore[-1]:.2f} s", flush=True)

print(f"{engine} snapshot: kura {spread(kura_snapshot)}; {peer.backup_tool} {spread(peer_backup)}; "
      f"ratio {statistics.median(kura_snapshot) / statistics.median(peer_backup):.2f}")
print(f"restore to serving the data: kura {spread(kura_serving)}; {peer.restore_tool} {spread(peer_restore)}; "
      f"ratio {statistics.median(kura_serving) / statistics.median(peer_restore):.2f}")
print(f"restore to available (after the restored instance's first automated backup): kura {spread(kura_restore)}")

# Restore lag: how far LatestRestorableTime trails now under steady writes.
writing = peer.writes(60)
lags = []
while writing():
    latest = describe(name).get("LatestRestorableTime")
    if latest is not None:
        lags.append((datetime.datetime.now(datetime.timezone.utc) - latest).total_seconds())
    time.sleep(1)
lags.sort()
print(f"restore lag under steady writes (60 s): median {statistics.median(lags):.2f} s, "
      f"p95 {lags[int(len(lags) * 0.95) - 1]:.2f} s, max {lags[-1]:.2f} s ({len(lags)} samples)")
rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
