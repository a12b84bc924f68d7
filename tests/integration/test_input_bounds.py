"""Bounded input: requests nested deeper than Kura's limits, or larger than
they may be, answer a 4xx in their protocol's own shape and the server goes
on serving; data-plane payloads never reach the trail."""
import base64
import json
import os
import socket
import time
import urllib.parse

import botocore.exceptions
import pytest

import raw_http

DEEP = 50000


def deep_json(depth=DEEP):
    return ("[" * depth + "]" * depth).encode()


def assert_alive(server):
    assert server.proc.poll() is None, server.read_log()[-2000:]


def json_error_type(body):
    return json.loads(body)["__type"].split("#")[-1]


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


# --- JSON protocols: DynamoDB (1.0), KMS, Logs, Secrets Manager, CloudTrail (1.1) ---

JSON_CALLS = [
    # service, X-Amz-Target, JSON version, (client method, kwargs) for the follow-up call
    ("dynamodb", "DynamoDB_20120810.ListTables", "1.0", ("dynamodb", "list_tables")),
    ("kms", "TrentService.ListKeys", "1.1", ("kms", "list_keys")),
    ("logs", "Logs_20140328.DescribeLogGroups", "1.1", ("logs", "describe_log_groups")),
    ("secretsmanager", "secretsmanager.ListSecrets", "1.1", ("secretsmanager", "list_secrets")),
    ("cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", "1.1",
     ("cloudtrail", "lookup_events")),
]


@pytest.mark.parametrize("service,target,version,follow_up", JSON_CALLS, ids=[c[0] for c in JSON_CALLS])
def test_deep_json_is_a_serialization_exception(server, service, target, version, follow_up):
    headers = {"Content-Type": f"application/x-amz-json-{version}", "X-Amz-Target": target}
    body = b'{"Zzz":' + deep_json() + b"}"
    status, response_headers, response = raw_http.send_signed(server.endpoint, service, headers=headers, body=body)
    assert status == 400, response[:300]
    assert json_error_type(response) == "SerializationException"
    assert "128 levels" in json.loads(response)["message"]
    assert response_headers.get("x-amzn-RequestId")
    assert_alive(server)
    client, method = follow_up
    getattr(server.client(client), method)()  # the server still answers


def test_json_just_within_the_limit_is_parsed(server):
    # 127 levels inside the top-level object: parsed, then refused by the model.
    body = b'{"Zzz":' + deep_json(127) + b"}"
    status, _, response = raw_http.send_signed(server.endpoint, "dynamodb",
                                               headers=raw_http.ddb_headers("ListTables"), body=body)
    assert status == 200, response[:300]
    body = b'{"Zzz":' + deep_json(128) + b"}"
    status, _, response = raw_http.send_signed(server.endpoint, "dynamodb",
                                               headers=raw_http.ddb_headers("ListTables"), body=body)
    assert status == 400 and json_error_type(response) == "SerializationException"


def test_deep_list_in_put_item_is_refused(server):
    ddb = server.client("dynamodb")
    create_table(ddb, "bounds-deep")
    value = "[" * 30000 + "]" * 30000
    body = ('{"TableName":"bounds-deep","Item":{"id":{"S":"x"},"v":{"L":' + value + "}}}").encode()
    status, _, response = raw_http.send_signed(server.endpoint, "dynamodb",
                                               headers=raw_http.ddb_headers("PutItem"), body=body)
    assert status == 400, response[:300]
    assert json_error_type(response) == "SerializationException"
    assert_alive(server)
    ddb.put_item(TableName="bounds-deep", Item={"id": {"S": "after"}})
    assert ddb.get_item(TableName="bounds-deep", Key={"id": {"S": "after"}})["Item"] == {"id": {"S": "after"}}


# --- DynamoDB's own limits: 32 levels of attribute values, expressions ---

def create_table(ddb, name):
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")


def nested(levels, leaf=None):
    value = leaf or {"S": "bottom"}
    for i in range(levels):
        value = {"M": {"m": value}} if i % 2 else {"L": [value]}
    return value


