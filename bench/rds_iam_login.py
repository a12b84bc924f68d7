#!/usr/bin/env python3
"""What IAM database authentication costs a login: a PostgreSQL and a
MariaDB instance, each with a user logging in by token and one by password,
both over TLS through the instance's endpoint.
    /usr/bin/python3 bench/rds_iam_login.py [LOGINS=200]
Starts its own Kura (build/src/main/kura, or $KURA_BIN) on a free port with a
temporary data directory. Per engine and kind of login, LOGINS connections
(connect, SELECT 1, close), alternating token and password; reports p50 and
p99 (ms). The token is made once (generate-db-auth-token is local to the
client) and reused, as a client does within its 15 minutes."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import boto3
import psycopg2
import pymysql

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KURA_BIN = os.environ.get("KURA_BIN", os.path.join(ROOT, "build", "src", "main", "kura"))
LOGINS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
PASSWORD = "bench-password-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def instance(rds, name, engine):
    rds.create_db_instance(DBInstanceIdentifier=name, Engine=engine, DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                           BackupRetentionPeriod=0, EnableIAMDatabaseAuthentication=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        described = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
        if described["DBInstanceStatus"] == "available":
            return described["Endpoint"]["Address"], described["Endpoint"]["Port"]
        time.sleep(0.5)
    raise SystemExit(f"{name} is not available")


def measure(name, logins):
    times = {"token": [], "password": []}
    for _ in range(LOGINS):
        for kind, login in logins.items():
            start = time.perf_counter()
            login()
            times[kind].append((time.perf_counter() - start) * 1000)
    for kind, values in times.items():
        print(f"{name} {kind}: p50 {percentile(values, 0.5):.2f} ms, p99 {percentile(values, 0.99):.2f} ms",
              flush=True)


def main():
    root = tempfile.mkdtemp(prefix="kura-bench-iam-")
    os.chmod(root, 0o711)
    port = free_port()
    log = open(os.path.join(root, "kura.log"), "ab")
    kura = subprocess.Popen([KURA_BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir",
                             os.path.join(root, "data")], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        rds = boto3.client("rds", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        deadline = time.monotonic() + 30
        while True:
            try:
                rds.describe_db_instances()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        host, pg_port = instance(rds, "bench-pg", "postgres")
        admin = psycopg2.connect(host=host, port=pg_port, user="admin", password=PASSWORD, dbname="postgres")
        admin.autocommit = True
        admin.cursor().execute("CREATE USER alice; GRANT rds_iam TO alice; CREATE USER carol PASSWORD 'Carol-pass-1'")
        admin.close()
        token = rds.generate_db_auth_token(DBHostname=host, Port=pg_port, DBUsername="alice", Region="us-east-1")

        def pg(user, password):
            def login():
                with psycopg2.connect(host=host, port=pg_port, user=user, password=password, dbname="postgres",
                                      sslmode="require") as connection:
                    connection.cursor().execute("SELECT 1")
                connection.close()
            return login

        measure("postgres", {"token": pg("alice", token), "password": pg("carol", "Carol-pass-1")})

        host, my_port = instance(rds, "bench-maria", "mariadb")
        with pymysql.connect(host=host, port=my_port, user="admin", password=PASSWORD) as admin:
            admin.cursor().execute("CREATE USER alice IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'")
            admin.cursor().execute("CREATE USER carol IDENTIFIED BY 'Carol-pass-1'")
        token = rds.generate_db_auth_token(DBHostname=host, Port=my_port, DBUsername="alice", Region="us-east-1")

        def my(user, password):
            def login():
                with pymysql.connect(host=host, port=my_port, user=user, password=password,
                                     ssl={"check_hostname": False, "verify_mode": 0}) as connection:
                    connection.cursor().execute("SELECT 1")
            return login

        measure("mariadb", {"token": my("alice", token), "password": my("carol", "Carol-pass-1")})
    finally:
        kura.send_signal(signal.SIGTERM)
        kura.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
