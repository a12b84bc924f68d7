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
import statistics
import sys
import threading
import time

import boto3
import psycopg2

data_dir = sys.argv[1]
endpoint = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:4566"
trials = int(sys.argv[3]) if len(sys.argv) > 3 else 20
rds = boto3.client("rds", endpoint_url=endpoint, region_name="ap-northeast-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
name = f"rto-{int(time.time())}"
password = "S3cret-pass"


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


def connect_retrying(address, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return psycopg2.connect(host=address["Address"], port=address["Port"], user="admin", password=password,
                                    dbname="postgres", connect_timeout=2)
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Writer(threading.Thread):
    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.acked, self.times, self.next, self.stop = [], [], 0, threading.Event()

    def run(self):
        conn = None
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = psycopg2.connect(host=self.host, port=self.port, user="admin", password=password,
                                            dbname="postgres", connect_timeout=2)
                    conn.autocommit = True
                    with conn.cursor() as cur:
                        cur.execute("SELECT inet_server_port(), pg_is_in_recovery()")
                        print("writer connected at", time.strftime("%H:%M:%S", time.gmtime()), cur.fetchone(),
                              flush=True)
                n, self.next = self.next, self.next + 1
                with conn.cursor() as cur:
                    cur.execute("INSERT INTO acked (n) VALUES (%s)", (n,))
                self.acked.append(n)
                self.times.append(time.monotonic())
            except Exception:  # noqa: BLE001 - connections drop in a failover
                conn = None
                time.sleep(0.01)


rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                       MasterUsername="admin", MasterUserPassword=password, AllocatedStorage=20,
                       BackupRetentionPeriod=0, MultiAZ=True)
wait_available()
address = status()["Endpoint"]
setup = connect_retrying(address)
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
        fault_at = time.monotonic()
        print(fault, "at", time.strftime("%H:%M:%S", time.gmtime()), "pid", pid, where[-400:], flush=True)
        if fault == "kill":
            os.kill(pid, signal.SIGKILL)
        else:
            os.killpg(pid, signal.SIGSTOP)
        while True:
            after = [t for t in writer.times[-50:] if t > fault_at]
            if after and primary()[1] is not None and primary()[0] != pid:
                rtos.append(after[0] - fault_at)
                break
            time.sleep(0.01)
    results[fault] = rtos
writer.stop.set()
writer.join(timeout=10)
while not standby_ready():
    time.sleep(0.1)
check = connect_retrying(address)
cur = check.cursor()
cur.execute("SELECT n FROM acked")
stored = [row[0] for row in cur.fetchall()]
check.close()
missing = sorted(set(writer.acked) - set(stored))
lost = len(missing)
if missing:  # where they are, as ranges
    ranges, start = [], missing[0]
    for a, b in zip(missing, missing[1:] + [None]):
        if b != a + 1:
            ranges.append(f"{start}-{a}")
            start = b
    print("lost ranges:", ", ".join(ranges[:20]), "of", len(writer.acked))
    when = dict(zip(writer.acked, writer.times))
    wall = time.time() - time.monotonic()
    print("first lost acknowledged at", time.strftime("%H:%M:%S", time.gmtime(wall + when[missing[0]])),
          "last at", time.strftime("%H:%M:%S", time.gmtime(wall + when[missing[-1]])))
duplicates = len(stored) - len(set(stored))
for fault, rtos in results.items():
    rtos.sort()
    p95 = rtos[min(len(rtos) - 1, int(round(0.95 * (len(rtos) - 1))))]
    print(f"{fault}: RTO median {statistics.median(rtos):.2f} s, p95 {p95:.2f} s, "
          f"min {rtos[0]:.2f}, max {rtos[-1]:.2f} ({len(rtos)} trials)")
print(f"acknowledged commits: {len(writer.acked)}, lost: {lost}, duplicated: {duplicates}")
rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
