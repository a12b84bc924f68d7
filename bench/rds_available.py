#!/usr/bin/env python3
"""Time from create-db-instance to available, against a running Kura.
    /usr/bin/python3 bench/rds_available.py [ENDPOINT=http://127.0.0.1:4566] [RUNS=5] [--engine postgres|mysql|mariadb]
Reports median, min and max for BackupRetentionPeriod 0 and 1 (the latter
includes the first automated backup), then deletes what it made."""
import statistics
import sys
import time

from rds_bench import create_instance, engine_option, rds_client

engine = engine_option()
endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4566"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
rds = rds_client(endpoint)
stamp = int(time.time())


def timed(name, retention):
    start = time.monotonic()
    create_instance(rds, name, engine, retention)
    deadline = start + 120
    while time.monotonic() < deadline:
        status = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]
        if status == "available":
            return time.monotonic() - start
        if status == "failed":
            raise SystemExit(f"{name} failed")
        time.sleep(0.05)
    raise SystemExit(f"{name} not available after 120 s")


for retention in (0, 1):
    names = [f"bench-{stamp}-r{retention}-{i}" for i in range(runs)]
    times = [timed(name, retention) for name in names]
    print(f"{engine}, retention {retention}: create->available median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, {runs} runs)", flush=True)
    for name in names:
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
