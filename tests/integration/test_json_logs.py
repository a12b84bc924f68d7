"""`kura serve --log-format json`: every line of its log is one JSON object
with its time, level and message, the logfmt fields as members; and what
Kura never logs (a secret's value, a secret access key) is not in it."""
import json

import pytest

import raw_http


def test_every_log_line_is_a_json_object_without_secrets(kura_factory):
    server = kura_factory(["--log-format", "json"])
    secrets = server.client("secretsmanager")
    secrets.create_secret(Name="json-log-secret", SecretString="hunter2-never-logged")
    assert secrets.get_secret_value(SecretId="json-log-secret")["SecretString"] == "hunter2-never-logged"
    with pytest.raises(Exception):
        server.client("sts", secret="wrong-secret-never-logged").get_caller_identity()
    server.stop()
    lines = server.read_log().splitlines()
    events = [json.loads(line) for line in lines]  # every line parses
    assert events
    for event in events:
        assert list(event)[:2] == ["time", "level"] and event["time"].endswith("Z"), event
        assert "msg" in event, event
    serving = [e for e in events if e["msg"] == "kura is serving"]
    assert serving and serving[0]["scheme"] == "http" and serving[0]["address"].startswith("127.0.0.1:")
    text = "\n".join(lines)
    assert "hunter2-never-logged" not in text and "wrong-secret-never-logged" not in text


def test_a_client_named_operation_adds_no_fields_to_the_line(kura_factory):
    # An X-Amz-Target may hold spaces: the operation it names is logged
    # quoted, not as fields that would replace the call's own.
    server = kura_factory(["--log-format", "json"])
    target = "DynamoDB_20120810.Made request_id=forged service=iam"
    status, _, _ = raw_http.send_signed(server.endpoint, "dynamodb", headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"}, body=b"{}")
    assert status == 400
    server.stop()
    events = [json.loads(line) for line in server.read_log().splitlines()]
    calls = [e for e in events if e["msg"] == "request" and "Made" in e.get("op", "")]
    assert len(calls) == 1, calls
    assert calls[0]["op"] == "Made request_id=forged service=iam"
    assert calls[0]["request_id"] != "forged" and calls[0]["service"] == "dynamodb"
