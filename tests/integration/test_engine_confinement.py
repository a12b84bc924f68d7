"""Every instance's server runs as its engine's one system user, so a tenant
who became that user in one instance (a superuser escalation, a file
privilege) could read and write every other instance's files, and Kura's
own. Servers run confined with Landlock: here Kura's own superuser of one
instance (what such a tenant would hold) tries to reach another instance's
files, Kura's files, and another instance's server, and is refused; the
same statements on its own instance's files work."""
import datetime
import getpass
import os
import socket
import subprocess
import time

import pytest

from confinement_support import landlock_abi
from rds_support import create_instance, psql, wait_restorable, wait_status

ABI = landlock_abi()
pytestmark = pytest.mark.skipif(ABI < 1, reason="this kernel offers no Landlock")


def instance_dir(server, rds, identifier):
    resource = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DbiResourceId"]
    return os.path.join(server.data_dir, "rds", "instances", resource)


def superuser_sql(directory, sql):
    """`sql` as Kura's own superuser of the instance in `directory`: (ok, output)."""
    with open(os.path.join(directory, "pgdata", "postmaster.pid")) as f:
        lines = f.read().splitlines()
    result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                             f"host={lines[4]} port={lines[3]} user=rdsadmin dbname=postgres", "-c", sql],
                            capture_output=True, text=True, timeout=60)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def postmaster_pid(directory):
    with open(os.path.join(directory, "pgdata", "postmaster.pid")) as f:
        return int(f.readline())


def kura_file(data_dir):
    """A regular file of Kura's own (its catalog, its keys), outside every instance."""
    for folder, _, files in os.walk(data_dir):
        if os.sep + "rds" + os.sep in folder + os.sep or os.sep + "elasticache" in folder:
            continue
        for name in sorted(files):
            return os.path.join(folder, name)
    raise AssertionError(f"no file of Kura's in {data_dir}")


def test_a_postgres_superuser_reaches_only_its_own_instance(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "mine", BackupRetentionPeriod=0)
    create_instance(rds, "theirs", BackupRetentionPeriod=0)
    wait_status(rds, "mine", "available")
    mine, theirs = instance_dir(server, rds, "mine"), instance_dir(server, rds, "theirs")

    # In its own directory the superuser's file functions work: the
    # refusals below are the confinement's, not the functions'.
    ok, out = superuser_sql(mine, f"COPY (SELECT 'ours') TO '{mine}/pgdata/written-here'")
    assert ok, out
    ok, out = superuser_sql(mine, f"SELECT pg_read_file('{mine}/pgdata/PG_VERSION')")
    assert ok and out.strip().isdigit(), out

    # Another instance's files: neither written, nor read, nor listed.
    ok, out = superuser_sql(mine, f"COPY (SELECT 'pwned') TO '{theirs}/pgdata/planted'")
    assert not ok and "Permission denied" in out, out
    assert not os.path.exists(f"{theirs}/pgdata/planted")
    ok, out = superuser_sql(mine, f"SELECT pg_read_file('{theirs}/pgdata/PG_VERSION')")
    assert not ok and "Permission denied" in out, out
    ok, out = superuser_sql(mine, f"SELECT count(*) FROM pg_ls_dir('{theirs}/pgdata')")
    assert not ok and "Permission denied" in out, out
    # Nor through a program of its own, which runs confined too.
    ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM 'cat {theirs}/pgdata/PG_VERSION > {mine}/stolen'")
    assert not ok, out
    assert not os.path.exists(f"{mine}/stolen") or os.path.getsize(f"{mine}/stolen") == 0

    # Kura's own files (its catalog, its keys).
    secret = kura_file(server.data_dir)
    ok, out = superuser_sql(mine, f"SELECT pg_read_binary_file('{secret}')")
    assert not ok and "Permission denied" in out, (secret, out)

    # Another instance's server runs as the same system user: a program of
    # the tenant's cannot read its environment or memory through /proc,
    ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM "
                                  f"'cat /proc/{postmaster_pid(theirs)}/environ > {mine}/environ'")
    assert not ok, out
    assert not os.path.exists(f"{mine}/environ") or os.path.getsize(f"{mine}/environ") == 0
    # (its own server's it can: the refusal above is the confinement's)
    ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM "
                                  f"'cat >/dev/null; cat /proc/{postmaster_pid(mine)}/environ > {mine}/environ'")
    assert ok and os.path.getsize(f"{mine}/environ") > 0, out
    # nor stop it.
    if ABI >= 6:
        pid = postmaster_pid(theirs)
        ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM 'kill -STOP {pid}'")
        assert not ok, out
        with open(f"/proc/{pid}/stat") as f:
            assert f.read().split(") ")[1][0] != "T"  # not stopped
        ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM 'kill -0 {server.proc.pid}'")
        assert not ok, out

    # Nor listen on a port other than its own (with Landlock ABI 4): a free
    # port may be another instance's, between its stop and its start.
    if ABI >= 4:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
        probe.close()
        listen = f"import socket; s = socket.socket(); s.bind((''127.0.0.1'', {free})); s.listen()"
        ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM 'python3 -c \"{listen}\" 2> {mine}/bind.err'")
        assert not ok, out
        with open(f"{mine}/bind.err") as f:
            assert "PermissionError" in f.read()
        ephemeral = "import socket; s = socket.socket(); s.bind((''127.0.0.1'', 0)); s.listen()"
        ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; python3 -c \"{ephemeral}\"'")
        assert ok, out

    # Its server dumps no core (its memory: the instance's data and
    # passwords), and a program of the tenant's cannot allow one again.
    with open(f"/proc/{postmaster_pid(mine)}/limits") as f:
        assert [line.split()[4:6] for line in f if line.startswith("Max core file size")] == [["0", "0"]]
    ok, out = superuser_sql(mine, "COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; ulimit -c unlimited'")
    assert not ok, out

    # Both instances still serve.
    ok, out = superuser_sql(theirs, "SELECT 1")
    assert ok and out == "1", out


