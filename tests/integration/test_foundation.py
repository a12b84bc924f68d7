"""The foundation through real clients: one endpoint for every service,
SigV4 on every request, each protocol's own errors, and a server that keeps
serving whatever it is sent."""
import datetime
import json
import os
import subprocess
import urllib.request

import botocore.exceptions
import pytest

import raw_http
from conftest import KURA_BIN, free_port


def healthy(kura):
    with urllib.request.urlopen(kura.endpoint + "/_kura/health", timeout=5) as response:
        return response.status == 200 and json.loads(response.read())["status"] == "ok"


def test_health(kura):
    assert healthy(kura)


def test_cli_get_caller_identity(kura):
    identity = kura.aws("sts", "get-caller-identity")
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_boto3_get_caller_identity_has_request_id(kura):
    response = kura.client("sts").get_caller_identity()
    assert response["Account"] == "000000000000"
    request_id = response["ResponseMetadata"]["RequestId"]
    assert len(request_id) == 36
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == request_id


def test_wrong_secret_is_refused(kura):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kura.client("sts", secret="not-the-secret").get_caller_identity()
    assert info.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_access_key_is_refused(kura):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kura.client("sts", key="AKIDUNKNOWN", secret="whatever").get_caller_identity()
    assert info.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_json_service_auth_errors_use_json_codes(kura):
    status, _, body = raw_http.send_signed(kura.endpoint, "dynamodb", headers=raw_http.ddb_headers("ListTables"),
                                           body=b"{}", secret="wrong")
    assert status in (400, 403)
    assert json.loads(body)["__type"].endswith("InvalidSignatureException")
    status, _, body = raw_http.send_signed(kura.endpoint, "dynamodb", headers=raw_http.ddb_headers("ListTables"),
                                           body=b"{}", key="nobody", secret="x")
    assert json.loads(body)["__type"].endswith("UnrecognizedClientException")


def test_missing_authentication(kura):
    status, headers, body = raw_http.send(kura.endpoint, body=b"Action=GetCallerIdentity&Version=2011-06-15",
                                          headers=raw_http.FORM_HEADERS)
    assert status in (400, 403)
    assert b"<Code>MissingAuthenticationToken</Code>" in body
    status, _, body = raw_http.send(kura.endpoint, headers=raw_http.ddb_headers("ListTables"), body=b"{}")
    assert status in (400, 403)
    assert json.loads(body)["__type"].endswith("MissingAuthenticationTokenException")


def test_clock_skew_over_fifteen_minutes_is_refused(kura):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    past = raw_http.utc_now() - datetime.timedelta(minutes=16)
    status, _, answer = raw_http.send_signed(kura.endpoint, "sts", headers=raw_http.FORM_HEADERS, body=body,
                                             when=past)
    assert status == 403
    assert b"Signature expired" in answer or b"RequestExpired" in answer
    recent = raw_http.utc_now() - datetime.timedelta(minutes=10)
    status, _, answer = raw_http.send_signed(kura.endpoint, "sts", headers=raw_http.FORM_HEADERS, body=body,
                                             when=recent)
    assert status == 200, answer


def test_presigned_url_works_until_it_expires(kura):
    sts = kura.client("sts")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=300, HttpMethod="GET")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"<Account>000000000000</Account>" in response.read()
    # A URL presigned 10 minutes ago for 60 seconds has expired.
    past = raw_http.utc_now() - datetime.timedelta(minutes=10)
    with raw_http.clock_at(past):
        expired = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(expired, timeout=10)
    assert info.value.code == 403
    # Tampering with a presigned URL breaks it.
    tampered = url.replace("GetCallerIdentity", "GetSessionToken")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(tampered, timeout=10)
    assert info.value.code == 403


def test_unknown_operations_answer_the_protocols_error(kura):
    status, _, body = raw_http.send_signed(kura.endpoint, "rds", headers=raw_http.FORM_HEADERS,
                                           body=b"Action=LaunchRockets&Version=2014-10-31")
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in body
    status, _, body = raw_http.send_signed(kura.endpoint, "dynamodb", headers=raw_http.ddb_headers("LaunchRockets"),
                                           body=b"{}")
    assert status == 400
    assert json.loads(body)["__type"].endswith("UnknownOperationException")


def test_model_operation_not_implemented_is_not_faked(kura):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kura.client("sts").get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    assert info.value.response["Error"]["Code"] == "InvalidAction"
    assert "not implemented" in info.value.response["Error"]["Message"]


def test_unknown_service(kura):
    status, _, body = raw_http.send_signed(kura.endpoint, "lambda", headers={"Content-Type": "application/json"},
                                           body=b"{}")
    assert status == 400
    assert b"UnknownService" in body
    assert healthy(kura)


