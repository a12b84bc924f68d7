#!/usr/bin/env python3
"""The peer of the RDS RTO benches: Patroni (Debian `patroni`, `etcd-server`)
on the same machine, two PostgreSQL nodes of the installed major, the same
writing client and the same report.
    /usr/bin/python3 bench/patroni_failover_rto.py [defaults|fast] [TRIALS=10]
`defaults`: Patroni's defaults (ttl 30, loop_wait 10, retry_timeout 10);
`fast`: the smallest values Patroni documents as consistent
(loop_wait + 2 * retry_timeout <= ttl): ttl 5, loop_wait 1, retry_timeout 2.
Both with synchronous_mode on, as Kura's Multi-AZ commits synchronously.
The client reaches the primary as Patroni's users do without a proxy:
libpq's host list with target_session_attrs=read-write.
Faults, TRIALS times each: `kill`, SIGKILL of the primary's postmaster
(Patroni restarts it, or fails over); `node`, SIGKILL of the primary's
Patroni and postmaster together (the leader key expires, the replica takes
over). Runs as root (the nodes run as `postgres`) and leaves nothing behind."""
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from rto_common import PASSWORD, Writer, connect_retrying, report

mode = sys.argv[1] if len(sys.argv) > 1 else "defaults"
trials = int(sys.argv[2]) if len(sys.argv) > 2 else 10
timing = {"defaults": (30, 10, 10), "fast": (5, 1, 2)}[mode]
bin_dir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
postgres = pwd.getpwnam("postgres")
root = tempfile.mkdtemp(prefix="patroni-bench-")
os.chmod(root, 0o755)
os.chown(root, postgres.pw_uid, postgres.pw_gid)
ports = {"node1": (5531, 8131), "node2": (5532, 8132)}
ETCD = "127.0.0.1:23791"


def as_postgres():
    os.setgid(postgres.pw_gid)
    os.setuid(postgres.pw_uid)


def config(name):
    pg_port, api_port = ports[name]
    ttl, loop_wait, retry_timeout = timing
    return f"""scope: kura-bench
name: {name}
restapi:
  listen: 127.0.0.1:{api_port}
  connect_address: 127.0.0.1:{api_port}
etcd3:
  hosts: {ETCD}
bootstrap:
  dcs:
    ttl: {ttl}
    loop_wait: {loop_wait}
    retry_timeout: {retry_timeout}
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
  initdb:
  - encoding: UTF8
  pg_hba:
  - local all all trust
  - host replication replicator 127.0.0.1/32 md5
  - host all all 127.0.0.1/32 md5
postgresql:
  listen: 127.0.0.1:{pg_port}
  connect_address: 127.0.0.1:{pg_port}
  data_dir: {root}/{name}
  bin_dir: {bin_dir}
  pgpass: {root}/{name}.pgpass
  authentication:
    replication:
      username: replicator
      password: rep-pass
    superuser:
      username: admin
      password: {PASSWORD}
  parameters:
    unix_socket_directories: {root}
"""


processes = {}


def start_node(name):
    path = os.path.join(root, f"{name}.yml")
    with open(path, "w") as f:
        f.write(config(name))
    log = open(os.path.join(root, f"{name}.log"), "ab")
    env = {k: v for k, v in os.environ.items() if k != "PGTARGETSESSIONATTRS"}  # the client's only
    processes[name] = subprocess.Popen(["patroni", path], stdout=log, stderr=subprocess.STDOUT, env=env,
                                       preexec_fn=as_postgres, start_new_session=True)


def postmaster(name):
    try:
        with open(os.path.join(root, name, "postmaster.pid")) as f:
            return int(f.readline())
    except (OSError, ValueError):
        return None


def status(port, path):
    import json
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=1) as answer:
            return json.load(answer) if answer.status == 200 else None
    except (OSError, ValueError):
        return None


def leader():
    """The leading node, and whether the other one streams from it as its
    synchronous standby (the leader's own view, as for Kura's benches)."""
    for name, (_, api_port) in ports.items():
        primary = status(api_port, "primary")
        if primary is not None:
            replication = primary.get("replication", [])
            return name, any(r.get("state") == "streaming" and r.get("sync_state") == "sync" for r in replication)
    return None, False


def settled():
    """Synchronous streaming, three checks in a row a second apart (a node
    that rejoins with pg_rewind streams for a moment before it rewinds)."""
    for _ in range(3):
        if not (leader()[1] and writer.current_server() is not None):
            return False
        time.sleep(1)
    return True


def wait_for(check, what, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


etcd = subprocess.Popen(["etcd", "--data-dir", os.path.join(root, "etcd"), "--listen-client-urls", f"http://{ETCD}",
                         "--advertise-client-urls", f"http://{ETCD}", "--listen-peer-urls", "http://127.0.0.1:23801",
                         "--initial-advertise-peer-urls", "http://127.0.0.1:23801",
                         "--initial-cluster", "default=http://127.0.0.1:23801"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
os.environ["PGTARGETSESSIONATTRS"] = "read-write"
hosts, pg_ports = "127.0.0.1,127.0.0.1", ",".join(str(p) for p, _ in ports.values())
try:
    time.sleep(1)
    start_node("node1")
    wait_for(lambda: leader()[0] == "node1", "node1 to lead")
    start_node("node2")
    wait_for(lambda: leader()[1], "two running nodes")
    setup = connect_retrying(hosts, pg_ports)
    setup.autocommit = True
    setup.cursor().execute("CREATE TABLE acked (n int)")
    setup.close()
    writer = Writer(hosts, pg_ports)
    writer.start()
    results = {}
    for fault in os.environ.get("BENCH_FAULTS", "kill,node").split(","):
        rtos = []
        for _ in range(trials):
            wait_for(settled, "a settled cluster")
            name = leader()[0]
            pid, old_server, fault_at = postmaster(name), writer.current_server(), time.monotonic()
            print(fault, "at", time.strftime("%H:%M:%S", time.gmtime()), "leader", name, flush=True)
            if fault == "node":
                processes[name].kill()
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda: writer.first_commit_after(fault_at, old_server) is not None, "a commit", 90)
            rtos.append(writer.first_commit_after(fault_at, old_server) - fault_at)
            if fault == "node":
                processes[name].wait()
                start_node(name)  # the node comes back and rejoins as a replica
        results[fault] = rtos
    writer.stop.set()
    writer.join(timeout=10)
    check = connect_retrying(hosts, pg_ports)
    cur = check.cursor()
    cur.execute("SELECT n FROM acked")
    stored = [row[0] for row in cur.fetchall()]
    check.close()
    print(f"Patroni {mode} (ttl, loop_wait, retry_timeout = {timing}):")
    report(results, writer, stored)
finally:
    for process in processes.values():
        process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    etcd.terminate()
    etcd.wait(timeout=10)
    subprocess.run(["pkill", "-9", "-f", root], check=False)
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(root, ignore_errors=True)
    else:
        print("kept", root)