def test_thirty_two_levels_of_nesting_are_stored_and_thirty_three_refused(server):
    ddb = server.client("dynamodb")
    create_table(ddb, "bounds-nesting")
    item = {"id": {"S": "deep32"}, "v": nested(32)}
    ddb.put_item(TableName="bounds-nesting", Item=item)
    assert ddb.get_item(TableName="bounds-nesting", Key={"id": {"S": "deep32"}})["Item"] == item
    read = ddb.get_item(TableName="bounds-nesting", Key={"id": {"S": "deep32"}}, ConsistentRead=True,
                        ProjectionExpression="v")["Item"]
    assert read == {"v": item["v"]}
    # The same in a batch (the deepest request DynamoDB takes).
    batch_item = {"id": {"S": "batch32"}, "v": nested(32)}
    ddb.batch_write_item(RequestItems={"bounds-nesting": [{"PutRequest": {"Item": batch_item}}]})
    assert ddb.get_item(TableName="bounds-nesting", Key={"id": {"S": "batch32"}})["Item"] == batch_item

    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.put_item(TableName="bounds-nesting", Item={"id": {"S": "deep33"}, "v": nested(33)})
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "Nesting Levels have exceeded supported limits" in error.value.response["Error"]["Message"]
    assert "Item" not in ddb.get_item(TableName="bounds-nesting", Key={"id": {"S": "deep33"}})
    # An update cannot nest a value of 32 levels one level further down.
    ddb.put_item(TableName="bounds-nesting", Item={"id": {"S": "upd"}, "m": {"M": {}}})
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.update_item(TableName="bounds-nesting", Key={"id": {"S": "upd"}}, UpdateExpression="SET m.deeper = :v",
                        ExpressionAttributeValues={":v": nested(32)})
    assert "Nesting Levels have exceeded supported limits" in error.value.response["Error"]["Message"]
    assert ddb.get_item(TableName="bounds-nesting", Key={"id": {"S": "upd"}})["Item"]["m"] == {"M": {}}


