"""Smithy RPC v2 CBOR and awsJson, beside query, for CloudWatch (whose model
lists all three), by hand-made requests signed as the SDKs sign them: the
CBOR wire format (tag 1 timestamps, byte strings, __type, the
smithy-protocol header), errors in the protocol the client used (with the
query code in x-amzn-query-error), malformed and hostile bodies, and a
JSON or CBOR client calling a service Kura does not serve."""
import json
import time

import pytest

from cbor_wire import Tagged, decode, encode
from raw_http import send, send_signed

CW_PATH = "/service/GraniteServiceVersion20100801/operation/"
CBOR_HEADERS = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}


def cbor_call(kura, operation, body, service="monitoring", path=None):
    status, headers, data = send_signed(kura.endpoint, service, path=path or CW_PATH + operation,
                                        headers=CBOR_HEADERS, body=encode(body) if body is not None else b"")
    headers = {k.lower(): v for k, v in headers.items()}
    return status, headers, decode(data) if data else None


def json_call(kura, operation, body):
    status, headers, data = send_signed(kura.endpoint, "monitoring", headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "GraniteServiceVersion20100801." + operation},
        body=json.dumps(body).encode())
    return status, {k.lower(): v for k, v in headers.items()}, json.loads(data)


def test_cbor_metrics_round_trip_with_tag_one_timestamps(kura):
    now = int(time.time())
    status, headers, body = cbor_call(kura, "PutMetricData", {"Namespace": "Cbor/Raw", "MetricData": [
        {"MetricName": "Hits", "Value": 7.25, "Timestamp": Tagged(1, now), "Unit": "Count",
         "Dimensions": [{"Name": "h", "Value": "x"}]}]})
    assert status == 200, body
    assert headers["smithy-protocol"] == "rpc-v2-cbor"
    assert headers["content-type"] == "application/cbor"
    status, headers, body = cbor_call(kura, "GetMetricStatistics", {
        "Namespace": "Cbor/Raw", "MetricName": "Hits", "Dimensions": [{"Name": "h", "Value": "x"}],
        "StartTime": Tagged(1, float(now - 300)), "EndTime": Tagged(1, now + 300), "Period": 60,
        "Statistics": ["Sum", "SampleCount"]})
    assert status == 200, body
    point = body["Datapoints"][0]
    assert point["Sum"] == 7.25 and point["SampleCount"] == 1.0 and point["Unit"] == "Count"
    assert isinstance(point["Timestamp"], Tagged) and point["Timestamp"].tag == 1
    assert abs(point["Timestamp"].value - now) < 120
    assert "ResponseMetadata" not in body


def test_cbor_errors_name_their_shape_and_carry_the_query_code(kura):
    status, headers, body = cbor_call(kura, "SetAlarmState", {"AlarmName": "cbor-missing", "StateValue": "OK",
                                                              "StateReason": "x"})
    assert status == 404
    assert headers["smithy-protocol"] == "rpc-v2-cbor" and headers["content-type"] == "application/cbor"
    assert body["__type"] == "ResourceNotFound" and "cbor-missing" in body["message"]
    assert headers["x-amzn-query-error"] == "ResourceNotFound;Sender"
    status, headers, body = cbor_call(kura, "GetMetricStatistics", {
        "Namespace": "N", "MetricName": "M", "StartTime": Tagged(1, 2000), "EndTime": Tagged(1, 1000),
        "Period": 60, "Statistics": ["Sum"]})
    assert status == 400
    assert body["__type"] == "InvalidParameterValueException"
    assert headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    # A required member missing: the query protocol's own code, as CloudWatch answers it.
    status, headers, body = cbor_call(kura, "PutMetricData", {"MetricData": []})
    assert status == 400 and headers["x-amzn-query-error"].startswith("MissingParameter")
    status, headers, body = cbor_call(kura, "NoSuchOperation", {})
    assert status == 400 and body["__type"] == "UnknownOperationException"


def test_malformed_and_hostile_cbor_is_refused_in_cbor(kura):
    for bad in (b"\xa1\x61", b"\x01\x02", b"\x82\x01", b"\xa1\x61\xff\x01", b"\xff"):
        status, headers, data = send_signed(kura.endpoint, "monitoring", path=CW_PATH + "ListMetrics",
                                            headers=CBOR_HEADERS, body=bad)
        assert status == 400, bad
        assert decode(data)["__type"] == "SerializationException", bad
    # A million nested arrays, then a million tags: refused, not recursed into.
    for hostile in (b"\xa1\x61a" + b"\x81" * 1_000_000 + b"\x00", b"\xa1\x61a" + b"\xc1" * 1_000_000 + b"\x00"):
        status, _, data = send_signed(kura.endpoint, "monitoring", path=CW_PATH + "ListMetrics",
                                      headers=CBOR_HEADERS, body=hostile)
        assert status == 400 and decode(data)["__type"] == "SerializationException"
    # A blob member sent as text is not CBOR's blob; a byte string where the model has text is refused too.
    status, _, body = cbor_call(kura, "ListMetrics", {"Namespace": b"bytes"})
    assert status == 400 and body["__type"] == "SerializationException"
    # The server is none the worse.
    status, _, body = cbor_call(kura, "ListMetrics", {"Namespace": "Cbor/Nothing"})
    assert status == 200 and body["Metrics"] == []