def test_a_restored_instance_reads_its_source_archive_only_while_it_replays(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "source")  # with backups: an archive to restore from
    psql(rds, "source", "CREATE TABLE t (v text); INSERT INTO t VALUES ('before')")
    wait_restorable(rds, "source", datetime.datetime.now(datetime.timezone.utc))
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="source",
                                             TargetDBInstanceIdentifier="restored", UseLatestRestorableTime=True)
    wait_status(rds, "restored", "available", timeout=240)
    assert psql(rds, "restored", "SELECT v FROM t") == "before"
    resource = rds.describe_db_instances(DBInstanceIdentifier="source")["DBInstances"][0]["DbiResourceId"]
    archive = os.path.join(server.data_dir, "rds", "wal", resource)
    restored = instance_dir(server, rds, "restored")
    # Replayed: the server, started again without the grant, reads the
    # source's archive (which goes on growing with the source's writes) no more.
    ok, out = superuser_sql(restored, f"SELECT count(*) FROM pg_ls_dir('{archive}')")
    assert not ok and "Permission denied" in out, out
    # Its dynamic shared memory is its own (not /dev/shm), and a parallel query uses it.
    ok, out = superuser_sql(restored, "SHOW dynamic_shared_memory_type")
    assert ok and out == "mmap", out
    ok, out = superuser_sql(restored, "SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
                                      "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; "
                                      "SET force_parallel_mode = on; SELECT count(*) FROM pg_class")
    assert ok and int(out.splitlines()[-1]) > 0, out


