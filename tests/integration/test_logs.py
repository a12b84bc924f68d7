"""CloudWatch Logs through boto3 and the AWS CLI: groups, streams, events
read back, filtering, retention, and the errors AWS answers."""
import time

import botocore.exceptions
import pytest


def now_ms():
    return int(time.time() * 1000)


def error_code(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"]


@pytest.fixture
def logs(kura):
    return kura.client("logs")


def test_group_stream_events_round_trip(logs):
    logs.create_log_group(logGroupName="/app/round-trip")
    logs.create_log_stream(logGroupName="/app/round-trip", logStreamName="s1")
    t = now_ms()
    logs.put_log_events(logGroupName="/app/round-trip", logStreamName="s1",
                        logEvents=[{"timestamp": t + i, "message": f"line {i}"} for i in range(5)])
    events = logs.get_log_events(logGroupName="/app/round-trip", logStreamName="s1", startFromHead=True)["events"]
    assert [e["message"] for e in events] == [f"line {i}" for i in range(5)]
    assert all(e["ingestionTime"] >= t - 1000 for e in events)
    groups = logs.describe_log_groups(logGroupNamePrefix="/app/round")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/app/round-trip"]
    assert groups[0]["arn"].startswith("arn:aws:logs:ap-northeast-1:000000000000:log-group:/app/round-trip")
    streams = logs.describe_log_streams(logGroupName="/app/round-trip")["logStreams"]
    assert streams[0]["logStreamName"] == "s1"
    assert streams[0]["lastEventTimestamp"] == t + 4


def test_get_log_events_pages_forward(logs):
    logs.create_log_group(logGroupName="/app/pages")
    logs.create_log_stream(logGroupName="/app/pages", logStreamName="s")
    t = now_ms()
    logs.put_log_events(logGroupName="/app/pages", logStreamName="s",
                        logEvents=[{"timestamp": t + i, "message": str(i)} for i in range(25)])
    seen, token = [], None
    for _ in range(10):
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName="/app/pages", logStreamName="s", limit=10, **kwargs)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [str(i) for i in range(25)]


def test_filter_log_events(logs, kura):
    logs.create_log_group(logGroupName="/app/filter")
    for stream in ("a", "b"):
        logs.create_log_stream(logGroupName="/app/filter", logStreamName=stream)
    t = now_ms()
    logs.put_log_events(logGroupName="/app/filter", logStreamName="a",
                        logEvents=[{"timestamp": t, "message": "ERROR disk full"},
                                   {"timestamp": t + 1, "message": "INFO ok"}])
    logs.put_log_events(logGroupName="/app/filter", logStreamName="b",
                        logEvents=[{"timestamp": t + 2, "message": "ERROR Retrying connection"}])
    found = logs.filter_log_events(logGroupName="/app/filter", filterPattern="ERROR")["events"]
    assert [e["message"] for e in found] == ["ERROR disk full", "ERROR Retrying connection"]
    found = logs.filter_log_events(logGroupName="/app/filter", filterPattern="ERROR -Retrying")["events"]
    assert [(e["logStreamName"], e["message"]) for e in found] == [("a", "ERROR disk full")]
    found = logs.filter_log_events(logGroupName="/app/filter", filterPattern='"disk full"', logStreamNames=["a"])
    assert len(found["events"]) == 1
    cli = kura.aws("logs", "filter-log-events", "--log-group-name", "/app/filter", "--filter-pattern", "?INFO ?disk")
    assert sorted(e["message"] for e in cli["events"]) == ["ERROR disk full", "INFO ok"]
    assert error_code(logs.filter_log_events, logGroupName="/app/filter", filterPattern="{ $.a = 1 }") == \
        "InvalidParameterException"


def test_retention_policy(logs):
    logs.create_log_group(logGroupName="/app/retention")
    logs.put_retention_policy(logGroupName="/app/retention", retentionInDays=7)
    group = logs.describe_log_groups(logGroupNamePrefix="/app/retention")["logGroups"][0]
    assert group["retentionInDays"] == 7
    assert error_code(logs.put_retention_policy, logGroupName="/app/retention", retentionInDays=8) == \
        "InvalidParameterException"
    logs.create_log_stream(logGroupName="/app/retention", logStreamName="s")
    old = now_ms() - 8 * 86400 * 1000
    answer = logs.put_log_events(logGroupName="/app/retention", logStreamName="s",
                                 logEvents=[{"timestamp": old, "message": "too old"},
                                            {"timestamp": now_ms(), "message": "fresh"}])
    assert answer["rejectedLogEventsInfo"]["tooOldLogEventEndIndex"] == 1
    events = logs.get_log_events(logGroupName="/app/retention", logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["fresh"]
    logs.delete_retention_policy(logGroupName="/app/retention")
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix="/app/retention")["logGroups"][0]


