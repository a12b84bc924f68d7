#!/usr/bin/env python3
"""Aurora cluster recovery time, against a running Kura on its own data directory.
    /usr/bin/python3 bench/aurora_failover_rto.py DATA_DIR [ENDPOINT=http://127.0.0.1:4566] [TRIALS=20]
A cluster of a writer and two readers. For each fault (kill: SIGKILL to the
writer's server; hang: SIGSTOP to its whole process group), TRIALS times:
a client commits numbered rows through the cluster endpoint as fast as it
can, the fault hits, and the RTO is the time from the fault to the first
commit acknowledged afterwards by the new writer. Before each trial the
cluster is back to a writer and two streaming readers. Reports median and
p95 per fault, and the acknowledged rows lost (must be 0). DATA_DIR is the
server's --data-dir (to find the writer's process). Needs python3-psycopg2."""
import os
import signal
import sys
import time

import boto3

from rto_common import PASSWORD, Writer, connect, connect_retrying, report

data_dir = sys.argv[1]
endpoint = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:4566"
trials = int(sys.argv[3]) if len(sys.argv) > 3 else 20
rds = boto3.client("rds", endpoint_url=endpoint, region_name="ap-northeast-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
name = f"rto-{int(time.time())}"
members = [f"{name}-{n}" for n in (1, 2, 3)]


def cluster():
    return rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]


def wait_for(check, what, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def instances():
    return {i["DBInstanceIdentifier"]: i for i in rds.describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [name]}])["DBInstances"]}


def writer_name():
    return next(m["DBInstanceIdentifier"] for m in cluster()["DBClusterMembers"] if m["IsClusterWriter"])


def in_recovery(instance):
    try:
        conn = connect(instance["Endpoint"]["Address"], instance["Endpoint"]["Port"], timeout=1)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver "
                        "WHERE status = 'streaming')")
            value = cur.fetchone()[0]
        conn.close()
        return value
    except Exception:  # noqa: BLE001 - not up yet
        return False


def synchronous(instance):
    try:
        conn = connect(instance["Endpoint"]["Address"], instance["Endpoint"]["Port"], timeout=1)
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")
            value = cur.fetchone()[0] == 1
        conn.close()
        return value
    except Exception:  # noqa: BLE001 - not up yet
        return False


def settled():
    """Available, both readers streaming, and commits waiting for one."""
    if cluster()["Status"] != "available":
        return False
    writer, found = writer_name(), instances()
    return all(in_recovery(found[m]) for m in members if m != writer) and synchronous(found[writer])


def writer_pid():
    resource = instances()[writer_name()]["DbiResourceId"]
    with open(os.path.join(data_dir, "rds", "instances", resource, "pgdata", "postmaster.pid")) as f:
        return int(f.readline())


rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql", MasterUsername="admin",
                      MasterUserPassword=PASSWORD)
wait_for(lambda: cluster()["Status"] == "available", "the cluster")
for member in members:
    rds.create_db_instance(DBInstanceIdentifier=member, DBClusterIdentifier=name, Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    wait_for(lambda: instances()[member]["DBInstanceStatus"] == "available", member)
address = cluster()["Endpoint"], cluster()["Port"]
setup = connect_retrying(*address)
setup.autocommit = True
setup.cursor().execute("CREATE TABLE acked (n int)")
setup.close()
writer = Writer(*address)
writer.start()
results = {}
for fault in os.environ.get("BENCH_FAULTS", "kill,hang").split(","):
    rtos = []
    for _ in range(trials):
        wait_for(settled, "two streaming readers, one synchronous")
        time.sleep(1)
        old, pid = writer_name(), writer_pid()
        old_server = writer.current_server()
        fault_at = time.monotonic()
        print(fault, "at", time.strftime("%H:%M:%S", time.gmtime()), "writer", old, "pid", pid, flush=True)
        if fault == "kill":
            os.kill(pid, signal.SIGKILL)
        else:
            os.killpg(pid, signal.SIGSTOP)
        wait_for(lambda: writer_name() != old, "a new writer", 60)
        wait_for(lambda: writer.first_commit_after(fault_at, old_server) is not None, "a commit", 60)
        rtos.append(writer.first_commit_after(fault_at, old_server) - fault_at)
    results[fault] = rtos
writer.stop.set()
writer.join(timeout=10)
check = connect_retrying(*address)
cur = check.cursor()
cur.execute("SELECT n FROM acked")
stored = [row[0] for row in cur.fetchall()]
check.close()
report(results, writer, stored)
for member in members:
    rds.delete_db_instance(DBInstanceIdentifier=member)
wait_for(lambda: not instances(), "the instances' deletion")
rds.delete_db_cluster(DBClusterIdentifier=name, SkipFinalSnapshot=True)
