"""DynamoDB Time to Live: expired items are deleted in the background
(with their index entries), live ones and ones without the attribute stay."""
import time

import botocore.exceptions
import pytest


def code_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"]


def test_expired_items_are_deleted(kura):
    ddb = kura.client("dynamodb")
    ddb.create_table(TableName="sessions", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                           {"AttributeName": "user", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     GlobalSecondaryIndexes=[{"IndexName": "by-user",
                                              "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}])
    assert ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    now = int(time.time())
    ddb.put_item(TableName="sessions", Item={"id": {"S": "old"}, "user": {"S": "u"}, "expires": {"N": str(now - 60)}})
    ddb.put_item(TableName="sessions", Item={"id": {"S": "live"}, "user": {"S": "u"}, "expires": {"N": str(now + 3600)}})
    ddb.put_item(TableName="sessions", Item={"id": {"S": "forever"}, "user": {"S": "u"}})
    ddb.put_item(TableName="sessions", Item={"id": {"S": "text"}, "user": {"S": "u"}, "expires": {"S": "soon"}})
    ddb.put_item(TableName="sessions", Item={"id": {"S": "ancient"}, "user": {"S": "u"},
                                             "expires": {"N": str(now - 6 * 365 * 86400)}})
    out = ddb.update_time_to_live(TableName="sessions",
                                  TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    described = ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"]
    assert described == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    assert code_of(ddb.update_time_to_live, TableName="sessions",
                   TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}) == "ValidationException"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "Item" in ddb.get_item(TableName="sessions", Key={"id": {"S": "old"}}):
        time.sleep(0.2)
    assert "Item" not in ddb.get_item(TableName="sessions", Key={"id": {"S": "old"}})
    left = sorted(i["id"]["S"] for i in ddb.scan(TableName="sessions")["Items"])
    assert left == ["ancient", "forever", "live", "text"]
    by_user = ddb.query(TableName="sessions", IndexName="by-user", KeyConditionExpression="#u = :u",
                        ExpressionAttributeNames={"#u": "user"}, ExpressionAttributeValues={":u": {"S": "u"}})
    assert sorted(i["id"]["S"] for i in by_user["Items"]) == left
    ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
