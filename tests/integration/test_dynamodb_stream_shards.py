"""DynamoDB Streams' shards and status as a consumer sees them: ENABLING and
DISABLING for a moment after UpdateTable, shards that roll over (closed
at their last record, a child with ParentShardId after them), read the
way the KCL reads them (parents before children) with every record once
and each item's records in order, across a SIGKILL. The server rolls a
shard every few records (`--stream-shard-records`) so that it happens at
once."""
import json
import time

import botocore.exceptions
import pytest
from raw_http import DDB_HEADERS, send_signed

KEY = [{"AttributeName": "pk", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}]
PER_SHARD = 4


def make_table(ddb, name):
    return ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=KEY, AttributeDefinitions=ATTRS,
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                            )["TableDescription"]["LatestStreamArn"]


def shards_of(streams, arn):
    shards, start = [], None
    while True:
        page = streams.describe_stream(StreamArn=arn, Limit=3, **({"ExclusiveStartShardId": start} if start else {}))
        shards += page["StreamDescription"]["Shards"]
        start = page["StreamDescription"].get("LastEvaluatedShardId")
        if not start:
            return shards


def wait_for_shards(streams, arn, count, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shards = shards_of(streams, arn)
        if len(shards) >= count:
            return shards
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} shards after {seconds} s: {shards}")


def read_shard(streams, arn, shard_id):
    """Reads a shard to its end (a closed shard) or to its last record (the open one)."""
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    for _ in range(100):
        page = streams.get_records(ShardIterator=iterator, Limit=3)
        records += page["Records"]
        iterator = page.get("NextShardIterator")
        if iterator is None or not page["Records"]:
            return records, iterator is None
    raise AssertionError("a shard never ended")


def read_like_the_kcl(streams, arn):
    """Every shard, a parent before its children (the KCL's rule)."""
    shards = shards_of(streams, arn)
    by_id = {s["ShardId"]: s for s in shards}
    done, records, closed = set(), [], {}
    while len(done) < len(shards):
        ready = [s for s in shards if s["ShardId"] not in done
                 and (s.get("ParentShardId") is None or s["ParentShardId"] in done
                      or s["ParentShardId"] not in by_id)]
        assert ready, "a shard's parent never ends"
        for shard in ready:
            got, ended = read_shard(streams, arn, shard["ShardId"])
            records += got
            closed[shard["ShardId"]] = ended
            done.add(shard["ShardId"])
    return records, closed


def test_status_says_enabling_and_disabling_for_a_moment(kura_factory):
    server = kura_factory(["--stream-status-delay", "5"])
    ddb, streams = server.client("dynamodb"), server.client("dynamodbstreams")
    arn = make_table(ddb, "sh-status")
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLING"
    ddb.put_item(TableName="sh-status", Item={"pk": {"S": "early"}})  # recorded from the request on
    deadline = time.monotonic() + 20
    while streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLED"
    ddb.update_table(TableName="sh-status", StreamSpecification={"StreamEnabled": False})
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "DISABLING"
    assert "EndingSequenceNumber" in description["Shards"][0]["SequenceNumberRange"]
    deadline = time.monotonic() + 20
    while streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
    records, ended = read_shard(streams, arn, description["Shards"][0]["ShardId"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["early"] and ended


def test_get_records_limit_bounds(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arn = make_table(ddb, "sh-limit")
    shard = shards_of(streams, arn)[0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    # boto3 refuses Limit 0 itself; sent as any client may send it, the server refuses it as DynamoDB does.
    status, _, text = send_signed(kura.endpoint, "dynamodb", headers=dict(
        DDB_HEADERS, **{"X-Amz-Target": "DynamoDBStreams_20120810.GetRecords"}),
        body=json.dumps({"ShardIterator": iterator, "Limit": 0}).encode())
    body = json.loads(text)
    assert status == 400 and body["__type"].endswith("ValidationException")
    assert body["message"] == ("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                               "Member must have value greater than or equal to 1")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        streams.get_records(ShardIterator=iterator, Limit=1001)
    assert info.value.response["Error"]["Message"].endswith("Member must have value less than or equal to 1000")
    assert streams.get_records(ShardIterator=iterator, Limit=1)["Records"] == []


@pytest.mark.serial
def test_shards_roll_over_and_the_kcl_reads_every_record_once(kura_factory):
    server = kura_factory(["--stream-shard-records", str(PER_SHARD)])
    ddb, streams = server.client("dynamodb"), server.client("dynamodbstreams")
    arn = make_table(ddb, "sh-roll")
    first = shards_of(streams, arn)[0]["ShardId"]
    # A reader in the first shard, before it is closed.
    early = streams.get_shard_iterator(StreamArn=arn, ShardId=first, ShardIteratorType="LATEST")["ShardIterator"]
    written = []
    for round_ in range(3):
        for n in range(PER_SHARD):
            pk = f"k{n % 3}"
            ddb.put_item(TableName="sh-roll", Item={"pk": {"S": pk}, "v": {"N": str(round_ * 10 + n)}})
            written.append((pk, round_ * 10 + n))
        wait_for_shards(streams, arn, round_ + 2)
    shards = shards_of(streams, arn)
    assert len(shards) >= 4
    # Each shard after the first is the child of the one before; all but the last are closed.
    assert "ParentShardId" not in shards[0] and shards[0]["ShardId"] == first
    for parent, child in zip(shards, shards[1:]):
        assert child["ParentShardId"] == parent["ShardId"]
        end = int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
        assert int(child["SequenceNumberRange"]["StartingSequenceNumber"]) == end + 1
    assert "EndingSequenceNumber" not in shards[-1]["SequenceNumberRange"]
    # The early reader gets the first shard's records, then no next iterator.
    page = streams.get_records(ShardIterator=early)
    assert len(page["Records"]) == PER_SHARD and "NextShardIterator" not in page
    records, ended = read_like_the_kcl(streams, arn)
    assert [ended[s["ShardId"]] for s in shards] == [True] * (len(shards) - 1) + [False]
    got = [(r["dynamodb"]["Keys"]["pk"]["S"], int(r["dynamodb"]["NewImage"]["v"]["N"])) for r in records]
    assert got == written  # every record once, in the order written
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequences == sorted(set(sequences))

    # After a SIGKILL: the same shards, the same records, and new records in the open shard.
    server.restart(sigkill=True)
    ddb, streams = server.client("dynamodb"), server.client("dynamodbstreams")
    assert shards_of(streams, arn) == shards
    assert [int(r["dynamodb"]["SequenceNumber"]) for r in read_like_the_kcl(streams, arn)[0]] == sequences
    ddb.put_item(TableName="sh-roll", Item={"pk": {"S": "after"}, "v": {"N": "99"}})
    records, _ = read_shard(streams, arn, shards[-1]["ShardId"])
    assert records[-1]["dynamodb"]["Keys"]["pk"]["S"] == "after"
    assert int(records[-1]["dynamodb"]["SequenceNumber"]) > sequences[-1]
