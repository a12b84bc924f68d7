"""How far a MariaDB instance's binary log is archived (what its
LatestRestorableTime counts) is asked of the server, not read from the
files' times: a commit logged while the closed file was being copied left
the active file older than the copy, and Kura took it for archived. A
point-in-time restore to the latest restorable time then lacked it."""
import datetime
import os
import time

import pytest

pymysql = pytest.importorskip("pymysql")

from rds_support import PASSWORD, endpoint, wait_restorable, wait_status  # noqa: E402

if not os.path.exists("/usr/sbin/mariadbd"):
    pytest.skip("no MariaDB server installed", allow_module_level=True)


def query(rds, identifier, sql):
    host, port = endpoint(rds, identifier)
    with pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, connect_timeout=10,
                         autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def binlogs(directory):
    return sorted(name for name in os.listdir(directory) if name.rsplit(".", 1)[-1].isdigit())


def test_a_commit_older_than_the_archived_copy_is_still_archived(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="ledger", Engine="mysql", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                           BackupRetentionPeriod=1)
    wait_status(rds, "ledger", "available", timeout=180)
    resource = rds.describe_db_instances(DBInstanceIdentifier="ledger")["DBInstances"][0]["DbiResourceId"]
    own = os.path.join(server.data_dir, "rds", "instances", resource, "binlog")
    archive = os.path.join(server.data_dir, "rds", "wal", resource)
    query(rds, "ledger", "CREATE DATABASE books")
    query(rds, "ledger", "CREATE TABLE books.entries (label VARCHAR(10))")
    query(rds, "ledger", "INSERT INTO books.entries VALUES ('A')")
    wait_restorable(rds, "ledger", datetime.datetime.now(datetime.timezone.utc), timeout=60)
    # 'B' lands in the active file, which then looks older than every copy
    # in the archive: the outcome of a commit logged during the copy.
    for _ in range(10):
        active = binlogs(own)[-1]
        query(rds, "ledger", "INSERT INTO books.entries VALUES ('B')")
        hour_ago = time.time() - 3600
        try:
            os.utime(os.path.join(own, active), (hour_ago, hour_ago))
        except PermissionError:
            pytest.skip("the engine's files cannot be touched by this user")
        if binlogs(own)[-1] == active:  # not rotated meanwhile
            break
        query(rds, "ledger", "DELETE FROM books.entries WHERE label = 'B'")
    else:
        pytest.fail("the binary log rotated under every attempt")
    written = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
    wait_restorable(rds, "ledger", written, timeout=60)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="ledger",
                                             TargetDBInstanceIdentifier="ledger-latest", UseLatestRestorableTime=True)
    wait_status(rds, "ledger-latest", "available", timeout=180)
    assert query(rds, "ledger-latest", "SELECT label FROM books.entries ORDER BY label") == (("A",), ("B",))
    # Idle, it is not rotated again and again: the window still moves.
    idle = wait_restorable(rds, "ledger", datetime.datetime.now(datetime.timezone.utc), timeout=60)
    files = binlogs(archive)
    time.sleep(8)
    assert wait_restorable(rds, "ledger", idle + datetime.timedelta(seconds=6), timeout=10)
    assert binlogs(archive) == files
