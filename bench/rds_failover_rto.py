#!/usr/bin/env python3
"""Multi-AZ recovery time, against a running Kura on its own data directory.
    /usr/bin/python3 bench/rds_failover_rto.py DATA_DIR [ENDPOINT=http://127.0.0.1:4566] [TRIALS=20]
For each fault (kill: SIGKILL to the primary's server; hang: SIGSTOP to its
whole process group), TRIALS times: a client commits numbered rows through
the endpoint as fast as it can, the fault hits, and the RTO is the time from
the fault to the first commit acknowledged afterwards. Reports median and
p95 per fault, and the acknowledged rows lost (must be 0). DATA_DIR is the
server's --data-dir (to find the primary's process). Needs python3-psycopg2."""
import os
import signal
import sys
import time

import boto3

from rto_common import PASSWORD, Writer, connect_retrying, report

data_dir = sys.argv[1]
endpoint = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:4566"
trials = int(sys.argv[3]) if len(sys.argv) > 3 else 20
rds = boto3.client("rds", endpoint_url=endpoint, region_name="ap-northeast-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
name = f"rto-{int(time.time())}"


def status():
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]


def wait_available():
    for _ in range(1200):
        if status()["DBInstanceStatus"] == "available":
            return
        time.sleep(0.1)
    raise SystemExit("instance not available")


def instance_dir():
    return os.path.join(data_dir, "rds", "instances", status()["DbiResourceId"])


def primary():
    for folder, _, files in os.walk(instance_dir()):
        if "postmaster.pid" in files and "standby.signal" not in files:
            with open(os.path.join(folder, "postmaster.pid")) as f:
                lines = f.read().split("\n")
                pid = int(lines[0])
            try:
                os.kill(pid, 0)
                return pid, folder + " port " + lines[3] + " files " + ",".join(sorted(files))
            except OSError:
                pass
    return None, None


def standby_ready():
    return any("standby.signal" in files and "postmaster.pid" in files
               for _, _, files in os.walk(instance_dir()))


rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                       MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                       BackupRetentionPeriod=0, MultiAZ=True)
wait_available()
address = status()["Endpoint"]
setup = connect_retrying(address["Address"], address["Port"])
setup.autocommit = True
setup.cursor().execute("CREATE TABLE acked (n int)")
setup.close()
writer = Writer(address["Address"], address["Port"])
writer.start()
results = {}
for fault in os.environ.get("BENCH_FAULTS", "kill,hang").split(","):
    rtos = []
    for _ in range(trials):
        while not standby_ready():
            time.sleep(0.1)
        time.sleep(0.5)
        pid, where = primary()
        old_server = writer.current_server()
        fault_at = time.monotonic()
        print(fault, "at", time.strftime("%H:%M:%S", time.gmtime()), "pid", pid, where[-400:], flush=True)
        if fault == "kill":
            os.kill(pid, signal.SIGKILL)
        else:
            os.killpg(pid, signal.SIGSTOP)
        while True:
            first = writer.first_commit_after(fault_at, old_server)
            if first and primary()[1] is not None and primary()[0] != pid:
                rtos.append(first - fault_at)
                break
            time.sleep(0.01)
    results[fault] = rtos
writer.stop.set()
writer.join(timeout=10)
while not standby_ready():
    time.sleep(0.1)
check = connect_retrying(address["Address"], address["Port"])
cur = check.cursor()
cur.execute("SELECT n FROM acked")
stored = [row[0] for row in cur.fetchall()]
check.close()
report(results, writer, stored)
rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
