#!/usr/bin/env python3
"""Multi-AZ recovery time, against a running Kura on its own data directory.
    /usr/bin/python3 bench/rds_failover_rto.py DATA_DIR [ENDPOINT=http://127.0.0.1:4566] [TRIALS=20] \
        [--engine postgres|mysql|mariadb]
For each fault (kill: SIGKILL to the primary's server; hang: SIGSTOP to its
whole process group), TRIALS times: a client commits numbered rows through
the endpoint as fast as it can, the fault hits, and the RTO is the time from
the fault to the first commit acknowledged afterwards. Reports median and
p95 per fault, and the acknowledged rows lost (must be 0). DATA_DIR is the
server's --data-dir (to find the primary's process). Needs python3-psycopg2,
or python3-pymysql for the MySQL engines (the primary is the mariadbd working
in the data directory the endpoint's server names; its standby is ready once
the primary counts it as a semi-synchronous client)."""
import os
import signal
import sys
import time

from rds_bench import create_instance, engine_option, is_mysql, rds_client
from rto_common import Writer, connect_retrying, query, report

engine = engine_option()
data_dir = sys.argv[1]
endpoint = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:4566"
trials = int(sys.argv[3]) if len(sys.argv) > 3 else 20
rds = rds_client(endpoint)
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


def through_endpoint(statement):
    """The first row of a statement run on the endpoint's server, or None."""
    try:
        return query(address["Address"], address["Port"], statement, engine, timeout=1)[0]
    except Exception:  # noqa: BLE001 - in a failover
        return None


def mariadb_primary():
    row = through_endpoint("SELECT @@datadir, @@port")
    if row is None:
        return None, None
    datadir = os.path.realpath(row[0])
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read() != "mariadbd\n":
                    continue
            if os.path.realpath(os.readlink(f"/proc/{entry}/cwd")) == datadir:
                return int(entry), f"{datadir} port {row[1]}"
        except OSError:
            pass
    return None, None


def mariadb_standby_ready():
    row = through_endpoint("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                           "WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS'")
    return row is not None and int(row[0]) >= 1 and status()["DBInstanceStatus"] == "available"


def primary():
    if is_mysql(engine):
        return mariadb_primary()
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
    if is_mysql(engine):
        return mariadb_standby_ready()
    return any("standby.signal" in files and "postmaster.pid" in files
               for _, _, files in os.walk(instance_dir()))


create_instance(rds, name, engine, 0, MultiAZ=True)
wait_available()
address = status()["Endpoint"]
setup = connect_retrying(address["Address"], address["Port"], engine=engine)
setup.autocommit = True
setup.cursor().execute("CREATE TABLE acked (n int)")
setup.close()
writer = Writer(address["Address"], address["Port"], engine)
writer.start()
results = {}
for fault in os.environ.get("BENCH_FAULTS", "kill,hang").split(","):
    rtos = []
    for _ in range(trials):
        while not standby_ready():
            time.sleep(0.1)
        time.sleep(1)
        pid, where = primary()
        while pid is None:  # the endpoint between two connections
            time.sleep(0.1)
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
            now_pid, now_where = primary()
            if first and now_where is not None and now_pid != pid:
                rtos.append(first - fault_at)
                print(f"  RTO {rtos[-1]:.2f} s, primary now {now_where[-200:]}", flush=True)
                break
            if time.monotonic() - fault_at > 120:
                raise SystemExit(f"{fault}: no recovery 120 s after the fault")
            time.sleep(0.01)
    results[fault] = rtos
writer.stop.set()
writer.join(timeout=10)
while not standby_ready():
    time.sleep(0.1)
check = connect_retrying(address["Address"], address["Port"], engine=engine)
cur = check.cursor()
cur.execute("SELECT n FROM acked")
stored = [row[0] for row in cur.fetchall()]
check.close()
report(results, writer, stored)
rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