def test_contains_with_a_number_set_operand_is_a_validation_exception(server):
    ddb = server.client("dynamodb")
    create_table(ddb, "bounds-contains")
    ddb.put_item(TableName="bounds-contains", Item={"id": {"S": "a"}, "ns": {"NS": ["1", "2"]}})
    for call in (
        lambda: ddb.put_item(TableName="bounds-contains", Item={"id": {"S": "a"}},
                             ConditionExpression="contains(ns, :v)", ExpressionAttributeValues={":v": {"NS": ["1"]}}),
        lambda: ddb.scan(TableName="bounds-contains", FilterExpression="contains(ns, :v)",
                         ExpressionAttributeValues={":v": {"NS": ["1"]}}),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            call()
        response = error.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert response["Error"]["Code"] == "ValidationException"
        assert "operator or function: contains, operand type: NS" in response["Error"]["Message"]
    # The scalar operand still works, and the item is untouched.
    found = ddb.scan(TableName="bounds-contains", FilterExpression="contains(ns, :v)",
                     ExpressionAttributeValues={":v": {"N": "2"}})["Items"]
    assert [i["id"]["S"] for i in found] == ["a"]


def test_deep_expressions_are_validation_exceptions(server):
    ddb = server.client("dynamodb")
    create_table(ddb, "bounds-expr")
    values = {":v": {"S": "x"}}
    cases = [
        dict(ConditionExpression="(" * 1500 + "a = :v" + ")" * 1500, ExpressionAttributeValues=values),
        dict(ConditionExpression="NOT " * 900 + "a = :v", ExpressionAttributeValues=values),
    ]
    for extra in cases:
        with pytest.raises(botocore.exceptions.ClientError) as error:
            ddb.put_item(TableName="bounds-expr", Item={"id": {"S": "k"}}, **extra)
        assert error.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.update_item(TableName="bounds-expr", Key={"id": {"S": "k"}},
                        UpdateExpression="SET a = " + "list_append(" * 500 + ":v" + ")" * 500,
                        ExpressionAttributeValues={":v": {"L": []}})
    assert error.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.execute_statement(Statement="SELECT * FROM \"bounds-expr\" WHERE " + "(" * 3000 + "id = 'k'" + ")" * 3000)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.execute_statement(Statement="INSERT INTO \"bounds-expr\" VALUE {'id': 'k', 'v': " + "[" * 2000 + "1" +
                              "]" * 2000 + "}")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    # PartiQL within its depth, but deeper than DynamoDB stores.
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.execute_statement(Statement="INSERT INTO \"bounds-expr\" VALUE {'id': 'k', 'v': " + "[" * 40 + "1" +
                              "]" * 40 + "}")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    # A page token is the client's too.
    token = base64.b64encode(b'{"id":' + b"[" * 12000 + b"]" * 12000 + b"}").decode()  # the model's 32768 at most
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.execute_statement(Statement="SELECT * FROM \"bounds-expr\"", NextToken=token)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert_alive(server)
    ddb.put_item(TableName="bounds-expr", Item={"id": {"S": "k"}})


def test_oversize_json_values_are_validation_exceptions_that_quote_no_secret(server):
    kms = server.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    plaintext = b"PLAINTEXT-MARKER-" + b"p" * 5000
    with pytest.raises(botocore.exceptions.ClientError) as error:
        kms.encrypt(KeyId=key, Plaintext=plaintext)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "PLAINTEXT-MARKER" not in error.value.response["Error"]["Message"]
    secrets = server.client("secretsmanager")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        secrets.create_secret(Name="bounds-big", SecretString="SECRET-MARKER-" + "s" * 70000)
    assert error.value.response["Error"]["Code"] in ("ValidationException", "InvalidParameterException")
    assert "SECRET-MARKER" not in error.value.response["Error"]["Message"]
    ddb = server.client("dynamodb")
    create_table(ddb, "bounds-big")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.put_item(TableName="bounds-big", Item={"id": {"S": "k"}, "v": {"S": "x" * 500 * 1024}})
    assert error.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ddb.put_item(TableName="bounds-big", Item={"id": {"S": "k"}}, ConditionExpression="a = :v OR " * 500 + "a = :v",
                     ExpressionAttributeValues={":v": {"S": "x"}})
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert_alive(server)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key


# --- query protocol: RDS, ElastiCache, CloudWatch ---

QUERY_CALLS = [
    ("rds", "DescribeDBInstances", "2014-10-31", "Filters.Filter.1.Values", ".Value.1",
     ("rds", "describe_db_instances")),
    ("elasticache", "DescribeCacheClusters", "2015-02-02", "CacheClusterId.a", ".b",
     ("elasticache", "describe_cache_clusters")),
    ("monitoring", "ListMetrics", "2010-08-01", "Dimensions.member.1.Name", ".member.1",
     ("cloudwatch", "list_metrics")),
]


@pytest.mark.parametrize("service,action,version,prefix,part,follow_up", QUERY_CALLS, ids=[c[0] for c in QUERY_CALLS])
def test_deep_query_names_are_refused(server, service, action, version, prefix, part, follow_up):
    name = prefix + part * 100000
    body = urllib.parse.urlencode({"Action": action, "Version": version, name: "x"}).encode()
    status, _, response = raw_http.send_signed(server.endpoint, service, headers=raw_http.FORM_HEADERS, body=body)
    assert status == 400, response[:300]
    assert b"<ErrorResponse" in response and b"<Code>InvalidParameterValue</Code>" in response, response[:300]
    assert len(response) < 2000  # the name is not echoed back whole
    assert_alive(server)
    client, method = follow_up
    getattr(server.client(client), method)()


def test_oversize_values_answer_in_each_protocol(server):
    cloudwatch = server.client("cloudwatch")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        cloudwatch.put_metric_data(Namespace="Bounds", MetricData=[{"MetricName": "m" * 100000, "Value": 1.0}])
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    logs = server.client("logs")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        logs.create_log_group(logGroupName="g" * 100000)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert_alive(server)
    cloudwatch.list_metrics(Namespace="Bounds")
    logs.describe_log_groups()


def test_deep_json_inside_a_query_parameter_is_refused(server):
    """SetAlarmState's StateReasonData is JSON text the server parses."""
    cloudwatch = server.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="deep", MetricName="m", Namespace="n", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    deep = "[" * 2000 + "]" * 2000
    with pytest.raises(botocore.exceptions.ClientError) as error:
        cloudwatch.set_alarm_state(AlarmName="deep", StateValue="ALARM", StateReason="r", StateReasonData=deep)
    assert error.value.response["Error"]["Code"] == "InvalidFormat"
    cloudwatch.set_alarm_state(AlarmName="deep", StateValue="ALARM", StateReason="r", StateReasonData='{"a": [1]}')
    assert cloudwatch.describe_alarms(AlarmNames=["deep"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    assert_alive(server)


def test_a_form_of_too_many_fields_is_refused(server):
    body = b"Action=ListMetrics&Version=2010-08-01" + b"&a=" * 100000
    status, _, response = raw_http.send_signed(server.endpoint, "monitoring", headers=raw_http.FORM_HEADERS, body=body)
    assert status == 400, response[:300]
    assert b"<Code>MalformedQueryString</Code>" in response, response[:300]
    assert_alive(server)
    server.client("cloudwatch").list_metrics()


def test_a_body_over_the_limit_is_413_and_the_server_goes_on(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                     b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 17000000\r\n\r\n")
        sock.sendall(b"{" + b" " * 65536)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    assert_alive(server)
    server.client("dynamodb").list_tables()


# --- the trail keeps no payload ---

def trail_text(server):
    logs_dir = os.path.join(server.data_dir, "trail", "logs")
    return "".join(open(os.path.join(logs_dir, name), encoding="utf-8").read() for name in sorted(os.listdir(logs_dir)))


def test_data_plane_payloads_never_reach_the_trail(kura_factory):
    server = kura_factory()
    logs = server.client("logs")
    kms = server.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="/bounds/sealed", kmsKeyId=key)
    logs.create_log_group(logGroupName="/bounds/plain")
    now = int(time.time() * 1000)
    for group, marker in (("/bounds/sealed", "SEALED-MSG-7731"), ("/bounds/plain", "PLAIN-MSG-7732")):
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now, "message": marker}])
        events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
        assert [e["message"] for e in events] == [marker]
    ddb = server.client("dynamodb")
    create_table(ddb, "bounds-trail")
    ddb.put_item(TableName="bounds-trail", Item={"id": {"S": "ITEM-KEY-7733"}, "v": {"S": "ITEM-VALUE-7734"}})
    ddb.update_item(TableName="bounds-trail", Key={"id": {"S": "ITEM-KEY-7733"}}, UpdateExpression="SET w = :w",
                    ExpressionAttributeValues={":w": {"S": "UPDATE-VALUE-7735"}})
    ddb.execute_statement(Statement="INSERT INTO \"bounds-trail\" VALUE {'id': 'STATEMENT-KEY-7736'}")
    with pytest.raises(botocore.exceptions.ClientError) as error:  # its message quotes the value
        ddb.put_item(TableName="bounds-trail", Item={"id": {"S": "k"}, "n": {"N": "NUMBER-7739"}})
    assert "NUMBER-7739" in error.value.response["Error"]["Message"]
    assert ddb.get_item(TableName="bounds-trail", Key={"id": {"S": "ITEM-KEY-7733"}})["Item"]["w"] == \
        {"S": "UPDATE-VALUE-7735"}
    secrets = server.client("secretsmanager")
    secrets.create_secret(Name="bounds-secret", SecretString="SECRET-STRING-7737")
    assert secrets.get_secret_value(SecretId="bounds-secret")["SecretString"] == "SECRET-STRING-7737"
    ciphertext = kms.encrypt(KeyId=key, Plaintext=b"KMS-PLAINTEXT-7738")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"] == b"KMS-PLAINTEXT-7738"
    markers = ["SEALED-MSG-7731", "PLAIN-MSG-7732", "ITEM-KEY-7733", "ITEM-VALUE-7734", "UPDATE-VALUE-7735",
               "STATEMENT-KEY-7736", "SECRET-STRING-7737", "KMS-PLAINTEXT-7738", "NUMBER-7739",
               base64.b64encode(b"KMS-PLAINTEXT-7738").decode()]

    # LookupEvents: every call is recorded, by the names of what it acted on.
    trail = server.client("cloudtrail")

    def events(name):
        found = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        return [json.loads(e["CloudTrailEvent"]) for e in found]

    put_logs = events("PutLogEvents")
    assert sorted(e["requestParameters"]["logGroupName"] for e in put_logs) == ["/bounds/plain", "/bounds/sealed"]
    assert all(e["requestParameters"] == {"logGroupName": e["requestParameters"]["logGroupName"],
                                          "logStreamName": "s"} for e in put_logs)
    put_items = events("PutItem")  # newest first: the refused one, then the stored one
    assert [e["requestParameters"] for e in put_items] == [{"tableName": "bounds-trail"}] * 2
    assert put_items[0]["errorCode"] == "ValidationException" and "errorCode" not in put_items[1]
    assert [e["requestParameters"] for e in events("UpdateItem")] == [{"tableName": "bounds-trail"}]
    assert len(events("ExecuteStatement")) == 1
    created = events("CreateSecret")
    assert len(created) == 1 and created[0]["requestParameters"]["name"] == "bounds-secret"
    assert [e["requestParameters"]["keyId"] for e in events("Encrypt")] == [key]
    for event in put_logs + put_items + events("Encrypt"):
        assert event["responseElements"] is None
    looked_up = json.dumps([events(n) for n in ("PutLogEvents", "PutItem", "UpdateItem", "ExecuteStatement",
                                                 "GetItem", "CreateSecret", "GetSecretValue", "Encrypt",
                                                 "Decrypt", "GetLogEvents")])
    for marker in markers:
        assert marker not in looked_up, marker

    # The trail's files, after a clean stop has written everything.
    server.stop()
    text = trail_text(server)
    assert "PutLogEvents" in text and "CreateSecret" in text and "PutItem" in text
    for marker in markers:
        assert marker not in text, marker


