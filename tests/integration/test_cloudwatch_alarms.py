"""CloudWatch alarms follow their metric: a custom metric crosses the
threshold and back, the history records each change and the actions Kura
cannot deliver; an alarm on an RDS instance's DatabaseConnections with
missing data treated as breaching detects a stopped instance (the runbook's
first step of an incident: a CloudWatch alarm)."""
import json
import time

import botocore.exceptions
import pytest
import raw_http

from rds_support import create_instance, endpoint, wait_status

TOPIC = "arn:aws:sns:ap-northeast-1:000000000000:ops"


def wait_state(cw, name, state, timeout=60):
    deadline, alarm = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        alarm = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
        if alarm["StateValue"] == state:
            return alarm
        time.sleep(0.3)
    raise AssertionError(f"{name} stayed {alarm['StateValue']}: {alarm['StateReason']}")


def next_period(seconds=10):
    time.sleep(seconds - time.time() % seconds + 0.2)


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"]


def test_alarm_follows_its_metric_and_keeps_history(kura):
    cw = kura.client("cloudwatch")
    kura.aws("cloudwatch", "put-metric-alarm", "--alarm-name", "queue-deep", "--namespace", "Shop",
             "--metric-name", "QueueDepth", "--dimensions", "Name=Queue,Value=orders", "--statistic", "Maximum",
             "--period", "10", "--evaluation-periods", "1", "--threshold", "5",
             "--comparison-operator", "GreaterThanThreshold", "--alarm-actions", TOPIC)
    alarm = cw.describe_alarms(AlarmNames=["queue-deep"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["AlarmArn"].endswith(":alarm:queue-deep") and alarm["AlarmActions"] == [TOPIC]
    dims = [{"Name": "Queue", "Value": "orders"}]

    next_period()
    cw.put_metric_data(Namespace="Shop", MetricData=[{"MetricName": "QueueDepth", "Dimensions": dims, "Value": 9}])
    alarm = wait_state(cw, "queue-deep", "ALARM", timeout=8)
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [9")
    assert json.loads(alarm["StateReasonData"])["recentDatapoints"] == [9]
    assert [a["AlarmName"] for a in cw.describe_alarms(StateValue="ALARM")["MetricAlarms"]] == ["queue-deep"]

    next_period()
    cw.put_metric_data(Namespace="Shop", MetricData=[{"MetricName": "QueueDepth", "Dimensions": dims, "Value": 2}])
    wait_state(cw, "queue-deep", "OK", timeout=8)

    history = cw.describe_alarm_history(AlarmName="queue-deep", ScanBy="TimestampAscending")["AlarmHistoryItems"]
    summaries = [(h["HistoryItemType"], h["HistorySummary"]) for h in history]
    assert summaries[0] == ("ConfigurationUpdate", 'Alarm "queue-deep" created')
    assert ("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM") in summaries
    # From ALARM to OK directly: an evaluation early in the new period,
    # before its datapoint came, looked at the last complete period (a
    # period just begun is not missing data).
    updates = [summary for kind, summary in summaries if kind == "StateUpdate"]
    after_alarm = updates[updates.index("Alarm updated from INSUFFICIENT_DATA to ALARM") + 1:]
    assert after_alarm == ["Alarm updated from ALARM to OK"], updates
    # The SNS action cannot be delivered here: the history says so, as CloudWatch does for a failed action.
    assert ("Action", f"Failed to execute action {TOPIC}") in summaries
    assert cw.describe_alarms_for_metric(Namespace="Shop", MetricName="QueueDepth", Dimensions=dims)["MetricAlarms"]

    # SetAlarmState for a drill; the next evaluation brings the real state back.
    cw.set_alarm_state(AlarmName="queue-deep", StateValue="ALARM", StateReason="drill")
    wait_state(cw, "queue-deep", "OK", timeout=8)
    assert error_code(cw.set_alarm_state, AlarmName="nope", StateValue="OK", StateReason="x") == "ResourceNotFound"
    assert error_code(cw.set_alarm_state, AlarmName="queue-deep", StateValue="OK", StateReason="x",
                      StateReasonData="{not json") == "InvalidFormat"

    # The alarm and its history survive a SIGKILL of Kura.
    kura.restart(sigkill=True)
    cw = kura.client("cloudwatch")
    assert cw.describe_alarms(AlarmNames=["queue-deep"])["MetricAlarms"][0]["StateValue"] == "OK"
    assert error_code(cw.delete_alarms, AlarmNames=["queue-deep", "nope"]) == "ResourceNotFound"
    assert cw.describe_alarms(AlarmNames=["queue-deep"])["MetricAlarms"]  # nothing deleted
    cw.delete_alarms(AlarmNames=["queue-deep"])
    assert cw.describe_alarms(AlarmNames=["queue-deep"])["MetricAlarms"] == []
    assert cw.describe_alarm_history(AlarmName="queue-deep")["AlarmHistoryItems"][0]["HistorySummary"] == \
        'Alarm "queue-deep" deleted'


def test_bad_alarms_are_refused(kura):
    cw = kura.client("cloudwatch")
    base = dict(AlarmName="bad", Namespace="Shop", MetricName="M", Statistic="Average", Period=60,
                EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    assert error_code(cw.put_metric_alarm, **dict(base, Period=45)) == "InvalidParameterValue"
    assert error_code(cw.put_metric_alarm, **dict(base, DatapointsToAlarm=2)) == "InvalidParameterValue"
    assert error_code(cw.put_metric_alarm, **dict(base, TreatMissingData="sometimes")) == "InvalidParameterValue"
    assert error_code(cw.put_metric_alarm, **dict(base, AlarmActions=["not-an-arn"])) == "InvalidParameterValue"
    assert error_code(cw.put_metric_alarm, **dict(base, Period=3600, EvaluationPeriods=200)) == "InvalidParameterValue"
    no_statistic = {k: v for k, v in base.items() if k != "Statistic"}
    assert error_code(cw.put_metric_alarm, **no_statistic) == "InvalidParameterCombination"
    assert error_code(cw.describe_alarms, AlarmNames=["a"], AlarmNamePrefix="a") == "InvalidParameterCombination"
    assert cw.describe_alarms(AlarmNames=["bad"])["MetricAlarms"] == []
    # A date that is not one answers an error (not a failed server).
    status, _, body = raw_http.send_signed(kura.endpoint, "monitoring", headers={
        "Content-Type": "application/x-www-form-urlencoded"},
        body=b"Action=DescribeAlarmHistory&Version=2010-08-01&StartDate=not-a-date")
    assert status == 400 and b"InvalidParameterValue" in body, body


def test_alarm_detects_a_stopped_rds_instance(kura_factory):
    server = kura_factory()
    rds, cw = server.client("rds"), server.client("cloudwatch")
    create_instance(rds, "watched", BackupRetentionPeriod=0)
    dims = [{"Name": "DBInstanceIdentifier", "Value": "watched"}]
    # Connections are recorded every few seconds while the instance answers.
    cw.put_metric_alarm(AlarmName="watched-down", Namespace="AWS/RDS", MetricName="DatabaseConnections",
                        Dimensions=dims, Statistic="SampleCount", Period=10, EvaluationPeriods=2,
                        DatapointsToAlarm=2, Threshold=1, ComparisonOperator="LessThanThreshold",
                        TreatMissingData="breaching")
    wait_state(cw, "watched-down", "OK", timeout=30)
    # FreeStorageSpace follows the first measurement of the instance's files
    # (every 30 s, on a thread of its own): it may come a little after.
    deadline, free = time.monotonic() + 45, []
    while not free and time.monotonic() < deadline:
        free = cw.get_metric_statistics(Namespace="AWS/RDS", MetricName="FreeStorageSpace", Dimensions=dims,
                                        StartTime=time.time() - 300, EndTime=time.time() + 60, Period=60,
                                        Statistics=["Minimum"])["Datapoints"]
        time.sleep(0 if free else 1)
    assert free and free[0]["Minimum"] > 0 and free[0]["Unit"] == "Bytes"

    rds.stop_db_instance(DBInstanceIdentifier="watched")
    wait_status(rds, "watched", "stopped")
    alarm = wait_state(cw, "watched-down", "ALARM", timeout=40)
    assert "2 out of the last 2 datapoints" in alarm["StateReason"]
    rds.start_db_instance(DBInstanceIdentifier="watched")
    wait_status(rds, "watched", "available")
    wait_state(cw, "watched-down", "OK", timeout=40)


def test_database_connections_counts_the_clients_of_an_instance(kura):
    """DatabaseConnections is the number of client sessions through the
    instance's endpoint (read from the server's processes), not Kura's own."""
    import psycopg2
    rds, cw = kura.client("rds"), kura.client("cloudwatch")
    create_instance(rds, "counted", BackupRetentionPeriod=0)
    dims = [{"Name": "DBInstanceIdentifier", "Value": "counted"}]
    host, port = endpoint(rds, "counted")

    def await_value(wanted, timeout=30):
        """Waits for the newest period's maximum to be `wanted`; returns
        the values seen."""
        deadline, seen = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            data = cw.get_metric_data(MetricDataQueries=[{"Id": "c", "MetricStat": {"Metric": {
                "Namespace": "AWS/RDS", "MetricName": "DatabaseConnections", "Dimensions": dims},
                "Period": 5, "Stat": "Maximum"}}], StartTime=time.time() - 60, EndTime=time.time() + 60)
            values = data["MetricDataResults"][0]["Values"]  # newest first
            seen = values[:3]
            if values and values[0] == wanted:
                return seen
            time.sleep(0.5)
        raise AssertionError(f"DatabaseConnections is {seen}, not {wanted}")

    sessions = [psycopg2.connect(host=host, port=port, user="admin", password="S3cret-pass", dbname="postgres",
                                 connect_timeout=10) for _ in range(3)]
    try:
        await_value(3)
    finally:
        for session in sessions:
            session.close()
    await_value(0)
