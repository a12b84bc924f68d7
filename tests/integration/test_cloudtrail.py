"""Every API call lands in the trail: LookupEvents finds it with the right
fields and without secrets, and `kura trail verify` catches any edit."""
import json
import os
import subprocess

import botocore.exceptions

from conftest import KURA_BIN


def lookup(kura, **kwargs):
    return kura.client("cloudtrail").lookup_events(**kwargs)["Events"]


def test_calls_and_errors_appear_in_lookup_events(kura_factory):
    server = kura_factory()
    sts = server.client("sts")
    request_id = sts.get_caller_identity()["ResponseMetadata"]["RequestId"]
    logs = server.client("logs")
    logs.create_log_group(logGroupName="/trail/test")
    try:
        logs.create_log_group(logGroupName="/trail/test")
    except botocore.exceptions.ClientError:
        pass
    events = lookup(server, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateLogGroup"}])
    assert len(events) == 2
    failed, succeeded = (json.loads(e["CloudTrailEvent"]) for e in events)  # newest first
    assert failed["errorCode"] == "ResourceAlreadyExistsException"
    assert "errorCode" not in succeeded
    assert succeeded["eventSource"] == "logs.amazonaws.com"
    assert succeeded["awsRegion"] == "ap-northeast-1"
    assert succeeded["requestParameters"] == {"logGroupName": "/trail/test"}
    assert succeeded["userIdentity"]["accessKeyId"] == "test"
    assert succeeded["sourceIPAddress"] == "127.0.0.1"
    assert "Boto3" in succeeded["userAgent"] or "botocore" in succeeded["userAgent"]
    by_source = lookup(server, LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "sts.amazonaws.com"}])
    assert json.loads(by_source[-1]["CloudTrailEvent"])["requestID"] == request_id
    assert by_source[-1]["ReadOnly"] == "true"


def test_lookup_events_pages(kura_factory):
    server = kura_factory()
    sts = server.client("sts")
    for _ in range(7):
        sts.get_caller_identity()
    attributes = [{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]
    first = server.client("cloudtrail").lookup_events(LookupAttributes=attributes, MaxResults=5)
    assert len(first["Events"]) == 5 and "NextToken" in first
    second = server.client("cloudtrail").lookup_events(LookupAttributes=attributes, MaxResults=5,
                                                       NextToken=first["NextToken"])
    ids = {e["EventId"] for e in first["Events"]} | {e["EventId"] for e in second["Events"]}
    assert len(ids) == 7


def test_secrets_never_reach_the_trail(kura_factory):
    server = kura_factory()
    secret = "Trail-S3cret-Value-42"
    try:
        server.client("rds").create_db_instance(DBInstanceIdentifier="trailsecret", Engine="postgres",
                                                DBInstanceClass="db.t3.micro", MasterUsername="admin",
                                                MasterUserPassword=secret, AllocatedStorage=20)
    except botocore.exceptions.ClientError:
        pass  # whether or not RDS is implemented, the call is recorded
    server.stop()
    trail_dir = os.path.join(server.data_dir, "trail", "logs")
    text = "".join(open(os.path.join(trail_dir, name)).read() for name in os.listdir(trail_dir))
    assert "CreateDBInstance" in text
    assert secret not in text
    assert secret not in server.read_log()


def verify(data_dir, *extra):
    return subprocess.run([KURA_BIN, "trail", "verify", "--data-dir", data_dir, *extra], capture_output=True,
                          text=True, timeout=60)


def test_trail_verify_catches_edits_deletions_and_reordering(kura_factory):
    server = kura_factory()
    sts = server.client("sts")
    for _ in range(5):
        sts.get_caller_identity()
    server.stop()  # a clean stop seals the trail with a digest
    result = verify(server.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "intact" in result.stdout

    logs_dir = os.path.join(server.data_dir, "trail", "logs")
    path = os.path.join(logs_dir, sorted(os.listdir(logs_dir))[0])
    original = open(path, "rb").read()

    edited = bytearray(original)
    edited[original.index(b"GetCallerIdentity") + 3] ^= 0x01
    open(path, "wb").write(bytes(edited))
    result = verify(server.data_dir)
    assert result.returncode == 1 and "modified-record" in result.stdout

    lines = original.splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    open(path, "wb").write(b"".join(lines))
    result = verify(server.data_dir)
    assert result.returncode == 1 and "out-of-order" in result.stdout

    os.remove(path)
    result = verify(server.data_dir)
    assert result.returncode == 1 and "deleted-file" in result.stdout

    open(path, "wb").write(original)
    digests = os.path.join(server.data_dir, "trail", "digests")
    os.remove(os.path.join(digests, sorted(os.listdir(digests))[-1]))
    result = verify(server.data_dir, "--require-sealed")
    assert result.returncode == 1 and "missing-digest" in result.stdout