def test_a_tablespace_link_planted_in_a_primary_places_nothing_elsewhere(kura_factory):
    """A plain base backup (a replica's, a standby's) writes a tablespace
    where the primary's pg_tblspc link says, and a relative link is read
    from the server's directory by the server but from Kura's (/ under the
    service) by pg_basebackup: the tenant could name another instance's
    directory for the second while the first reads its own files."""
    here = os.getcwd()
    os.chdir("/")  # Kura's working directory under its service unit
    try:
        server = kura_factory()
    finally:
        os.chdir(here)
    rds = server.client("rds")
    create_instance(rds, "mine", BackupRetentionPeriod=1)
    create_instance(rds, "theirs", BackupRetentionPeriod=0)
    mine, theirs = instance_dir(server, rds, "mine"), instance_dir(server, rds, "theirs")
    target = os.path.join(theirs, "pgdata", "planted")
    relative = os.path.relpath(target, "/")
    ok, version = superuser_sql(mine, "SELECT 'PG_' || current_setting('server_version_num')::int / 10000 || '_' || "
                                      "catalog_version_no FROM pg_control_system()")
    assert ok, version
    ok, out = superuser_sql(mine, f"COPY (SELECT 'planted by mine') TO '{mine}/pgdata/{relative}/{version}/PLANTED'")
    assert not ok  # the directory first
    ok, out = superuser_sql(mine, f"COPY (SELECT 1) TO PROGRAM 'mkdir -p {mine}/pgdata/{relative}/{version} && "
                                  f"echo planted > {mine}/pgdata/{relative}/{version}/PLANTED && "
                                  f"ln -s {relative} {mine}/pgdata/pg_tblspc/99999'")
    assert ok, out
    rds.create_db_instance_read_replica(DBInstanceIdentifier="mine-replica", SourceDBInstanceIdentifier="mine")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = rds.describe_db_instances(DBInstanceIdentifier="mine-replica")["DBInstances"][0]["DBInstanceStatus"]
        if status not in ("creating", "backing-up", "modifying"):
            break
        time.sleep(1)
    assert not os.path.exists(target)


def mariadb_admin(directory, sql):
    """`sql` as Kura's own MariaDB account (unix_socket: the engine's system user)."""
    socket = os.path.join(directory, "run", "mariadbd.sock")
    user = "mysql" if os.geteuid() == 0 else getpass.getuser()
    prefix = ["runuser", "-u", "mysql", "--"] if os.geteuid() == 0 else []
    result = subprocess.run(prefix + ["mariadb", "--no-defaults", f"--socket={socket}", "-u", user, "-N", "-B",
                                      "-e", sql], capture_output=True, text=True, timeout=60)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


@pytest.mark.skipif(not os.path.exists("/usr/sbin/mariadbd"), reason="no MariaDB server installed")
def test_a_mariadb_account_with_every_privilege_reaches_only_its_own_instance(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    for name in ("mine", "theirs"):
        rds.create_db_instance(DBInstanceIdentifier=name, Engine="mariadb", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword="secret-pass-1", AllocatedStorage=20,
                               BackupRetentionPeriod=0)
    wait_status(rds, "mine", "available", timeout=240)
    wait_status(rds, "theirs", "available", timeout=240)
    mine, theirs = instance_dir(server, rds, "mine"), instance_dir(server, rds, "theirs")

    # The general log is any file the server can open: in its own
    # directory it is written, and in another instance's it is not.
    ok, out = mariadb_admin(mine, f"SET GLOBAL general_log_file = '{mine}/log/general-here.log'; "
                                  "SET GLOBAL general_log = ON; SELECT 'logged'; SET GLOBAL general_log = OFF")
    assert ok, out
    assert os.path.exists(f"{mine}/log/general-here.log")
    ok, out = mariadb_admin(mine, f"SET GLOBAL general_log_file = '{theirs}/binlog/planted.log'; "
                                  "SET GLOBAL general_log = ON; SELECT 'logged'; SET GLOBAL general_log = OFF")
    assert not ok and "Permission denied" in out, out
    assert not os.path.exists(f"{theirs}/binlog/planted.log")
    ok, out = mariadb_admin(mine, f"SET GLOBAL slow_query_log_file = '{theirs}/data/planted-slow.log'; "
                                  "SET GLOBAL slow_query_log = ON")
    assert not ok and "Permission denied" in out, out
    assert not os.path.exists(f"{theirs}/data/planted-slow.log")
    ok, out = mariadb_admin(theirs, "SELECT 1")
    assert ok and out == "1", out