@pytest.mark.parametrize("headers,body,expected", [
    (raw_http.ddb_headers("ListTables"), b'{"Limit": 5', "SerializationException"),
    (raw_http.ddb_headers("ListTables"), b'{"ExclusiveStartTableName": "\xff\xfe"}', "SerializationException"),
    (raw_http.ddb_headers("ListTables"), b"[1, 2, 3]", "SerializationException"),
    ({"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.DescribeLogGroups"},
     b'{"limit": "five"}', "ValidationException"),
])
def test_malformed_json_bodies_get_a_clear_4xx(kura, headers, body, expected):
    service = "logs" if "Logs_" in headers["X-Amz-Target"] else "dynamodb"
    status, _, answer = raw_http.send_signed(kura.endpoint, service, headers=headers, body=body)
    assert 400 <= status < 500
    assert json.loads(answer)["__type"].endswith(expected)
    assert healthy(kura)


@pytest.mark.parametrize("body,expected", [
    (b"Action=DescribeDBInstances&Version=2014-10-31&MaxRecords=%4", b"MalformedQueryString"),
    (b"Action=DescribeDBInstances&Version=2014-10-31&Marker=%ff%fe", b"MalformedQueryString"),
    (b"Action=DescribeDBInstances&Version=2014-10-31&MaxRecords=lots", b"InvalidParameterValue"),
    (b"Version=2014-10-31", b"MissingAction"),
])
def test_malformed_forms_get_a_clear_4xx(kura, body, expected):
    status, _, answer = raw_http.send_signed(kura.endpoint, "rds", headers=raw_http.FORM_HEADERS, body=body)
    assert 400 <= status < 500
    assert expected in answer
    assert healthy(kura)


def test_ten_megabyte_body_gets_a_4xx_and_the_server_keeps_serving(kura):
    body = b"{" + b" " * (10 * 1024 * 1024) + b'"Limit": }'
    status, _, answer = raw_http.send_signed(kura.endpoint, "dynamodb", headers=raw_http.ddb_headers("ListTables"),
                                             body=body)
    assert 400 <= status < 500
    # Over the 16 MiB limit: refused with 413 as soon as the headers say so.
    import socket
    with socket.create_connection(("127.0.0.1", kura.port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20971520\r\n\r\n" + b"x" * 65536)
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")
    assert healthy(kura)


def test_keep_alive_serves_many_requests_on_one_connection(kura):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", kura.port, timeout=10)
    try:
        for _ in range(20):
            status, _, body = raw_http.send_signed(kura.endpoint, "sts", headers=raw_http.FORM_HEADERS,
                                                   body=b"Action=GetCallerIdentity&Version=2011-06-15", conn=conn)
            assert status == 200, body
    finally:
        conn.close()


def test_non_loopback_bind_refuses_to_start_without_credentials(tmp_path):
    result = subprocess.run([KURA_BIN, "serve", "--host", "0.0.0.0", "--port", str(free_port()),
                             "--data-dir", str(tmp_path / "d")],
                            capture_output=True, text=True, timeout=30,
                            env={k: v for k, v in os.environ.items() if not k.startswith("KURA_")})
    assert result.returncode == 2
    assert "refusing to listen" in result.stderr


def test_configured_credentials_are_accepted_and_never_logged(kura_factory):
    secret = "s3cr3t-Value-Never-Logged"
    server = kura_factory(env={"KURA_ACCESS_KEY_ID": "AKIAKURATEST", "KURA_SECRET_ACCESS_KEY": secret})
    identity = server.client("sts", key="AKIAKURATEST", secret=secret).get_caller_identity()
    assert identity["Arn"].startswith("arn:aws:iam::000000000000:")
    with pytest.raises(botocore.exceptions.ClientError):
        server.client("sts", key="AKIAKURATEST", secret="wrong").get_caller_identity()
    server.stop()
    assert secret not in server.read_log()


def test_sigterm_stops_cleanly(kura_factory):
    server = kura_factory()
    assert server.stop(sigkill=False) == 0
    assert "stopped" in server.read_log()


def test_second_server_on_same_data_dir_refuses(kura_factory):
    server = kura_factory()
    result = subprocess.run([KURA_BIN, "serve", "--port", str(free_port()), "--data-dir", server.data_dir],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "in use" in result.stderr


def test_request_ids_in_logs(kura):
    response = kura.client("sts").get_caller_identity()
    request_id = response["ResponseMetadata"]["RequestId"]
    import time
    deadline = time.monotonic() + 5
    while request_id not in kura.read_log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"request_id={request_id}" in kura.read_log()