def test_errors_change_nothing(logs):
    logs.create_log_group(logGroupName="/app/errors")
    assert error_code(logs.create_log_group, logGroupName="/app/errors") == "ResourceAlreadyExistsException"
    assert error_code(logs.create_log_stream, logGroupName="/app/none", logStreamName="s") == \
        "ResourceNotFoundException"
    assert error_code(logs.put_log_events, logGroupName="/app/errors", logStreamName="none",
                      logEvents=[{"timestamp": now_ms(), "message": "x"}]) == "ResourceNotFoundException"
    t = now_ms()
    logs.create_log_stream(logGroupName="/app/errors", logStreamName="s")
    assert error_code(logs.put_log_events, logGroupName="/app/errors", logStreamName="s",
                      logEvents=[{"timestamp": t, "message": "b"}, {"timestamp": t - 5, "message": "a"}]) == \
        "InvalidParameterException"
    assert logs.get_log_events(logGroupName="/app/errors", logStreamName="s")["events"] == []
    logs.delete_log_group(logGroupName="/app/errors")
    assert error_code(logs.delete_log_group, logGroupName="/app/errors") == "ResourceNotFoundException"


def test_events_survive_sigkill(kura_factory):
    server = kura_factory()
    logs = server.client("logs")
    logs.create_log_group(logGroupName="/durable")
    logs.create_log_stream(logGroupName="/durable", logStreamName="s")
    logs.put_log_events(logGroupName="/durable", logStreamName="s",
                        logEvents=[{"timestamp": now_ms(), "message": "acknowledged"}])
    server.restart(sigkill=True)
    events = server.client("logs").get_log_events(logGroupName="/durable", logStreamName="s")["events"]
    assert [e["message"] for e in events] == ["acknowledged"]


def stored_bytes(data_dir):
    """Every byte of the Logs database, its WAL included."""
    import glob
    import os
    out = b""
    for path in glob.glob(os.path.join(data_dir, "logs", "logs.db*")):
        with open(path, "rb") as f:
            out += f.read()
    return out


def test_kms_encrypted_group_seals_events_and_a_disabled_key_blocks_it(kura, logs):
    kms = kura.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="/app/sealed", kmsKeyId=key)
    assert logs.describe_log_groups(logGroupNamePrefix="/app/sealed")["logGroups"][0]["kmsKeyId"] == key
    logs.create_log_stream(logGroupName="/app/sealed", logStreamName="s")
    t = now_ms()
    logs.put_log_events(logGroupName="/app/sealed", logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "SEALED-LOG-MARKER-5521 user=alice"}])
    events = logs.get_log_events(logGroupName="/app/sealed", logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["SEALED-LOG-MARKER-5521 user=alice"]
    found = logs.filter_log_events(logGroupName="/app/sealed", filterPattern="alice")["events"]
    assert len(found) == 1
    assert b"SEALED-LOG-MARKER-5521" not in stored_bytes(kura.data_dir)

    # A disabled key: the group can be neither read nor written; others can.
    kms.disable_key(KeyId=key)
    assert error_code(logs.get_log_events, logGroupName="/app/sealed", logStreamName="s") == "InvalidParameterException"
    assert error_code(logs.put_log_events, logGroupName="/app/sealed", logStreamName="s",
                      logEvents=[{"timestamp": t + 1, "message": "x"}]) == "InvalidParameterException"
    logs.create_log_group(logGroupName="/app/plain-meanwhile")
    kms.enable_key(KeyId=key)
    assert len(logs.get_log_events(logGroupName="/app/sealed", logStreamName="s", startFromHead=True)["events"]) == 1

    # Associate a key with a plain group: later events are sealed, earlier
    # ones stay readable; disassociate: later ones are plain again.
    logs.create_log_group(logGroupName="/app/later")
    logs.create_log_stream(logGroupName="/app/later", logStreamName="s")
    logs.put_log_events(logGroupName="/app/later", logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "before-association"}])
    second = kms.create_key()["KeyMetadata"]["Arn"]
    logs.associate_kms_key(logGroupName="/app/later", kmsKeyId=second)
    logs.put_log_events(logGroupName="/app/later", logStreamName="s",
                        logEvents=[{"timestamp": t + 1, "message": "AFTER-ASSOCIATION-9083"}])
    assert b"AFTER-ASSOCIATION-9083" not in stored_bytes(kura.data_dir)
    logs.disassociate_kms_key(logGroupName="/app/later")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/app/later")["logGroups"][0]
    logs.put_log_events(logGroupName="/app/later", logStreamName="s",
                        logEvents=[{"timestamp": t + 2, "message": "after-disassociation"}])
    messages = [e["message"] for e in logs.get_log_events(logGroupName="/app/later", logStreamName="s",
                                                          startFromHead=True)["events"]]
    assert messages == ["before-association", "AFTER-ASSOCIATION-9083", "after-disassociation"]
    # Sealed events still need their key.
    kms.disable_key(KeyId=second)
    assert error_code(logs.get_log_events, logGroupName="/app/later", logStreamName="s") == "InvalidParameterException"
    kms.enable_key(KeyId=second)

    assert error_code(logs.create_log_group, logGroupName="/app/badkey",
                      kmsKeyId="arn:aws:kms:ap-northeast-1:000000000000:key/missing") == "InvalidParameterException"
    assert error_code(logs.associate_kms_key, logGroupName="/app/missing", kmsKeyId=key) == "ResourceNotFoundException"
    assert logs.describe_log_groups(logGroupNamePrefix="/app/badkey")["logGroups"] == []
