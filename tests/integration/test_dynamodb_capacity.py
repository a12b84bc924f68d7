"""Provisioned capacity: a PROVISIONED table throttles beyond its capacity
(after its burst) with ProvisionedThroughputExceededException and loses
nothing; PAY_PER_REQUEST never throttles."""
import time

import botocore.exceptions
import pytest


def make_table(ddb, name, **billing):
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], **billing)


def put_until_throttled(ddb, name, size, limit):
    """PutItem of `size`-byte items until refused; returns how many landed."""
    for i in range(limit):
        try:
            ddb.put_item(TableName=name, Item={"k": {"S": f"item-{i}"}, "v": {"S": "x" * size}})
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            return i
    return limit


def test_provisioned_table_throttles_after_its_burst(kura):
    ddb = kura.client("dynamodb")
    make_table(ddb, "cap-provisioned", BillingMode="PROVISIONED",
               ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    # 1 KB items take one write unit each; 300 seconds of 1 WCU is the burst
    # (plus a unit a second while the test runs).
    start = time.monotonic()
    landed = put_until_throttled(ddb, "cap-provisioned", 900, 400)
    assert 300 <= landed <= 301 + (time.monotonic() - start), landed
    # Every acknowledged write is there; the refused one is not.
    items = ddb.scan(TableName="cap-provisioned", ConsistentRead=True)
    assert items["Count"] == landed
    # Capacity comes back with time (1 WCU per second): a small write passes
    # again after a few seconds.
    time.sleep(2.2)
    ddb.put_item(TableName="cap-provisioned", Item={"k": {"S": "later"}})
    # Reads are throttled on their own bucket, and not yet empty.
    assert ddb.get_item(TableName="cap-provisioned", Key={"k": {"S": "later"}})["Item"]
    # Switching to on-demand lifts the limit.
    ddb.update_table(TableName="cap-provisioned", BillingMode="PAY_PER_REQUEST")
    assert put_until_throttled(ddb, "cap-provisioned", 10 * 1024 - 100, 60) == 60


def test_on_demand_never_throttles_and_capacity_is_reported(kura):
    ddb = kura.client("dynamodb")
    make_table(ddb, "cap-on-demand", BillingMode="PAY_PER_REQUEST")
    assert put_until_throttled(ddb, "cap-on-demand", 10 * 1024 - 100, 60) == 60
    out = ddb.put_item(TableName="cap-on-demand", Item={"k": {"S": "big"}, "v": {"S": "x" * 3000}},
                       ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 3.0
    out = ddb.batch_get_item(RequestItems={"cap-on-demand": {"Keys": [{"k": {"S": "big"}}], "ConsistentRead": True}},
                             ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"][0]["CapacityUnits"] == 1.0
