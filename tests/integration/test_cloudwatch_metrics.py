"""CloudWatch metrics: what is put is read back as exact statistics per
period, through boto3 and the AWS CLI; bad input stores nothing; metrics
are listed and survive a SIGKILL of Kura."""
import datetime

import botocore.exceptions
import pytest


def utc(seconds_ago=0):
    return datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds_ago)


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"]


def test_put_then_statistics_per_period(kura):
    cw = kura.client("cloudwatch")
    minute = int(utc().timestamp()) // 60 * 60 - 120  # two whole minutes ago
    start = datetime.datetime.fromtimestamp(minute, datetime.timezone.utc)
    dims = [{"Name": "Service", "Value": "checkout"}]
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Dimensions": dims, "Timestamp": start + datetime.timedelta(seconds=5), "Value": 10,
         "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": dims, "Timestamp": start + datetime.timedelta(seconds=50), "Value": 30,
         "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": dims, "Timestamp": start + datetime.timedelta(seconds=70),
         "StatisticValues": {"SampleCount": 4, "Sum": 20, "Minimum": 2, "Maximum": 8}, "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": dims, "Timestamp": start + datetime.timedelta(seconds=80),
         "Values": [1, 100], "Counts": [3, 1], "Unit": "Milliseconds"},
    ])
    out = cw.get_metric_statistics(Namespace="App", MetricName="Latency", Dimensions=dims, StartTime=start,
                                   EndTime=start + datetime.timedelta(seconds=120), Period=60,
                                   Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"])
    points = sorted(out["Datapoints"], key=lambda p: p["Timestamp"])
    assert out["Label"] == "Latency"
    assert [p["Timestamp"].timestamp() for p in points] == [minute, minute + 60]
    first, second = points
    assert (first["SampleCount"], first["Sum"], first["Average"], first["Minimum"], first["Maximum"]) == (2, 40, 20, 10, 30)
    assert (second["SampleCount"], second["Sum"], second["Minimum"], second["Maximum"]) == (8, 123, 1, 100)
    assert second["Average"] == pytest.approx(123 / 8)
    assert first["Unit"] == "Milliseconds"
    # Other dimensions are another metric; another unit filters everything out.
    other = cw.get_metric_statistics(Namespace="App", MetricName="Latency", StartTime=start,
                                     EndTime=start + datetime.timedelta(seconds=120), Period=60, Statistics=["Sum"])
    assert other["Datapoints"] == []
    assert cw.get_metric_statistics(Namespace="App", MetricName="Latency", Dimensions=dims, StartTime=start,
                                    EndTime=start + datetime.timedelta(seconds=120), Period=60, Statistics=["Sum"],
                                    Unit="Seconds")["Datapoints"] == []
    # One five-minute period holds all of them.
    wide = cw.get_metric_statistics(Namespace="App", MetricName="Latency", Dimensions=dims,
                                    StartTime=start - datetime.timedelta(minutes=10), EndTime=utc(-60), Period=3600,
                                    Statistics=["SampleCount"])
    assert sum(p["SampleCount"] for p in wide["Datapoints"]) == 10

    data = cw.get_metric_data(StartTime=start, EndTime=start + datetime.timedelta(seconds=120), ScanBy="TimestampAscending",
                              MetricDataQueries=[{"Id": "lat", "MetricStat": {
                                  "Metric": {"Namespace": "App", "MetricName": "Latency", "Dimensions": dims},
                                  "Period": 60, "Stat": "Maximum"}}])
    result = data["MetricDataResults"][0]
    assert result["Id"] == "lat" and result["StatusCode"] == "Complete"
    assert result["Values"] == [30, 100]
    assert [t.timestamp() for t in result["Timestamps"]] == [minute, minute + 60]

    # The AWS CLI, verbatim with --endpoint-url.
    listed = kura.aws("cloudwatch", "list-metrics", "--namespace", "App")
    assert listed["Metrics"] == [{"Namespace": "App", "MetricName": "Latency", "Dimensions": dims}]
    kura.aws("cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name", "Orders", "--value", "3")
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="App")["Metrics"]}
    assert names == {"Latency", "Orders"}
    assert cw.list_metrics(Namespace="App", Dimensions=[{"Name": "Service"}])["Metrics"][0]["MetricName"] == "Latency"

    # A SIGKILL loses nothing that was acknowledged.
    kura.restart(sigkill=True)
    cw = kura.client("cloudwatch")
    again = cw.get_metric_statistics(Namespace="App", MetricName="Latency", Dimensions=dims, StartTime=start,
                                     EndTime=start + datetime.timedelta(seconds=120), Period=60, Statistics=["Sum"])
    assert sorted(p["Sum"] for p in again["Datapoints"]) == [40, 123]


def test_bad_metric_input_is_refused_and_stores_nothing(kura):
    cw = kura.client("cloudwatch")
    assert error_code(cw.put_metric_data, Namespace="AWS/RDS",
                      MetricData=[{"MetricName": "ReplicaLag", "Value": 1}]) == "InvalidParameterValue"
    assert error_code(cw.put_metric_data, Namespace="Refused", MetricData=[
        {"MetricName": "Good", "Value": 1},
        {"MetricName": "Bad", "Value": 1, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}},
    ]) == "InvalidParameterCombination"
    assert error_code(cw.put_metric_data, Namespace="Refused", MetricData=[
        {"MetricName": "Old", "Value": 1, "Timestamp": utc(15 * 86400)}]) == "InvalidParameterValue"
    assert cw.list_metrics(Namespace="Refused")["Metrics"] == []  # not even the good datum of the refused call
    stats = dict(Namespace="Refused", MetricName="Good", StartTime=utc(600), EndTime=utc(), Statistics=["Sum"])
    assert error_code(cw.get_metric_statistics, **dict(stats, Period=61)) == "InvalidParameterValue"
    assert error_code(cw.get_metric_statistics, **dict(stats, Period=60, StartTime=utc(), EndTime=utc(600))) == \
        "InvalidParameterValue"
    assert error_code(cw.get_metric_statistics, **dict(stats, Period=1, StartTime=utc(86400))) == \
        "InvalidParameterCombination"  # 86,400 datapoints > 1,440
    no_stats = {k: v for k, v in stats.items() if k != "Statistics"}
    assert error_code(cw.get_metric_statistics, **dict(no_stats, Period=60)) == "InvalidParameterCombination"
    assert error_code(cw.get_metric_data, StartTime=utc(600), EndTime=utc(), MetricDataQueries=[
        {"Id": "Bad-Id", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Good"}, "Period": 60,
                                        "Stat": "Sum"}}]) == "InvalidParameterValue"
    assert error_code(cw.get_metric_data, StartTime=utc(600), EndTime=utc(), MetricDataQueries=[
        {"Id": "m", "Expression": "SUM(METRICS())"}]) == "InvalidParameterValue"
    # An operation Kura does not implement answers as AWS does for an unknown action.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cw.list_dashboards()
    assert info.value.response["Error"]["Code"] in ("InvalidAction", "NotImplemented")
