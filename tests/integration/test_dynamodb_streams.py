"""DynamoDB Streams, read back with boto3's dynamodbstreams client: every
write path makes its record (in the same atomic batch as the write),
every view type, every iterator type, across a SIGKILL, disable and
enable, and the errors a consumer meets."""
import concurrent.futures
import json
import time

import botocore.exceptions
import pytest
from conftest import REGION

KEY = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def make_table(ddb, name, view="NEW_AND_OLD_IMAGES"):
    out = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=KEY, AttributeDefinitions=ATTRS,
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return out["TableDescription"]


def item(pk, sk, **attrs):
    out = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    out.update(attrs)
    return out


def only_shard(streams, arn):
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) == 1
    return shards[0]["ShardId"]


def read_all(streams, arn, iterator_type="TRIM_HORIZON", **kwargs):
    shard = only_shard(streams, arn)
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=iterator_type,
                                          **kwargs)["ShardIterator"]
    records = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator)
        records += page["Records"]
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return records


def test_create_table_with_stream_and_every_write_path(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    created = make_table(ddb, "st-paths")
    arn = created["LatestStreamArn"]
    assert created["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert arn == f"arn:aws:dynamodb:{REGION}:000000000000:table/st-paths/stream/{created['LatestStreamLabel']}"
    described = ddb.describe_table(TableName="st-paths")["Table"]
    assert described["LatestStreamArn"] == arn and "_stream" not in described

    ddb.put_item(TableName="st-paths", Item=item("a", 1, v={"S": "one"}))
    ddb.put_item(TableName="st-paths", Item=item("a", 1, v={"S": "one"}))  # unchanged: no record
    ddb.update_item(TableName="st-paths", Key=item("a", 1), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "two"}})
    ddb.update_item(TableName="st-paths", Key=item("a", 1), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "two"}})  # unchanged: no record
    with pytest.raises(botocore.exceptions.ClientError):
        ddb.put_item(TableName="st-paths", Item=item("a", 1), ConditionExpression="attribute_not_exists(pk)")
    ddb.delete_item(TableName="st-paths", Key=item("a", 1))
    ddb.delete_item(TableName="st-paths", Key=item("a", 1))  # nothing there: no record
    ddb.batch_write_item(RequestItems={"st-paths": [{"PutRequest": {"Item": item("b", 1)}},
                                                    {"PutRequest": {"Item": item("b", 2)}}]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "st-paths", "Item": item("c", 1)}},
        {"Delete": {"TableName": "st-paths", "Key": item("b", 1)}}])
    with pytest.raises(botocore.exceptions.ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "st-paths", "Item": item("d", 1)}},
            {"ConditionCheck": {"TableName": "st-paths", "Key": item("zz", 1),
                                "ConditionExpression": "attribute_exists(pk)"}}])
    ddb.execute_statement(Statement="INSERT INTO \"st-paths\" VALUE {'pk': 'e', 'sk': 1}")
    ddb.execute_statement(Statement="UPDATE \"st-paths\" SET v = 'x' WHERE pk = 'e' AND sk = 1")

    records = read_all(streams, arn)
    seen = [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records]
    assert seen == [("INSERT", "a"), ("MODIFY", "a"), ("REMOVE", "a"), ("INSERT", "b"), ("INSERT", "b"),
                    ("INSERT", "c"), ("REMOVE", "b"), ("INSERT", "e"), ("MODIFY", "e")]
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequences == sorted(set(sequences))
    first, modify, remove = records[0], records[1], records[2]
    assert first["eventSource"] == "aws:dynamodb" and first["awsRegion"] == REGION
    assert first["eventVersion"] == "1.1" and len(first["eventID"]) > 0
    assert first["dynamodb"]["NewImage"] == item("a", 1, v={"S": "one"}) and "OldImage" not in first["dynamodb"]
    assert modify["dynamodb"]["OldImage"]["v"] == {"S": "one"} and modify["dynamodb"]["NewImage"]["v"] == {"S": "two"}
    assert remove["dynamodb"]["OldImage"]["v"] == {"S": "two"} and "NewImage" not in remove["dynamodb"]
    assert first["dynamodb"]["Keys"] == item("a", 1)
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES" and first["dynamodb"]["SizeBytes"] > 0
    assert abs(first["dynamodb"]["ApproximateCreationDateTime"].timestamp() - time.time()) < 120
    assert "userIdentity" not in first


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_every_view_type(kura, view):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    name = "st-view-" + view.lower().replace("_", "-")
    arn = make_table(ddb, name, view)["LatestStreamArn"]
    ddb.put_item(TableName=name, Item=item("k", 1, v={"N": "1"}))
    ddb.put_item(TableName=name, Item=item("k", 1, v={"N": "2"}))
    ddb.delete_item(TableName=name, Key=item("k", 1))
    insert, modify, remove = (r["dynamodb"] for r in read_all(streams, arn))
    for body in (insert, modify, remove):
        assert body["StreamViewType"] == view and body["Keys"] == item("k", 1)
    new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    assert ("NewImage" in insert) == new and "OldImage" not in insert
    assert ("NewImage" in modify) == new and ("OldImage" in modify) == old
    assert "NewImage" not in remove and ("OldImage" in remove) == old
    if new:
        assert modify["NewImage"]["v"] == {"N": "2"}
    if old:
        assert modify["OldImage"]["v"] == {"N": "1"} and remove["OldImage"]["v"] == {"N": "2"}


