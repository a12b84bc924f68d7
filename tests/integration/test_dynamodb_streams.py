"""DynamoDB Streams, read back with boto3's dynamodbstreams client: every
write path makes its record (in the same atomic batch as the write),
every view type, every iterator type, across a SIGKILL, disable and
enable, and the errors a consumer meets."""
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
