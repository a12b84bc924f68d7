"""The RDS master user as a hostile tenant: what RDS refuses it is refused
(programs, server files, ALTER SYSTEM, untrusted languages and extensions,
the roles that reach the host), what RDS allows it works, and links planted
where the engine writes are never followed by Kura, through reboots, log
downloads, snapshots and restores. Also: an idle instance restores to a
moment after its last write."""
import datetime
import os
import shutil
import stat
import tempfile
import time

import botocore.exceptions
import pytest

from rds_support import create_instance, psql, wait_status

LIB = "/usr/lib/postgresql"
MAJORS = sorted(os.listdir(LIB), key=int) if os.path.isdir(LIB) else []
PGEXTWLIST = bool(MAJORS) and os.path.exists(f"{LIB}/{MAJORS[-1]}/lib/pgextwlist.so")
PGAUDIT = bool(MAJORS) and os.path.exists(f"{LIB}/{MAJORS[-1]}/lib/pgaudit.so")
MARK = f"/tmp/kura-isolation-{os.getpid()}"
IDLE = {}


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def rds(server):
    client = server.client("rds")
    # An instance nobody touches after its one write: the last test's idle
    # spell starts now, while the others run.
    create_instance(client, "quiet", DBName="app")
    psql(client, "quiet", "CREATE TABLE idle (v text); INSERT INTO idle VALUES ('kept')", dbname="app")
    IDLE["written"] = datetime.datetime.now(datetime.timezone.utc)
    create_instance(client, "tenant", DBName="app")
    psql(client, "tenant", "CREATE TABLE idle (v text); INSERT INTO idle VALUES ('kept')", dbname="app")
    return client


@pytest.fixture(scope="module")
def victim():
    """A file of the host's that no tenant may read or change."""
    directory = tempfile.mkdtemp(prefix="kura-victim-")
    path = os.path.join(directory, "victim")
    with open(path, "w") as f:
        f.write("host secret, untouched\n")
    os.chmod(path, 0o600)
    yield path
    shutil.rmtree(directory, ignore_errors=True)


def engine_dir(server, rds, identifier):
    resource = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DbiResourceId"]
    return os.path.join(server.data_dir, "rds", "instances", resource)


def assert_untouched(victim, before):
    info = os.lstat(victim)
    assert (info.st_mode, info.st_uid, info.st_gid, info.st_size, info.st_mtime_ns) == before
    with open(victim) as f:
        assert f.read() == "host secret, untouched\n"