def test_iterator_types_and_paging(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arn = make_table(ddb, "st-iter", "KEYS_ONLY")["LatestStreamArn"]
    shard = only_shard(streams, arn)
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    assert latest.startswith(arn + "|")
    for n in range(5):
        ddb.put_item(TableName="st-iter", Item=item("p", n))
    # LATEST, taken before the writes, reads them all.
    assert len(streams.get_records(ShardIterator=latest)["Records"]) == 5
    page = streams.get_records(ShardIterator=streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"], Limit=2)
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in page["Records"]] == ["0", "1"]
    page = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=2)
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in page["Records"]] == ["2", "3"]
    third = page["Records"][0]["dynamodb"]["SequenceNumber"]
    at = read_all(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=third)
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in at] == ["2", "3", "4"]
    after = read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=third)
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in after] == ["3", "4"]
    # LATEST now: nothing until the next write, which it then reads.
    now = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    empty = streams.get_records(ShardIterator=now)
    assert empty["Records"] == [] and empty["NextShardIterator"]
    ddb.put_item(TableName="st-iter", Item=item("p", 9))
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in
            streams.get_records(ShardIterator=empty["NextShardIterator"])["Records"]] == ["9"]
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    # ENABLING for a moment after it was enabled (test_dynamodb_stream_shards.py), then ENABLED.
    assert description["StreamStatus"] in ("ENABLING", "ENABLED") and description["StreamViewType"] == "KEYS_ONLY"
    assert description["TableName"] == "st-iter" and description["KeySchema"] == KEY
    assert description["Shards"][0]["SequenceNumberRange"]["StartingSequenceNumber"] == "000000000000000000001"
    assert "EndingSequenceNumber" not in description["Shards"][0]["SequenceNumberRange"]