def raw_exchange(server, request, reply_limit=65536):
    """Sends `request` bytes on a plain connection; the status line of the answer (or b"" if it closed)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        try:
            conn.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before all of it was sent: the answer is still read
        reply = b""
        while b"\r\n" not in reply and len(reply) < reply_limit:
            try:
                chunk = conn.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            reply += chunk
        return reply.split(b"\r\n", 1)[0]


def test_a_chunk_extension_that_never_ends_is_refused_not_held(server):
    # A chunk's size line whose extension goes on past the read buffer's
    # bound (1 MiB): refused as malformed, the server's memory untouched.
    request = (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"1;x=" + b"e" * (2 * 1024 * 1024))
    assert raw_exchange(server, request) == b"HTTP/1.1 400 Bad Request"
    assert_alive(server)


def test_trailers_past_their_bound_are_refused(server):
    trailers = b"".join(b"T%d: %s\r\n" % (i, b"t" * 1000) for i in range(70))
    request = (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n" + trailers + b"\r\n")
    assert raw_exchange(server, request) == b"HTTP/1.1 400 Bad Request"
    assert_alive(server)


def test_a_chunked_signed_call_is_served(server):
    # The body in chunks reads back as the same call: a table listed.
    headers = raw_http.ddb_headers("ListTables")
    body = b"{}"
    signed = raw_http.sign(server.endpoint, "dynamodb", headers=headers, body=body)
    lines = [b"POST / HTTP/1.1", f"Host: 127.0.0.1:{server.port}".encode()]
    lines += [f"{k}: {v}".encode() for k, v in signed.headers.items() if k.lower() not in ("content-length", "host")]
    request = b"\r\n".join(lines) + b"\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n1;ext=1\r\n}\r\n0\r\n\r\n"
    assert raw_exchange(server, request) == b"HTTP/1.1 200 OK"


def test_a_parameter_the_model_lacks_is_refused_not_dropped(server):
    """A member the operation's model lacks (TransitEncryptionMode, which AWS
    added to ModifyReplicationGroup after the model Kura serves, sent where it
    does not belong here; a misspelt one): the call is refused and changes
    nothing, rather than answering success for what it did not do."""
    ec = server.client("elasticache")
    ec.create_cache_parameter_group(CacheParameterGroupName="unknown-members", CacheParameterGroupFamily="redis7",
                                    Description="before")
    for extra in ("TransitEncryptionMode=preferred", "Descriptionn=after"):
        body = ("Action=ModifyCacheParameterGroup&Version=2015-02-02&CacheParameterGroupName=unknown-members&"
                "ParameterNameValues.ParameterNameValue.1.ParameterName=maxmemory-samples&"
                "ParameterNameValues.ParameterNameValue.1.ParameterValue=7&" + extra).encode()
        status, _, response = raw_http.send_signed(server.endpoint, "elasticache", headers=raw_http.FORM_HEADERS,
                                                   body=body)
        assert status == 400, response[:300]
        assert b"<Code>InvalidParameterValue</Code>" in response, response[:300]
        name = extra.split("=")[0].encode()
        assert b"The parameter " + name + b" is not one Kura knows for this operation" in response, response[:300]
    values = {p["ParameterName"]: p.get("ParameterValue") for p in ec.describe_cache_parameters(
        CacheParameterGroupName="unknown-members", Source="user")["Parameters"]}
    assert "maxmemory-samples" not in values, values
    ec.delete_cache_parameter_group(CacheParameterGroupName="unknown-members")
