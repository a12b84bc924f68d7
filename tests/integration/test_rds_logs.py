"""RDS engine logs: PostgreSQL's log files through DescribeDBLogFiles and
DownloadDBLogFilePortion, and with EnableCloudwatchLogsExports=postgresql
the log and pgaudit's AUDIT lines shipped to CloudWatch Logs."""
import os
import time

import pytest

from rds_support import create_instance, psql

PGAUDIT = any(os.path.exists(f"/usr/lib/postgresql/{v}/lib/pgaudit.so")
              for v in os.listdir("/usr/lib/postgresql")) if os.path.isdir("/usr/lib/postgresql") else False


def wait_for_events(logs, group, pattern, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        if events:
            return events
        time.sleep(0.5)
    raise AssertionError(f"no event matching {pattern!r} in {group}")


@pytest.mark.skipif(not PGAUDIT, reason="pgaudit is not installed (scripts/install-deps.sh installs it)")
def test_audit_lines_reach_cloudwatch_logs(kura_factory):
    server = kura_factory()
    rds, logs = server.client("rds"), server.client("logs")
    create_instance(rds, "audited", BackupRetentionPeriod=0, EnableCloudwatchLogsExports=["postgresql"])
    instance = rds.describe_db_instances(DBInstanceIdentifier="audited")["DBInstances"][0]
    assert instance["EnabledCloudwatchLogsExports"] == ["postgresql"]
    # As on RDS: auditing is switched on per role (or database, or parameter group).
    psql(rds, "audited", "ALTER ROLE admin SET pgaudit.log = 'all'")
    marker = "audit_marker_" + os.urandom(4).hex()
    psql(rds, "audited", f"CREATE TABLE {marker} (id int); INSERT INTO {marker} VALUES (1)")
    group = "/aws/rds/instance/audited/postgresql"
    events = wait_for_events(logs, group, f'"AUDIT" "{marker}"')
    assert any("CREATE TABLE" in e["message"] for e in events) or \
        wait_for_events(logs, group, f'"CREATE TABLE {marker}"')
    assert all(e["logStreamName"] == "audited" for e in events)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["audited"]


def test_log_files_are_listed_and_downloaded(kura_factory, tmp_path):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "logged", BackupRetentionPeriod=0)
    psql(rds, "logged", "SELECT 1", password="wrong-password", check=False)  # a FATAL line in the log
    files = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not files:
        files = rds.describe_db_log_files(DBInstanceIdentifier="logged")["DescribeDBLogFiles"]
        time.sleep(0.2)
    assert files and files[0]["LogFileName"].startswith("error/postgresql.log.")
    assert files[0]["Size"] > 0 and files[0]["LastWritten"] > 0
    name = files[-1]["LogFileName"]
    text = ""
    deadline = time.monotonic() + 30
    while "password authentication failed" not in text and time.monotonic() < deadline:
        portion = rds.download_db_log_file_portion(DBInstanceIdentifier="logged", LogFileName=name, Marker="0")
        text = portion["LogFileData"]
        time.sleep(0.2)
    assert 'password authentication failed for user "admin"' in text
    assert portion["AdditionalDataPending"] is False
    # Line by line, in pages.
    page = rds.download_db_log_file_portion(DBInstanceIdentifier="logged", LogFileName=name, Marker="0",
                                            NumberOfLines=1)
    assert page["LogFileData"].count("\n") == 1 and page["AdditionalDataPending"] is True
    nxt = rds.download_db_log_file_portion(DBInstanceIdentifier="logged", LogFileName=name,
                                           Marker=page["Marker"], NumberOfLines=1)
    assert text.startswith(page["LogFileData"] + nxt["LogFileData"])
    # The newest lines when no marker is given.
    tail = rds.download_db_log_file_portion(DBInstanceIdentifier="logged", LogFileName=name, NumberOfLines=2)
    assert tail["LogFileData"].count("\n") == 2 and text.endswith(tail["LogFileData"])
    missing = server.aws("rds", "download-db-log-file-portion", "--db-instance-identifier", "logged",
                         "--log-file-name", "error/nope", check=False)
    assert "DBLogFileNotFoundFault" in missing.stderr
    cli = server.aws("rds", "download-db-log-file-portion", "--db-instance-identifier", "logged",
                     "--log-file-name", name, "--starting-token", "0")
    assert "password authentication failed" in cli["LogFileData"]