def test_list_streams_filters_and_pages(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arns = [make_table(ddb, f"st-list-{n}")["LatestStreamArn"] for n in range(3)]
    ddb.create_table(TableName="st-list-none", BillingMode="PAY_PER_REQUEST", KeySchema=KEY,
                     AttributeDefinitions=ATTRS)
    listed = streams.list_streams(TableName="st-list-1")["Streams"]
    assert listed == [{"StreamArn": arns[1], "TableName": "st-list-1", "StreamLabel": arns[1].rsplit("/", 1)[1]}]
    assert streams.list_streams(TableName="st-list-none")["Streams"] == []
    everything = [s["StreamArn"] for s in streams.list_streams()["Streams"]]
    assert set(arns) <= set(everything)
    paged, start = [], None
    while True:
        page = streams.list_streams(Limit=2, **({"ExclusiveStartStreamArn": start} if start else {}))
        assert len(page["Streams"]) <= 2
        paged += [s["StreamArn"] for s in page["Streams"]]
        start = page.get("LastEvaluatedStreamArn")
        if not start:
            break
    assert paged == everything


def test_disable_and_enable(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    ddb.create_table(TableName="st-toggle", BillingMode="PAY_PER_REQUEST", KeySchema=KEY, AttributeDefinitions=ATTRS)
    assert "LatestStreamArn" not in ddb.describe_table(TableName="st-toggle")["Table"]
    code, message = error_of(ddb.update_table, TableName="st-toggle", StreamSpecification={"StreamEnabled": False})
    assert (code, message) == ("ValidationException", "Table has no stream to disable: TableName: st-toggle")
    code, _ = error_of(ddb.update_table, TableName="st-toggle", StreamSpecification={"StreamEnabled": True})
    assert code == "ValidationException"
    enabled = ddb.update_table(TableName="st-toggle", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    first = enabled["LatestStreamArn"]
    assert enabled["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    for view in ("NEW_IMAGE", "KEYS_ONLY"):  # the view type is not changed in place
        code, message = error_of(ddb.update_table, TableName="st-toggle",
                                 StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
        assert (code, message) == ("ValidationException", "Table already has an enabled stream: TableName: st-toggle")
    ddb.put_item(TableName="st-toggle", Item=item("a", 1))
    disabled = ddb.update_table(TableName="st-toggle", StreamSpecification={"StreamEnabled": False})
    assert disabled["TableDescription"]["StreamSpecification"] == {"StreamEnabled": False}
    ddb.put_item(TableName="st-toggle", Item=item("b", 1))  # no stream: no record anywhere
    description = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert description["StreamStatus"] in ("DISABLING", "DISABLED")
    closed = description["Shards"][0]
    assert closed["SequenceNumberRange"]["EndingSequenceNumber"] == "000000000000000000001"
    iterator = streams.get_shard_iterator(StreamArn=first, ShardId=closed["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=iterator)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["a"]
    assert "NextShardIterator" not in page  # the closed shard is read to its end
    again = ddb.update_table(TableName="st-toggle", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})["TableDescription"]
    second = again["LatestStreamArn"]
    assert second != first
    ddb.delete_item(TableName="st-toggle", Key=item("b", 1))
    records = read_all(streams, second)
    assert [(r["eventName"], r["dynamodb"]["OldImage"]["pk"]["S"]) for r in records] == [("REMOVE", "b")]
    assert {s["StreamArn"] for s in streams.list_streams(TableName="st-toggle")["Streams"]} == {first, second}
    # A deleted table's stream is closed and stays readable.
    ddb.delete_table(TableName="st-toggle")
    assert streams.describe_stream(StreamArn=second)["StreamDescription"]["StreamStatus"] in ("DISABLING", "DISABLED")
    assert len(read_all(streams, second)) == 1


def test_errors(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arn = make_table(ddb, "st-errors")["LatestStreamArn"]
    shard = only_shard(streams, arn)
    missing = arn.replace("st-errors", "st-missing")
    assert error_of(streams.describe_stream, StreamArn=missing)[0] == "ResourceNotFoundException"
    assert error_of(streams.get_shard_iterator, StreamArn=missing, ShardId=shard,
                    ShardIteratorType="LATEST")[0] == "ResourceNotFoundException"
    other_account = arn.replace(":000000000000:", ":111111111111:")
    assert error_of(streams.describe_stream, StreamArn=other_account)[0] == "ResourceNotFoundException"
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                    ShardIteratorType="LATEST")[0] == "ResourceNotFoundException"
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    assert error_of(streams.get_records, ShardIterator=iterator[:-6] + "AAAAAA")[0] == "ValidationException"
    assert error_of(streams.get_records, ShardIterator="not an iterator")[0] == "ValidationException"
    # Another account's ARN before this iterator's body: refused, not read.
    assert error_of(streams.get_records,
                    ShardIterator=other_account + iterator[len(arn):])[0] == "ValidationException"
    assert error_of(streams.get_records, ShardIterator=iterator, Limit=1001)[0] == "ValidationException"
    assert error_of(streams.list_streams, Limit=101)[0] == "ValidationException"
    assert error_of(streams.describe_stream, StreamArn=arn, Limit=101)[0] == "ValidationException"
    ddb.put_item(TableName="st-errors", Item=item("a", 1))
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                    ShardIteratorType="AT_SEQUENCE_NUMBER")[0] == "ValidationException"
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber="000000000000000000099")[0] == "ValidationException"
    code, message = error_of(ddb.create_table, TableName="st-errors-2", BillingMode="PAY_PER_REQUEST", KeySchema=KEY,
                             AttributeDefinitions=ATTRS, StreamSpecification={"StreamEnabled": True})
    assert code == "ValidationException" and "StreamViewType" in message
    assert "st-errors-2" not in ddb.list_tables()["TableNames"]


def test_acknowledged_writes_are_in_the_stream_after_sigkill(kura_factory):
    server = kura_factory()
    ddb = server.client("dynamodb")
    arn = make_table(ddb, "st-durable", "NEW_IMAGE")["LatestStreamArn"]
    for n in range(20):
        ddb.put_item(TableName="st-durable", Item=item("k", n))
    ddb.batch_write_item(RequestItems={"st-durable": [{"DeleteRequest": {"Key": item("k", n)}} for n in range(5)]})
    before = read_all(server.client("dynamodbstreams"), arn)
    server.restart(sigkill=True)
    ddb, streams = server.client("dynamodb"), server.client("dynamodbstreams")
    after = read_all(streams, arn)
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == [r["dynamodb"]["SequenceNumber"] for r in before]
    assert len(after) == 25
    assert [r["eventName"] for r in after] == ["INSERT"] * 20 + ["REMOVE"] * 5
    # Numbering goes on where it stopped.
    ddb.put_item(TableName="st-durable", Item=item("k", 99))
    last = read_all(streams, arn)[-1]["dynamodb"]["SequenceNumber"]
    assert int(last) > int(after[-1]["dynamodb"]["SequenceNumber"])


def test_ttl_deletions_are_marked_as_the_services(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arn = make_table(ddb, "st-ttl", "OLD_IMAGE")["LatestStreamArn"]
    ddb.update_time_to_live(TableName="st-ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName="st-ttl", Item=item("gone", 1, exp={"N": str(int(time.time()) - 60)}))
    ddb.put_item(TableName="st-ttl", Item=item("kept", 1, exp={"N": str(int(time.time()) + 3600)}))
    ddb.put_item(TableName="st-ttl", Item=item("user", 1))
    ddb.delete_item(TableName="st-ttl", Key=item("user", 1))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "Item" in ddb.get_item(TableName="st-ttl", Key=item("gone", 1)):
        time.sleep(0.2)
    removes = [r for r in read_all(streams, arn) if r["eventName"] == "REMOVE"]
    by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in removes}
    assert set(by_key) == {"gone", "user"}
    assert by_key["gone"]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert by_key["gone"]["dynamodb"]["OldImage"]["pk"] == {"S": "gone"}
    assert "userIdentity" not in by_key["user"]


def test_iam_on_the_stream_arn_and_the_trail(kura_factory):
    server = kura_factory()
    ddb = server.client("dynamodb")
    arn = make_table(ddb, "st-iam")["LatestStreamArn"]
    other = make_table(ddb, "st-iam-other")["LatestStreamArn"]
    ddb.put_item(TableName="st-iam", Item=item("a", 1))
    ddb.put_item(TableName="st-iam-other", Item=item("a", 1))
    iam = server.client("iam")
    iam.create_user(UserName="stream-reader")
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"],
        "Resource": "arn:aws:dynamodb:*:*:table/st-iam/stream/*"}]}
    iam.put_user_policy(UserName="stream-reader", PolicyName="read", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName="stream-reader")["AccessKey"]
    reader = server.client("dynamodbstreams", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert [r["eventName"] for r in read_all(reader, arn)] == ["INSERT"]
    code, message = error_of(reader.describe_stream, StreamArn=other)
    assert code == "AccessDeniedException" and "dynamodb:DescribeStream" in message and other in message
    assert error_of(reader.list_streams)[0] == "AccessDeniedException"
    # An iterator of the other stream, handed to the reader, is refused on that stream's ARN.
    root = server.client("dynamodbstreams")
    shard = only_shard(root, other)
    foreign = root.get_shard_iterator(StreamArn=other, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    code, message = error_of(reader.get_records, ShardIterator=foreign)
    assert code == "AccessDeniedException" and "dynamodb:GetRecords" in message

    trail = server.client("cloudtrail")
    def events(name):
        found = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])
        return [json.loads(e["CloudTrailEvent"]) for e in found["Events"]]
    got = [e for e in events("GetRecords") if "errorCode" not in e][0]
    assert got["eventSource"] == "dynamodb.amazonaws.com" and got["eventCategory"] == "Data"
    assert got["managementEvent"] is False and got["responseElements"] is None
    assert got["requestParameters"]["shardIterator"].startswith(arn + "|")
    iterator_event = events("GetShardIterator")[0]
    assert iterator_event["eventCategory"] == "Data" and iterator_event["requestParameters"]["streamArn"] in (arn, other)
    described = events("DescribeStream")[0]
    assert described["eventCategory"] == "Management" and described["readOnly"] is True


def test_get_records_answers_at_most_a_megabyte(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arn = make_table(ddb, "st-big", "NEW_IMAGE")["LatestStreamArn"]
    for n in range(5):
        ddb.put_item(TableName="st-big", Item=item("big", n, blob={"S": "x" * 300_000}))
    shard = only_shard(streams, arn)
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    sizes = []
    while len(sum(sizes, [])) < 5:
        page = streams.get_records(ShardIterator=iterator)
        assert 1 <= len(page["Records"]) <= 3
        sizes.append([r["dynamodb"]["Keys"]["sk"]["N"] for r in page["Records"]])
        iterator = page["NextShardIterator"]
    assert sum(sizes, []) == ["0", "1", "2", "3", "4"]


def test_updates_of_binary_and_number_keys_name_their_keys(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arn = ddb.create_table(TableName="st-binary", BillingMode="PAY_PER_REQUEST",
                           KeySchema=[{"AttributeName": "b", "KeyType": "HASH"},
                                      {"AttributeName": "n", "KeyType": "RANGE"}],
                           AttributeDefinitions=[{"AttributeName": "b", "AttributeType": "B"},
                                                 {"AttributeName": "n", "AttributeType": "N"}],
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                           )["TableDescription"]["LatestStreamArn"]
    key = {"b": {"B": b"\x00\xff|x"}, "n": {"N": "-1.5"}}
    ddb.put_item(TableName="st-binary", Item=dict(key, v={"S": "a"}))
    for value in ("b", "b", "c"):  # the second changes nothing: no record
        ddb.update_item(TableName="st-binary", Key=key, UpdateExpression="SET v = :v",
                        ExpressionAttributeValues={":v": {"S": value}})
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "MODIFY"]
    for record in records:
        assert record["dynamodb"]["Keys"] == key
    assert records[2]["dynamodb"]["OldImage"]["v"] == {"S": "b"}
    assert records[2]["dynamodb"]["NewImage"] == dict(key, v={"S": "c"})


def test_with_the_aws_cli(kura):
    kura.aws("dynamodb", "create-table", "--table-name", "st-cli", "--billing-mode", "PAY_PER_REQUEST",
             "--attribute-definitions", "AttributeName=id,AttributeType=S",
             "--key-schema", "AttributeName=id,KeyType=HASH")
    updated = kura.aws("dynamodb", "update-table", "--table-name", "st-cli", "--stream-specification",
                       "StreamEnabled=true,StreamViewType=NEW_IMAGE")
    arn = updated["TableDescription"]["LatestStreamArn"]
    kura.aws("dynamodb", "put-item", "--table-name", "st-cli", "--item", '{"id":{"S":"cli"},"n":{"N":"7"}}')
    assert kura.aws("dynamodbstreams", "list-streams", "--table-name", "st-cli")["Streams"][0]["StreamArn"] == arn
    shard = kura.aws("dynamodbstreams", "describe-stream", "--stream-arn", arn)["StreamDescription"]["Shards"][0]
    iterator = kura.aws("dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard["ShardId"],
                        "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
    records = kura.aws("dynamodbstreams", "get-records", "--shard-iterator", iterator)["Records"]
    assert [(r["eventName"], r["dynamodb"]["NewImage"]) for r in records] == [
        ("INSERT", {"id": {"S": "cli"}, "n": {"N": "7"}})]


def test_concurrent_writers_each_item_in_order(kura):
    ddb, streams = kura.client("dynamodb"), kura.client("dynamodbstreams")
    arn = make_table(ddb, "st-concurrent", "NEW_IMAGE")["LatestStreamArn"]

    def writer(worker):
        client = kura.client("dynamodb")
        for step in range(15):
            client.put_item(TableName="st-concurrent", Item=item(f"w{worker}", 0, step={"N": str(step)}))
        return worker

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(writer, range(8))) == list(range(8))
    records = read_all(streams, arn)
    assert len(records) == 8 * 15
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequences == sorted(set(sequences))
    for worker in range(8):
        steps = [int(r["dynamodb"]["NewImage"]["step"]["N"]) for r in records
                 if r["dynamodb"]["Keys"]["pk"]["S"] == f"w{worker}"]
        assert steps == list(range(15))
