"""RDS instances of the engines mysql and mariadb on the installed MariaDB
server, through boto3, a MySQL driver (PyMySQL) and the mariadb client: the
data written is read back, the master user has what RDS gives it and no
more, snapshots (encrypted ones too) restore the data, parameter groups
reach SHOW VARIABLES, and the server goes with the instance."""
import datetime
import os
import re
import subprocess
import time

import botocore.exceptions
import pytest

pymysql = pytest.importorskip("pymysql")

from rds_support import PASSWORD, endpoint, wait_gone, wait_restorable, wait_status  # noqa: E402

if not os.path.exists("/usr/sbin/mariadbd"):
    pytest.skip("no MariaDB server installed", allow_module_level=True)


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def rds(server):
    return server.client("rds")


def connect(rds, identifier, user="admin", password=PASSWORD, database=None):
    host, port = endpoint(rds, identifier)
    return pymysql.connect(host=host, port=port, user=user, password=password, database=database,
                           connect_timeout=10, autocommit=True)


def query(rds, identifier, sql, **kwargs):
    with connect(rds, identifier, **kwargs) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def refused(rds, identifier, sql, **kwargs):
    """The server's error code for a statement it must refuse."""
    with pytest.raises(pymysql.MySQLError) as info:
        query(rds, identifier, sql, **kwargs)
    return info.value.args[0]


def create(rds, identifier, engine, **extra):
    params = dict(DBInstanceIdentifier=identifier, Engine=engine, DBInstanceClass="db.t3.micro",
                  MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                  BackupRetentionPeriod=1)
    params.update(extra)
    return rds.create_db_instance(**params)["DBInstance"]


