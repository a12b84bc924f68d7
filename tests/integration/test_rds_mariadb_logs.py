"""Logs of RDS MySQL and MariaDB instances, as RDS keeps them: the error
log, the general and slow query logs (the parameter group turns them on),
and the MariaDB audit plugin's log (CONNECT and QUERY events, which the
master user can neither turn off nor move), listed and downloaded under
RDS's names and shipped to CloudWatch Logs as the instance exports them.
One instance serves every test (a MariaDB instance takes seconds to make)."""
import os
import time

import botocore.exceptions
import pytest

pymysql = pytest.importorskip("pymysql")

from rds_support import PASSWORD, endpoint, wait_status  # noqa: E402

if not os.path.exists("/usr/sbin/mariadbd"):
    pytest.skip("no MariaDB server installed", allow_module_level=True)
if not os.path.exists("/usr/lib/mysql/plugin/server_audit.so"):
    pytest.skip("no MariaDB audit plugin installed", allow_module_level=True)

ID = "logged"
ALL = ["audit", "error", "general", "slowquery"]
NEW_PASSWORD = "Changed-master-pass-7731"
TENANT_SECRET = "Tenant-secret-pass-5529"


def group(log):
    return f"/aws/rds/instance/{ID}/{log}"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def rds(server):
    client = server.client("rds")
    family = client.describe_db_engine_versions(Engine="mariadb")["DBEngineVersions"][0]
    assert family["SupportsLogExportsToCloudwatchLogs"] is True
    assert sorted(family["ExportableLogTypes"]) == ALL
    client.create_db_parameter_group(DBParameterGroupName="logging", Description="logs on",
                                     DBParameterGroupFamily=family["DBParameterGroupFamily"])
    client.modify_db_parameter_group(DBParameterGroupName="logging", Parameters=[
        {"ParameterName": name, "ParameterValue": value, "ApplyMethod": "immediate"}
        for name, value in (("general_log", "1"), ("slow_query_log", "1"), ("long_query_time", "0.2"))])
    client.create_db_instance(DBInstanceIdentifier=ID, Engine="mariadb", DBInstanceClass="db.t3.micro",
                              MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                              BackupRetentionPeriod=0, DBParameterGroupName="logging",
                              EnableCloudwatchLogsExports=ALL)
    wait_status(client, ID, "available", timeout=180)
    return client


@pytest.fixture(scope="module")
def logs(server):
    return server.client("logs")


def connect(rds, user="admin", password=PASSWORD):
    host, port = endpoint(rds, ID)
    return pymysql.connect(host=host, port=port, user=user, password=password, connect_timeout=10, autocommit=True)


def query(rds, sql, **kwargs):
    with connect(rds, **kwargs) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def refused(rds, sql):
    with pytest.raises(pymysql.MySQLError) as info:
        query(rds, sql)
    return info.value.args[0]


def marker(name):
    return f"{name}_{os.urandom(4).hex()}"