def test_unsigned_cbor_gets_a_cbor_error(kura):
    status, headers, data = send(kura.endpoint, path=CW_PATH + "ListMetrics", headers=CBOR_HEADERS,
                                 body=encode({}))
    assert status in (400, 403)
    assert decode(data)["__type"] in ("MissingAuthenticationToken", "MissingAuthenticationTokenException",
                                      "IncompleteSignature", "InvalidClientTokenId")


def test_cbor_to_a_service_whose_model_does_not_list_it(kura):
    status, _, body = cbor_call(kura, "DescribeDBInstances", {}, service="rds",
                                path="/service/AmazonRDSv19/operation/DescribeDBInstances")
    assert status == 400 and body["__type"] == "UnknownOperationException"


def test_cloudwatch_over_aws_json(kura):
    now = time.time()
    status, headers, body = json_call(kura, "PutMetricData", {"Namespace": "Json/Raw", "MetricData": [
        {"MetricName": "Load", "Value": 3, "Timestamp": now}]})
    assert status == 200, body
    assert headers["content-type"] == "application/x-amz-json-1.0"
    status, _, body = json_call(kura, "GetMetricStatistics", {
        "Namespace": "Json/Raw", "MetricName": "Load", "StartTime": now - 300, "EndTime": now + 300,
        "Period": 60, "Statistics": ["Maximum"]})
    assert status == 200 and body["Datapoints"][0]["Maximum"] == 3.0
    assert isinstance(body["Datapoints"][0]["Timestamp"], (int, float))
    status, headers, body = json_call(kura, "DescribeAlarmHistory", {"AlarmName": "none", "MaxRecords": 0})
    assert status == 400 and headers["x-amzn-query-error"].startswith("InvalidParameterValue;")
    assert body["__type"] == "InvalidParameterValue"


@pytest.mark.parametrize("wire", ["json", "cbor"])
def test_a_service_kura_does_not_serve_answers_in_the_clients_protocol(kura, wire):
    if wire == "json":
        status, headers, data = send_signed(kura.endpoint, "frobnicator", headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Frobnicator_2020.ListThings"},
            body=b"{}")
        body = json.loads(data)
    else:
        status, headers, data = send_signed(kura.endpoint, "frobnicator",
                                            path="/service/Frobnicator/operation/ListThings",
                                            headers=CBOR_HEADERS, body=encode({}))
        body = decode(data)
    assert status == 400
    assert body["__type"] == "UnknownService" and "frobnicator" in body["message"]



def test_cbor_calls_are_authorized_and_recorded_as_any_other(kura):
    iam = kura.client("iam")
    iam.create_user(UserName="cbor-reader")
    iam.put_user_policy(UserName="cbor-reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cloudwatch:ListMetrics",
                                                "Resource": "*"}]}))
    key = iam.create_access_key(UserName="cbor-reader")["AccessKey"]
    as_user = {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}

    def call(operation, body):
        status, headers, data = send_signed(kura.endpoint, "monitoring", path=CW_PATH + operation,
                                            headers=CBOR_HEADERS, body=encode(body), **as_user)
        return status, {k.lower(): v for k, v in headers.items()}, decode(data)

    deadline = time.monotonic() + 10  # IAM's keys reach the verifier once the catalog's write is read
    while True:
        status, headers, body = call("ListMetrics", {"Namespace": "Cbor/Authz"})
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200 and body["Metrics"] == []
    status, headers, body = call("PutMetricData", {"Namespace": "Cbor/Authz",
                                                   "MetricData": [{"MetricName": "M", "Value": 1.0}]})
    assert status in (400, 403) and body["__type"].startswith("AccessDenied")
    assert "cloudwatch:PutMetricData" in body["message"]
    assert headers["x-amzn-query-error"].startswith("AccessDenied")
    # The trail records the CBOR calls as it records the query ones.
    events = kura.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "Username", "AttributeValue": "cbor-reader"}])["Events"]
    names = sorted(e["EventName"] for e in events)
    assert "ListMetrics" in names and "PutMetricData" in names, names
    denied = [json.loads(e["CloudTrailEvent"]) for e in events if e["EventName"] == "PutMetricData"][0]
    assert denied["errorCode"].startswith("AccessDenied") and denied["eventSource"] == "monitoring.amazonaws.com"