def servers_below(directory):
    """Pids of the mariadbd processes whose command line names `directory`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        if argv and argv[0].endswith(b"mariadbd") and any(directory.encode() in arg for arg in argv):
            pids.append(int(entry))
    return pids


def test_mysql_and_mariadb_instances_store_and_read_back(rds):
    shop = create(rds, "shop", "mysql", EngineVersion="8.0.36", DBName="shop")
    blog = create(rds, "blog", "mariadb")
    assert shop["Engine"] == "mysql" and shop["EngineVersion"] == "8.0.36"
    assert blog["Engine"] == "mariadb" and blog["EngineVersion"].startswith(("10.", "11."))
    wait_status(rds, "shop", "available", timeout=180)
    wait_status(rds, "blog", "available", timeout=180)
    instance = rds.describe_db_instances(DBInstanceIdentifier="shop")["DBInstances"][0]
    assert instance["LicenseModel"] == "general-public-license"
    assert instance["DBParameterGroups"][0]["DBParameterGroupName"] == "default.mysql8.0"
    assert instance["Endpoint"]["Port"] == instance["DbInstancePort"] or instance["Endpoint"]["Port"] > 0
    # The database asked for exists; rows written over TCP read back.
    query(rds, "shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40))")
    query(rds, "shop", "INSERT INTO shop.orders VALUES (1, 'apple'), (2, 'pear')")
    assert query(rds, "shop", "SELECT item FROM shop.orders ORDER BY id") == (("apple",), ("pear",))
    version = query(rds, "blog", "SELECT VERSION()")[0][0]
    assert "MariaDB" in version
    # The mariadb client connects too.
    host, port = endpoint(rds, "blog")
    result = subprocess.run(["mariadb", "--no-defaults", "-h", host, "-P", str(port), "-u", "admin",
                             f"-p{PASSWORD}", "-N", "-e", "CREATE DATABASE notes; CREATE TABLE notes.n (v TEXT); "
                             "INSERT INTO notes.n VALUES ('first'); SELECT v FROM notes.n"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "first"
    assert refused(rds, "shop", "SELECT 1", password="wrong-password") == 1045


def test_the_master_user_has_what_rds_gives_it_and_no_more(rds):
    # What RDS's master may do: databases, users, grants on them.
    query(rds, "shop", "CREATE DATABASE reports")
    query(rds, "shop", "CREATE USER 'analyst'@'%' IDENTIFIED BY 'Analyst-pass1'")
    query(rds, "shop", "GRANT ALL ON reports.* TO 'analyst'@'%'")
    query(rds, "shop", "CREATE TABLE reports.r (n INT)", user="analyst", password="Analyst-pass1")
    query(rds, "shop", "INSERT INTO reports.r VALUES (7)", user="analyst", password="Analyst-pass1")
    assert query(rds, "shop", "SELECT n FROM reports.r") == ((7,),)
    # What it may not: files, server settings, plugins, shutdown, SUPER or FILE for itself.
    assert refused(rds, "shop", "SELECT 1 INTO OUTFILE '/tmp/kura-mariadb-outfile'") in (1045, 1227)
    assert not os.path.exists("/tmp/kura-mariadb-outfile")
    assert refused(rds, "shop", "LOAD DATA INFILE '/etc/passwd' INTO TABLE shop.orders") in (1045, 1227)
    assert refused(rds, "shop", "SET GLOBAL general_log_file = '/tmp/kura-mariadb-general.log'") == 1227
    assert refused(rds, "shop", "SET GLOBAL max_connections = 5") == 1227
    # No plugin but the audit plugin, loaded for good (test_rds_mariadb_logs.py).
    assert refused(rds, "shop", "INSTALL SONAME 'ha_federatedx'") in (1126, 1227, 1044)
    assert not query(rds, "shop", "SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'FEDERATED'")
    assert refused(rds, "shop", "SHUTDOWN") == 1227
    assert refused(rds, "shop", "GRANT SUPER ON *.* TO 'admin'@'%'") in (1045, 1044)
    assert refused(rds, "shop", "GRANT FILE ON *.* TO 'analyst'@'%'") in (1045, 1044)
    assert refused(rds, "shop", "FLUSH PRIVILEGES") == 1227
    grants = " ".join(row[0] for row in query(rds, "shop", "SHOW GRANTS"))
    assert "SUPER" not in grants and "FILE" not in grants and "SHUTDOWN" not in grants
    # Privileges written straight into the grant tables never take effect:
    # the server puts the accounts back as they must be at its next start.
    query(rds, "shop", "UPDATE mysql.global_priv SET Priv = JSON_SET(Priv, '$.access', 18446744073709551615) "
                       "WHERE User IN ('admin', 'analyst')")
    rds.reboot_db_instance(DBInstanceIdentifier="shop")
    wait_status(rds, "shop", "available", timeout=120)
    assert refused(rds, "shop", "SET GLOBAL general_log_file = '/tmp/kura-mariadb-general.log'") == 1227
    assert refused(rds, "shop", "SELECT 1 INTO OUTFILE '/tmp/kura-mariadb-outfile'", user="analyst",
                   password="Analyst-pass1") in (1045, 1227)
    assert refused(rds, "shop", "SHUTDOWN") == 1227
    assert query(rds, "shop", "SELECT COUNT(*) FROM shop.orders") == ((2,),)


def test_snapshot_and_restore_bring_the_rows_back(rds):
    query(rds, "blog", "CREATE TABLE notes.snap (n INT)")
    query(rds, "blog", "INSERT INTO notes.snap VALUES (1), (2)")
    rds.create_db_snapshot(DBInstanceIdentifier="blog", DBSnapshotIdentifier="blog-snap")
    wait_status(rds, "blog-snap", "available", timeout=180, snapshot=True)
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="blog-snap")["DBSnapshots"][0]
    assert snapshot["Engine"] == "mariadb"
    query(rds, "blog", "INSERT INTO notes.snap VALUES (3)")
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="blog-restored", DBSnapshotIdentifier="blog-snap")
    wait_status(rds, "blog-restored", "available", timeout=180)
    restored = rds.describe_db_instances(DBInstanceIdentifier="blog-restored")["DBInstances"][0]
    assert restored["Engine"] == "mariadb"
    assert query(rds, "blog-restored", "SELECT n FROM notes.snap ORDER BY n") == ((1,), (2,))
    assert query(rds, "blog", "SELECT COUNT(*) FROM notes.snap") == ((3,),)  # the source is untouched
    assert endpoint(rds, "blog-restored") != endpoint(rds, "blog")


def test_point_in_time_restore_between_two_writes(rds):
    query(rds, "blog", "CREATE TABLE notes.pitr (label VARCHAR(10))")
    query(rds, "blog", "INSERT INTO notes.pitr VALUES ('A')")
    time.sleep(1.5)
    between = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(1.5)
    query(rds, "blog", "INSERT INTO notes.pitr VALUES ('B')")
    written = datetime.datetime.now(datetime.timezone.utc)
    # The binary log archive follows within seconds.
    wait_restorable(rds, "blog", written, timeout=30)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="blog", TargetDBInstanceIdentifier="blog-pitr",
                                             RestoreTime=between)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="blog",
                                             TargetDBInstanceIdentifier="blog-latest", UseLatestRestorableTime=True)
    wait_status(rds, "blog-pitr", "available", timeout=180)
    wait_status(rds, "blog-latest", "available", timeout=180)
    assert query(rds, "blog-pitr", "SELECT label FROM notes.pitr ORDER BY label") == (("A",),)
    assert query(rds, "blog-latest", "SELECT label FROM notes.pitr ORDER BY label") == (("A",), ("B",))
    assert query(rds, "blog-pitr", "SELECT COUNT(*) FROM notes.snap") == ((3,),)  # what followed the snapshot too


def test_encrypted_snapshot_holds_no_plaintext_and_restores(rds, server):
    create(rds, "vault", "mysql", StorageEncrypted=True)
    wait_status(rds, "vault", "available", timeout=180)
    marker = "kura-plaintext-marker-4471"
    query(rds, "vault", "CREATE DATABASE v")
    query(rds, "vault", "CREATE TABLE v.secrets (s VARCHAR(60))")
    query(rds, "vault", f"INSERT INTO v.secrets VALUES ('{marker}')")
    rds.create_db_snapshot(DBInstanceIdentifier="vault", DBSnapshotIdentifier="vault-snap")
    wait_status(rds, "vault-snap", "available", timeout=180, snapshot=True)
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="vault-snap")["DBSnapshots"][0]
    assert snapshot["Encrypted"] is True
    snapshots = os.path.join(server.data_dir, "rds", "snapshots")
    files = [os.path.join(d, f) for d, _, names in os.walk(snapshots) for f in names if "vault-snap" in d]
    assert files
    for path in files:
        with open(path, "rb") as f:
            assert marker.encode() not in f.read(), path
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="vault-restored", DBSnapshotIdentifier="vault-snap")
    wait_status(rds, "vault-restored", "available", timeout=180)
    assert query(rds, "vault-restored", "SELECT s FROM v.secrets") == ((marker,),)
    # The binary log archive is sealed too, and a point-in-time restore opens it.
    later = "kura-plaintext-marker-5582"
    query(rds, "vault", f"INSERT INTO v.secrets VALUES ('{later}')")
    written = datetime.datetime.now(datetime.timezone.utc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        vault = rds.describe_db_instances(DBInstanceIdentifier="vault")["DBInstances"][0]
        if vault.get("LatestRestorableTime") and vault["LatestRestorableTime"] >= written:
            break
        time.sleep(0.5)
    archive = os.path.join(server.data_dir, "rds", "wal", vault["DbiResourceId"])
    archived = [os.path.join(archive, name) for name in os.listdir(archive) if name.startswith("mysql-bin.")]
    assert archived
    for path in archived:
        with open(path, "rb") as f:
            assert later.encode() not in f.read(), path
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="vault",
                                             TargetDBInstanceIdentifier="vault-latest", UseLatestRestorableTime=True)
    wait_status(rds, "vault-latest", "available", timeout=180)
    assert query(rds, "vault-latest", "SELECT s FROM v.secrets ORDER BY s") == ((marker,), (later,))


def show_variable(rds, identifier, name):
    rows = query(rds, identifier, f"SHOW VARIABLES LIKE '{name}'")
    return rows[0][1] if rows else None


def wait_variable(rds, identifier, name, wanted, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and show_variable(rds, identifier, name) != wanted:
        time.sleep(0.3)
    assert show_variable(rds, identifier, name) == wanted


def test_parameter_group_values_reach_show_variables(rds):
    rds.create_db_parameter_group(DBParameterGroupName="shop-params", DBParameterGroupFamily="mysql8.0",
                                  Description="shop")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.modify_db_parameter_group(DBParameterGroupName="shop-params", Parameters=[
            {"ParameterName": "sql_mode", "ParameterValue": "NOT_A_MODE", "ApplyMethod": "immediate"}])
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "sql_mode" in info.value.response["Error"]["Message"]
    rds.modify_db_parameter_group(DBParameterGroupName="shop-params", Parameters=[
        {"ParameterName": "sql_mode", "ParameterValue": "ANSI_QUOTES,STRICT_ALL_TABLES", "ApplyMethod": "immediate"},
        {"ParameterName": "time_zone", "ParameterValue": "Asia/Tokyo", "ApplyMethod": "immediate"},
        {"ParameterName": "max_connections", "ParameterValue": "42", "ApplyMethod": "immediate"}])
    names = {p["ParameterName"] for p in rds.describe_db_parameters(DBParameterGroupName="shop-params")["Parameters"]}
    assert {"sql_mode", "time_zone", "max_connections"} <= names
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.modify_db_instance(DBInstanceIdentifier="blog", DBParameterGroupName="shop-params", ApplyImmediately=True)
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"  # a mysql8.0 group on mariadb
    rds.modify_db_instance(DBInstanceIdentifier="shop", DBParameterGroupName="shop-params", ApplyImmediately=True)
    wait_status(rds, "shop", "available")
    # The dynamic values apply at once (SET GLOBAL); a new group still
    # takes a reboot, as on RDS, which reads them from the configuration.
    wait_variable(rds, "shop", "sql_mode", "ANSI_QUOTES,STRICT_ALL_TABLES")
    assert show_variable(rds, "shop", "max_connections") == "42"
    instance = rds.describe_db_instances(DBInstanceIdentifier="shop")["DBInstances"][0]
    assert instance["DBParameterGroups"][0]["ParameterApplyStatus"] == "pending-reboot"
    rds.reboot_db_instance(DBInstanceIdentifier="shop")
    wait_status(rds, "shop", "available", timeout=120)
    assert show_variable(rds, "shop", "sql_mode") == "ANSI_QUOTES,STRICT_ALL_TABLES"
    assert show_variable(rds, "shop", "time_zone") == "Asia/Tokyo"
    assert show_variable(rds, "shop", "max_connections") == "42"
    # A dynamic change applies without a reboot.
    rds.modify_db_parameter_group(DBParameterGroupName="shop-params", Parameters=[
        {"ParameterName": "max_connections", "ParameterValue": "57", "ApplyMethod": "immediate"}])
    wait_variable(rds, "shop", "max_connections", "57")


def test_stop_start_and_reboot_keep_the_data(rds, server):
    instance_dirs = os.path.join(server.data_dir, "rds", "instances")
    rds.stop_db_instance(DBInstanceIdentifier="blog")
    wait_status(rds, "blog", "stopped", timeout=120)
    host, port = endpoint(rds, "blog")
    with pytest.raises(pymysql.MySQLError):
        pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, connect_timeout=3)
    rds.start_db_instance(DBInstanceIdentifier="blog")
    wait_status(rds, "blog", "available", timeout=120)
    assert query(rds, "blog", "SELECT COUNT(*) FROM notes.snap") == ((3,),)
    rds.reboot_db_instance(DBInstanceIdentifier="blog")
    wait_status(rds, "blog", "available", timeout=120)
    assert query(rds, "blog", "SELECT v FROM notes.n") == (("first",),)
    assert servers_below(instance_dirs)


def test_new_master_password_and_the_error_log(rds):
    rds.modify_db_instance(DBInstanceIdentifier="blog", MasterUserPassword="Changed-pass-2", ApplyImmediately=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            query(rds, "blog", "SELECT 1", password="Changed-pass-2")
            break
        except pymysql.MySQLError:
            time.sleep(0.3)
    assert query(rds, "blog", "SELECT COUNT(*) FROM notes.snap", password="Changed-pass-2") == ((3,),)
    assert refused(rds, "blog", "SELECT 1") == 1045  # the old password no longer
    rds.modify_db_instance(DBInstanceIdentifier="blog", MasterUserPassword=PASSWORD, ApplyImmediately=True)
    wait_status(rds, "blog", "available")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            query(rds, "blog", "SELECT 1")
            break
        except pymysql.MySQLError:
            time.sleep(0.3)
    # The server's error log, as RDS names it.
    files = [f["LogFileName"] for f in rds.describe_db_log_files(DBInstanceIdentifier="blog")["DescribeDBLogFiles"]]
    assert "error/mysql-error.log" in files
    portion = rds.download_db_log_file_portion(DBInstanceIdentifier="blog", LogFileName="error/mysql-error.log")
    assert "ready for connections" in portion["LogFileData"]


def test_a_killed_kura_finds_its_servers_running_and_adopts_them(rds, server):
    instance_dirs = os.path.join(server.data_dir, "rds", "instances")
    before = sorted(servers_below(instance_dirs))
    resource_id = rds.describe_db_instances(DBInstanceIdentifier="shop")["DBInstances"][0]["DbiResourceId"]
    with open(os.path.join(instance_dirs, resource_id, "kura.cnf")) as f:
        engine_port = int(re.search(r"^port\s*=\s*(\d+)", f.read(), re.M).group(1))
    server.stop(sigkill=True)
    assert sorted(servers_below(instance_dirs)) == before  # the servers outlive Kura
    # They serve on their own ports; the endpoint, Kura's proxy, is back with Kura.
    with pymysql.connect(host="127.0.0.1", port=engine_port, user="admin", password=PASSWORD,
                         connect_timeout=10) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM shop.orders")
            assert cursor.fetchall() == ((2,),)
    server.start()
    time.sleep(3)  # a few supervisor passes
    wait_status(rds, "shop", "available")
    assert query(rds, "shop", "SELECT COUNT(*) FROM shop.orders") == ((2,),)
    assert sorted(servers_below(instance_dirs)) == before  # adopted, none started twice


def test_delete_leaves_no_server_behind(rds, server):
    instance_dirs = os.path.join(server.data_dir, "rds", "instances")
    names = ["shop", "blog", "blog-restored", "blog-pitr", "blog-latest", "vault", "vault-restored", "vault-latest"]
    assert len(servers_below(instance_dirs)) == len(names)
    for name in names:
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    wait_gone(rds, names)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and servers_below(instance_dirs):
        time.sleep(0.2)
    assert servers_below(instance_dirs) == []


def test_a_deep_data_directory_still_serves_mariadb_multi_az(kura_factory):
    """Under a data directory too deep for a Unix socket's path (107 bytes)
    the servers' sockets go to a short folder of their own, and their pid
    files stay in theirs: both nodes start, and the rows are read back."""
    deep = kura_factory(subdir="a-data-directory-as-deep-as-an-operator-may-choose/" + "x" * 40)
    rds = deep.client("rds")
    create(rds, "deepmy", "mariadb", MultiAZ=True, BackupRetentionPeriod=0)
    wait_status(rds, "deepmy", "available", timeout=240)
    query(rds, "deepmy", "CREATE DATABASE shop")
    query(rds, "deepmy", "CREATE TABLE shop.kept (n INT PRIMARY KEY)")
    query(rds, "deepmy", "INSERT INTO shop.kept VALUES (7)")
    assert query(rds, "deepmy", "SELECT n FROM shop.kept") == ((7,),)
    assert len(servers_below(os.path.join(deep.data_dir, "rds", "instances"))) == 2
    rds.delete_db_instance(DBInstanceIdentifier="deepmy", SkipFinalSnapshot=True)
    wait_gone(rds, ["deepmy"])


def test_engine_versions_say_what_runs_and_refusals_are_clear(rds):
    versions = rds.describe_db_engine_versions(Engine="mariadb")["DBEngineVersions"]
    assert versions and "MariaDB 1" in versions[0]["DBEngineVersionDescription"]
    assert "installed on this host" in versions[0]["DBEngineVersionDescription"]
    mysql = rds.describe_db_engine_versions(Engine="mysql")["DBEngineVersions"]
    assert mysql[0]["DBParameterGroupFamily"] == "mysql8.0"
    assert "MariaDB" in mysql[0]["DBEngineVersionDescription"]
    aurora = rds.describe_db_engine_versions(Engine="aurora-mysql")["DBEngineVersions"]
    assert aurora[0]["DBParameterGroupFamily"] == "aurora-mysql8.0"
    assert "MariaDB" in aurora[0]["DBEngineVersionDescription"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        create(rds, "refused", "mysql", EngineVersion="5.7.44")
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"
    # Aurora MySQL 2 (MySQL 5.7) is not served; Aurora MySQL 3 is.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.create_db_cluster(DBClusterIdentifier="old-aurora", Engine="aurora-mysql", MasterUsername="admin",
                              MasterUserPassword=PASSWORD, EngineVersion="5.7.mysql_aurora.2.11.2")
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.create_db_instance(DBInstanceIdentifier="refused", Engine="aurora-mysql", DBInstanceClass="db.r6g.large")
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"