def events(logs, log, text):
    try:
        found = logs.filter_log_events(logGroupName=group(log), filterPattern=f'"{text}"')["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [e for e in found if text in e["message"]]


def wait_for_events(logs, log, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = events(logs, log, text)
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"no event with {text!r} in {group(log)}")


def download(rds, name):
    """The whole file, page by page from its start."""
    text, token = "", "0"
    while True:
        portion = rds.download_db_log_file_portion(DBInstanceIdentifier=ID, LogFileName=name, Marker=token)
        text += portion.get("LogFileData", "")
        token = portion["Marker"]
        if not portion["AdditionalDataPending"]:
            return text


def wait_in_file(rds, name, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = download(rds, name)
        if text in content:
            return content
        time.sleep(0.3)
    raise AssertionError(f"{text!r} is not in {name}")


def test_every_log_reaches_cloudwatch_logs(rds, logs):
    instance = rds.describe_db_instances(DBInstanceIdentifier=ID)["DBInstances"][0]
    assert sorted(instance["EnabledCloudwatchLogsExports"]) == ALL
    tag = marker("audit_marker")
    query(rds, f"SELECT '{tag}',\n  'second line'")
    # The audit plugin's QUERY record of it: one event, the record's fields.
    [event] = wait_for_events(logs, "audit", tag)
    assert "second line" in event["message"]
    fields = event["message"].split(",")
    assert fields[2] == "admin" and fields[6] == "QUERY", event["message"]
    assert event["logStreamName"] == ID
    assert abs(event["timestamp"] / 1000 - time.time()) < 120
    # And the connection it came on.
    assert any(",admin," in e["message"] and ",CONNECT," in e["message"]
               for e in logs.filter_log_events(logGroupName=group("audit"), filterPattern='"CONNECT"')["events"])
    # The general log (on in the parameter group) and the slow query log.
    wait_for_events(logs, "general", tag)
    slow = marker("slow_marker")
    query(rds, f"SELECT SLEEP(0.3), '{slow}'")
    [entry] = wait_for_events(logs, "slowquery", slow)
    assert "# Query_time:" in entry["message"] and "SLEEP(0.3)" in entry["message"]  # one event per entry
    errors = logs.filter_log_events(logGroupName=group("error"), filterPattern='"ready for connections"')["events"]
    assert errors
    streams = logs.describe_log_streams(logGroupName=group("audit"))["logStreams"]
    assert [s["logStreamName"] for s in streams] == [ID]


def test_log_files_are_listed_and_downloaded_under_rds_names(rds, server):
    tag = marker("download_marker")
    query(rds, f"SELECT '{tag}'")
    wait_in_file(rds, "audit/server_audit.log", tag)
    names = [f["LogFileName"] for f in rds.describe_db_log_files(DBInstanceIdentifier=ID)["DescribeDBLogFiles"]]
    for name in ("audit/server_audit.log", "error/mysql-error.log", "general/mysql-general.log",
                 "slowquery/mysql-slowquery.log"):
        assert name in names, names
    only = rds.describe_db_log_files(DBInstanceIdentifier=ID, FilenameContains="audit")["DescribeDBLogFiles"]
    assert [f["LogFileName"] for f in only] == ["audit/server_audit.log"] and only[0]["Size"] > 0
    assert "ready for connections" in download(rds, "error/mysql-error.log")
    assert tag in download(rds, "general/mysql-general.log")
    tail = rds.download_db_log_file_portion(DBInstanceIdentifier=ID, LogFileName="error/mysql-error.log",
                                            NumberOfLines=1)
    assert tail["LogFileData"].count("\n") == 1
    missing = server.aws("rds", "download-db-log-file-portion", "--db-instance-identifier", ID,
                         "--log-file-name", "error/postgresql.log", check=False)
    assert "DBLogFileNotFoundFault" in missing.stderr


def test_the_master_cannot_stop_or_move_auditing(rds):
    for statement in ("SET GLOBAL server_audit_logging = OFF",
                      "SET GLOBAL server_audit_events = ''",
                      "SET GLOBAL server_audit_excl_users = 'admin'",
                      "SET GLOBAL server_audit_file_path = '/tmp/kura-audit-elsewhere.log'",
                      "SET GLOBAL server_audit_output_type = 'syslog'",
                      "SET GLOBAL general_log = OFF",
                      "SET SESSION sql_log_off = 1"):
        assert refused(rds, statement) == 1227, statement  # needs SUPER
    # The plugin cannot be unloaded (though the master may DELETE from mysql.plugin).
    assert refused(rds, "UNINSTALL SONAME 'server_audit'") in (1702, 1227, 1044, 1305)
    assert refused(rds, "UNINSTALL PLUGIN server_audit") in (1702, 1227, 1044, 1305)
    # No other plugin can be loaded: the plugin directory holds the audit plugin only.
    for library in ("disks", "ha_federatedx", "file_key_management"):
        assert refused(rds, f"INSTALL SONAME '{library}'") in (1126, 1227, 1044), library
    assert query(rds, "SELECT @@global.server_audit_logging, @@global.server_audit_events") == \
        ((1, "CONNECT,QUERY"),)
    assert not os.path.exists("/tmp/kura-audit-elsewhere.log")
    # Still audited after all that.
    tag = marker("after_attack")
    query(rds, f"SELECT '{tag}'")
    wait_in_file(rds, "audit/server_audit.log", tag)


def test_no_password_reaches_a_log(rds, logs):
    # The tenant's own statements with passwords: the plugin masks them.
    tag = marker("user_marker")
    query(rds, f"CREATE USER '{tag}'@'%' IDENTIFIED BY '{TENANT_SECRET}'")
    query(rds, f"ALTER USER '{tag}'@'%' IDENTIFIED BY '{TENANT_SECRET}'")
    query(rds, f"SET PASSWORD FOR '{tag}'@'%' = PASSWORD('{TENANT_SECRET}')")
    query(rds, f"GRANT SELECT ON mysql.* TO '{tag}_2'@'%' IDENTIFIED BY '{TENANT_SECRET}'")
    # Kura's own: creating the master user, and changing its password.
    rds.modify_db_instance(DBInstanceIdentifier=ID, MasterUserPassword=NEW_PASSWORD, ApplyImmediately=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            query(rds, "SELECT 1", password=NEW_PASSWORD)
            break
        except pymysql.MySQLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    wait_status(rds, ID, "available", timeout=60)
    audit = wait_in_file(rds, "audit/server_audit.log", f"SET PASSWORD FOR \\'{tag}")
    for statement in ("CREATE USER", "ALTER USER", "GRANT SELECT ON mysql.* TO"):
        assert f"{statement} \\'{tag}" in audit, statement  # the plugin escapes quotes
    deadline = time.monotonic() + 30
    while len(shipped := events(logs, "audit", tag)) < 4 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert len(shipped) == 4, shipped
    for text in [audit, download(rds, "error/mysql-error.log"), download(rds, "general/mysql-general.log"),
                 download(rds, "slowquery/mysql-slowquery.log")] + [e["message"] for e in shipped]:
        assert PASSWORD not in text and NEW_PASSWORD not in text
    assert TENANT_SECRET not in audit
    for log in ALL:
        assert not events(logs, log, PASSWORD) and not events(logs, log, NEW_PASSWORD)
    assert not events(logs, "audit", TENANT_SECRET)


def test_exports_follow_modify_db_instance(rds, logs):
    rds.modify_db_instance(DBInstanceIdentifier=ID, ApplyImmediately=True,
                           CloudwatchLogsExportConfiguration={"DisableLogTypes": ["general", "audit"]})
    instance = rds.describe_db_instances(DBInstanceIdentifier=ID)["DBInstances"][0]
    assert sorted(instance["EnabledCloudwatchLogsExports"]) == ["error", "slowquery"]
    quiet = marker("while_off")
    query(rds, f"SELECT '{quiet}'", password=NEW_PASSWORD)
    # Still audited (auditing does not depend on the export), not shipped.
    wait_in_file(rds, "audit/server_audit.log", quiet)
    time.sleep(3)  # the shipper passes it over
    rds.modify_db_instance(DBInstanceIdentifier=ID, ApplyImmediately=True,
                           CloudwatchLogsExportConfiguration={"EnableLogTypes": ["general", "audit"]})
    instance = rds.describe_db_instances(DBInstanceIdentifier=ID)["DBInstances"][0]
    assert sorted(instance["EnabledCloudwatchLogsExports"]) == ALL
    loud = marker("while_on")
    query(rds, f"SELECT '{loud}'", password=NEW_PASSWORD)
    wait_for_events(logs, "audit", loud)
    wait_for_events(logs, "general", loud)
    assert not events(logs, "audit", quiet) and not events(logs, "general", quiet)


def test_log_types_of_another_engine_are_refused(rds):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.modify_db_instance(DBInstanceIdentifier=ID, ApplyImmediately=True,
                               CloudwatchLogsExportConfiguration={"EnableLogTypes": ["postgresql"]})
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert "'postgresql'" in info.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.create_db_instance(DBInstanceIdentifier="wrong-logs", Engine="mysql", DBInstanceClass="db.t3.micro",
                               MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                               EnableCloudwatchLogsExports=["error", "upgrade"])
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert not rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": ["wrong-logs"]}])["DBInstances"]