def test_the_master_user_is_no_superuser(rds):
    assert psql(rds, "tenant", "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "f"
    assert psql(rds, "tenant", "SELECT pg_has_role('rds_superuser', 'MEMBER')") == "t"
    owners = psql(rds, "tenant", "SELECT string_agg(datname || '=' || pg_get_userbyid(datdba), ',' ORDER BY datname) "
                                 "FROM pg_database WHERE datname IN ('app', 'postgres')")
    assert owners == "app=admin,postgres=admin"
    # Kura's own role cannot be reached over TCP, with or without a password.
    assert psql(rds, "tenant", "SELECT 1", user="rdsadmin", password="", check=False).returncode != 0


@pytest.mark.parametrize("statement", [
    f"COPY (SELECT 1) TO PROGRAM 'touch {MARK}-program'",
    f"CREATE TEMP TABLE x (v text); COPY x FROM PROGRAM 'touch {MARK}-from-program'",
    f"COPY (SELECT 1) TO '{MARK}-file'",
    "CREATE TEMP TABLE y (v text); COPY y FROM '/etc/passwd'",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_read_binary_file('postgresql.conf')",
    "SELECT pg_ls_dir('.')",
    "SELECT lo_import('/etc/passwd')",
    f"SELECT lo_export(lo_create(0), '{MARK}-lo')",
    "ALTER SYSTEM SET archive_command = 'id'",
    "SET session_preload_libraries = 'pgaudit'",
    "ALTER DATABASE app SET session_preload_libraries = 'pgaudit'",
    "LOAD 'pgaudit'",
    "CREATE EXTENSION file_fdw",
    "CREATE EXTENSION adminpack",
    "CREATE FUNCTION pid() RETURNS int AS 'libc.so.6', 'getpid' LANGUAGE c",
    "CREATE LANGUAGE plperlu",
    "GRANT pg_execute_server_program TO admin",
    "GRANT pg_read_server_files TO admin",
    "GRANT pg_write_server_files TO admin",
    "DO $$ BEGIN EXECUTE 'GRANT pg_execute_server_program TO admin'; END $$",
    "CREATE ROLE sneaky IN ROLE pg_execute_server_program",
    "CREATE ROLE sneaky2 SUPERUSER",
    "ALTER ROLE admin SUPERUSER",
    "ALTER ROLE admin REPLICATION",
    "ALTER ROLE rdsadmin PASSWORD 'taken'",
    "CREATE TABLESPACE t LOCATION '/tmp'",
], ids=lambda statement: statement.replace(MARK, "/tmp/kura-isolation"))  # the same in every pytest-xdist worker
def test_what_rds_refuses_the_master_user(rds, statement):
    result = psql(rds, "tenant", statement, dbname="app", check=False)
    assert not isinstance(result, str), f"{statement!r} was allowed"
    for suffix in ("-program", "-from-program", "-file", "-lo"):
        assert not os.path.exists(MARK + suffix)


def test_what_rds_allows_the_master_user(rds):
    psql(rds, "tenant", "CREATE ROLE app_user LOGIN PASSWORD 'App-pass-1'; GRANT rds_superuser TO app_user")
    psql(rds, "tenant", "GRANT app_user TO admin")
    psql(rds, "tenant", "CREATE DATABASE other OWNER app_user")
    assert psql(rds, "tenant", "SELECT 1", user="app_user", password="App-pass-1", dbname="other") == "1"
    psql(rds, "tenant", "CREATE EXTENSION pgcrypto", dbname="app")
    assert psql(rds, "tenant", "SELECT encode(digest('x', 'sha256'), 'hex')", dbname="app").startswith("2d711642")
    psql(rds, "tenant", "CREATE TABLE owned (v int); GRANT SELECT ON owned TO app_user", dbname="app")
    sessions = psql(rds, "tenant", "SELECT count(*) >= 1 FROM pg_stat_activity WHERE usename = 'admin'")
    assert sessions == "t"  # pg_monitor: every session shows
    if PGEXTWLIST:
        psql(rds, "tenant", "CREATE EXTENSION pg_stat_statements", dbname="app")
        assert psql(rds, "tenant", "SELECT count(*) > 0 FROM pg_stat_statements", dbname="app") == "t"
    if PGAUDIT:
        psql(rds, "tenant", "ALTER ROLE app_user SET pgaudit.log = 'write'")
        if PGEXTWLIST:
            psql(rds, "tenant", "CREATE EXTENSION pgaudit", dbname="app")


def test_kuras_own_sessions_ignore_the_tenants_settings(rds):
    """The master user owns the postgres database, where Kura works as a
    superuser: a search path to functions of its own (Kura asks
    pg_is_in_recovery() at every start) or a read-only default set on that
    database must not reach Kura's sessions."""
    psql(rds, "tenant", "CREATE SCHEMA evil; CREATE FUNCTION evil.pg_is_in_recovery() RETURNS boolean "
                        "LANGUAGE sql AS $$ ALTER ROLE admin SUPERUSER; SELECT false $$")
    psql(rds, "tenant", "ALTER DATABASE postgres SET search_path = evil, pg_catalog")
    psql(rds, "tenant", "ALTER DATABASE postgres SET default_transaction_read_only = on")
    try:
        rds.reboot_db_instance(DBInstanceIdentifier="tenant")
        wait_status(rds, "tenant", "available")
        assert psql(rds, "tenant", "SELECT rolsuper FROM pg_roles WHERE rolname = 'admin'") == "f"
    finally:
        psql(rds, "tenant", "BEGIN READ WRITE; ALTER DATABASE postgres RESET ALL; COMMIT")
        psql(rds, "tenant", "DROP SCHEMA evil CASCADE")


def test_links_planted_by_the_engine_are_never_followed(server, rds, victim):
    info = os.lstat(victim)
    before = (info.st_mode, info.st_uid, info.st_gid, info.st_size, info.st_mtime_ns)
    directory = engine_dir(server, rds, "tenant")
    # Kura's own settings, which it writes at every start.
    for name in ("kura.conf", "pg_hba.conf"):
        os.remove(os.path.join(directory, "pgdata", name))
        os.symlink(victim, os.path.join(directory, "pgdata", name))
    # A log file, the log shipper's state, and a FIFO where a log would be.
    os.symlink(victim, os.path.join(directory, "log", "postgresql.log.2000-01-01-00"))
    os.mkfifo(os.path.join(directory, "log", "postgresql.log.2000-01-01-01"))
    shipping = os.path.join(directory, "log-shipping.json")
    if os.path.lexists(shipping):  # the shipper notes the ends of logs not exported too
        os.remove(shipping)
    os.symlink(victim, shipping)
    rds.modify_db_instance(DBInstanceIdentifier="tenant", ApplyImmediately=True,
                           CloudwatchLogsExportConfiguration={"EnableLogTypes": ["postgresql"]})
    wait_status(rds, "tenant", "available")
    rds.reboot_db_instance(DBInstanceIdentifier="tenant")
    wait_status(rds, "tenant", "available")
    assert psql(rds, "tenant", "SELECT v FROM idle", dbname="app") == "kept"
    time.sleep(2)  # a pass of the log shipper
    assert_untouched(victim, before)
    for name in ("kura.conf", "pg_hba.conf"):
        path = os.path.join(directory, "pgdata", name)
        assert stat.S_ISREG(os.lstat(path).st_mode)  # the link was replaced, its target left alone

    names = [f["LogFileName"] for f in rds.describe_db_log_files(DBInstanceIdentifier="tenant")["DescribeDBLogFiles"]]
    assert names and "error/postgresql.log.2000-01-01-00" not in names
    assert "error/postgresql.log.2000-01-01-01" not in names
    for name in ("error/postgresql.log.2000-01-01-00", "error/postgresql.log.2000-01-01-01"):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            rds.download_db_log_file_portion(DBInstanceIdentifier="tenant", LogFileName=name)
        assert error.value.response["Error"]["Code"] == "DBLogFileNotFoundFault"

    # The whole log directory swapped for a link to the host's files.
    log = os.path.join(directory, "log")
    os.rename(log, log + "-real")
    os.symlink(os.path.dirname(victim), log)
    try:
        names = [f["LogFileName"] for f in
                 rds.describe_db_log_files(DBInstanceIdentifier="tenant")["DescribeDBLogFiles"]]
        assert "error/victim" not in names
        with pytest.raises(botocore.exceptions.ClientError):
            rds.download_db_log_file_portion(DBInstanceIdentifier="tenant", LogFileName="error/victim")
    finally:
        os.remove(log)
        os.rename(log + "-real", log)

    # Snapshot and restore with links in the data directory.
    os.symlink(victim, os.path.join(directory, "pgdata", "planted"))
    rds.create_db_snapshot(DBInstanceIdentifier="tenant", DBSnapshotIdentifier="tenant-snap")
    wait_status(rds, "tenant-snap", "available", snapshot=True)
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="tenant-restored",
                                             DBSnapshotIdentifier="tenant-snap")
    wait_status(rds, "tenant-restored", "available")
    assert psql(rds, "tenant-restored", "SELECT v FROM idle", dbname="app") == "kept"
    assert psql(rds, "tenant-restored", "SELECT rolsuper FROM pg_roles WHERE rolname = 'admin'") == "f"
    assert_untouched(victim, before)
    restored = engine_dir(server, rds, "tenant-restored")
    for root, _, files in os.walk(restored):
        for name in files:
            path = os.path.join(root, name)
            assert not (os.path.islink(path) and os.path.realpath(path) == os.path.realpath(victim))


def test_an_idle_instance_restores_to_30_seconds_ago(rds):
    # Nothing was written since the fixture's row: wait until that is 36 s ago.
    written = IDLE["written"]
    left = 36 - (datetime.datetime.now(datetime.timezone.utc) - written).total_seconds()
    if left > 0:
        time.sleep(left)
    now = datetime.datetime.now(datetime.timezone.utc)
    deadline = time.monotonic() + 20
    latest = None
    while time.monotonic() < deadline:
        latest = rds.describe_db_instances(DBInstanceIdentifier="quiet")["DBInstances"][0].get("LatestRestorableTime")
        if latest and latest >= now - datetime.timedelta(seconds=5):
            break
        time.sleep(0.5)
    assert latest and latest >= now - datetime.timedelta(seconds=5), f"the window stopped at {latest}"
    target = (now - datetime.timedelta(seconds=30)).replace(microsecond=0)
    assert target > written
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="quiet",
                                             TargetDBInstanceIdentifier="quiet-restored", RestoreTime=target)
    wait_status(rds, "quiet-restored", "available", timeout=180)
    assert psql(rds, "quiet-restored", "SELECT v FROM idle", dbname="app") == "kept"
