"""Provisioned capacity: a PROVISIONED table throttles beyond its capacity
(after its burst) with ProvisionedThroughputExceededException and loses
nothing; PAY_PER_REQUEST never throttles."""
import time

import botocore.exceptions
import pytest


def make_table(ddb, name, **billing):
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], **billing)


def make_indexed_table(ddb, name, projection, table_capacity=None, index_capacity=None):
    """A table keyed by k with a global secondary index "by-g" on g;
    PROVISIONED when capacities are given, else on demand."""
    index = {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": projection}}
    billing = {"BillingMode": "PAY_PER_REQUEST"}
    if table_capacity:
        billing = {"BillingMode": "PROVISIONED", "ProvisionedThroughput": table_capacity}
        index["ProvisionedThroughput"] = index_capacity
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"},
                                                           {"AttributeName": "g", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], GlobalSecondaryIndexes=[index], **billing)


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


def refused_until_in_debt(call, tries=3):
    """Calls `call` until capacity refuses it; the error codes it got.
    The calls ask for a large item (9 units), so a call that a few
    milliseconds of refill let through leaves the bucket 9 seconds in debt
    and the next one is refused even on a loaded machine."""
    codes = []
    for _ in range(tries):
        try:
            call()
        except botocore.exceptions.ClientError as error:
            codes.append(error.response["Error"]["Code"])
            break
    return codes


def test_batches_return_what_capacity_did_not_allow(kura):
    ddb = kura.client("dynamodb")
    make_table(ddb, "cap-batch", BillingMode="PROVISIONED",
               ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    large = "x" * (32 * 1024 + 100)  # a consistent read of it takes 9 read units
    ddb.put_item(TableName="cap-batch", Item={"k": {"S": "large"}, "v": {"S": large}})
    put_until_throttled(ddb, "cap-batch", 900, 400)  # the write burst is spent
    batch = [{"PutRequest": {"Item": {"k": {"S": f"b{n}"}, "v": {"S": "x" * 900}}}} for n in range(25)]
    # Nothing can be written: the call itself is refused, and nothing of it
    # lands (a few milliseconds of refill may let one item of a call through
    # first, which puts the bucket 9 units in debt).
    refused = [{"PutRequest": {"Item": {"k": {"S": f"r{n}"}, "v": {"S": "x" * 8300}}}} for n in range(25)]
    written = set()

    def write_refused():
        out = ddb.batch_write_item(RequestItems={"cap-batch": refused})
        left = {r["PutRequest"]["Item"]["k"]["S"] for r in out["UnprocessedItems"].get("cap-batch", [])}
        written.update({f"r{n}" for n in range(25)} - left)

    assert refused_until_in_debt(write_refused) == ["ProvisionedThroughputExceededException"]
    items = ddb.scan(TableName="cap-batch", ConsistentRead=True)["Items"]
    assert {i["k"]["S"] for i in items if i["k"]["S"][0] == "r"} == written
    before = len(items)
    # Some seconds of capacity (1 WCU a second) past the debt: some items
    # are written, the rest come back as UnprocessedItems, exactly the ones
    # not written.
    time.sleep(13.2)
    out = ddb.batch_write_item(RequestItems={"cap-batch": batch})
    unprocessed = out["UnprocessedItems"].get("cap-batch", [])
    assert 1 <= 25 - len(unprocessed) <= 24, len(unprocessed)
    left = {r["PutRequest"]["Item"]["k"]["S"] for r in unprocessed}
    stored = {i["k"]["S"] for i in ddb.scan(TableName="cap-batch", ConsistentRead=True)["Items"] if i["k"]["S"][0] == "b"}
    assert stored == {f"b{n}" for n in range(25)} - left
    assert ddb.scan(TableName="cap-batch", ConsistentRead=True)["Count"] == before + 25 - len(unprocessed)
    # Reads: the read burst (300 units at 1 RCU, less what the scans took)
    # is spent one consistent read (one unit) at a time; BatchGetItem then
    # hands the keys back in UnprocessedKeys with the rest of the request.
    for _ in range(400):
        try:
            ddb.get_item(TableName="cap-batch", Key={"k": {"S": "b0"}}, ConsistentRead=True)
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            break
    else:
        raise AssertionError("reads were never throttled")
    # Nothing can be read: the call is refused (a few milliseconds of refill
    # may let one call through first, which puts the bucket 9 units in debt).
    assert refused_until_in_debt(lambda: ddb.batch_get_item(
        RequestItems={"cap-batch": {"Keys": [{"k": {"S": "large"}}], "ConsistentRead": True}})) == [
        "ProvisionedThroughputExceededException"]
    time.sleep(13.2)
    keys = [{"k": {"S": f"b{n}"}} for n in range(25)] + [{"k": {"S": f"none{n}"}} for n in range(25)]
    out = ddb.batch_get_item(RequestItems={"cap-batch": {"Keys": keys, "ConsistentRead": True}})
    again = out["UnprocessedKeys"].get("cap-batch", {"Keys": []})
    got = {i["k"]["S"] for i in out["Responses"]["cap-batch"]}
    assert 1 <= len(keys) - len(again["Keys"]) < len(keys), again
    assert got | {k["k"]["S"] for k in again["Keys"]} >= {f"b{n}" for n in range(25)} - left
    assert again["ConsistentRead"] is True  # the rest of the request, to send again as it is


def test_a_global_index_has_capacity_of_its_own(kura):
    ddb = kura.client("dynamodb")
    make_indexed_table(ddb, "cap-gsi", "KEYS_ONLY", {"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
                       {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    # A write the index holds costs the index too; one it does not hold does not.
    out = ddb.put_item(TableName="cap-gsi", Item={"k": {"S": "a"}, "g": {"S": "x"}, "v": {"S": "y" * 1500}},
                       ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert out["Table"]["CapacityUnits"] == 2 and out["GlobalSecondaryIndexes"]["by-g"]["CapacityUnits"] == 1
    assert out["CapacityUnits"] == 3
    out = ddb.put_item(TableName="cap-gsi", Item={"k": {"S": "b"}, "v": {"S": "z"}},
                       ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert "GlobalSecondaryIndexes" not in out and out["CapacityUnits"] == 1
    # The index's 1 WCU (300 units of burst) throttles the table's writes
    # long before the table's own 100 WCU would.
    landed = 0
    for i in range(400):
        try:
            ddb.put_item(TableName="cap-gsi", Item={"k": {"S": f"i{i}"}, "g": {"S": f"g{i % 7}"}})
            landed += 1
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            assert "global secondary indexes" in error.response["Error"]["Message"]
            break
    assert 295 <= landed <= 310, landed
    # Reads of the index take the index's read capacity, not the table's.
    throttled = False
    for _ in range(1000):
        try:
            ddb.scan(TableName="cap-gsi", IndexName="by-g")
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            throttled = True
            break
    assert throttled
    assert ddb.get_item(TableName="cap-gsi", Key={"k": {"S": "a"}})["Item"]["g"] == {"S": "x"}
    assert ddb.scan(TableName="cap-gsi", Select="COUNT")["Count"] == landed + 2


def test_batch_writes_charge_the_index_entries_they_remove(kura):
    ddb = kura.client("dynamodb")
    make_indexed_table(ddb, "cap-batch-gsi", "ALL")
    ddb.put_item(TableName="cap-batch-gsi", Item={"k": {"S": "a"}, "g": {"S": "x"}, "v": {"S": "y" * 1500}})
    ddb.put_item(TableName="cap-batch-gsi", Item={"k": {"S": "b"}, "g": {"S": "x"}})
    # Deleting an indexed item removes its index entry (2 units: 2 KB); a
    # put that moves the index key removes one entry and makes another.
    used = ddb.batch_write_item(RequestItems={"cap-batch-gsi": [
        {"DeleteRequest": {"Key": {"k": {"S": "a"}}}},
        {"PutRequest": {"Item": {"k": {"S": "b"}, "g": {"S": "z"}}}}]}, ReturnConsumedCapacity="INDEXES")
    assert used["ConsumedCapacity"] == [{"TableName": "cap-batch-gsi", "CapacityUnits": 7.0,
                                         "Table": {"CapacityUnits": 3.0},
                                         "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 4.0}}}]
    assert ddb.query(TableName="cap-batch-gsi", IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "z"}})["Items"] == [{"k": {"S": "b"}, "g": {"S": "z"}}]
    assert ddb.scan(TableName="cap-batch-gsi", IndexName="by-g")["Count"] == 1


def test_transactions_report_what_they_consume_with_their_indexes(kura):
    ddb = kura.client("dynamodb")
    make_indexed_table(ddb, "cap-txn", "ALL")
    used = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "cap-txn", "Item": {"k": {"S": "a"}, "g": {"S": "x"}, "v": {"S": "y" * 1500}}}},
        {"Put": {"TableName": "cap-txn", "Item": {"k": {"S": "b"}}}}],
        ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    # Twice each item's units: 2 KB -> 4 on the table and the index; 1 -> 2 on the table only.
    assert used == [{"TableName": "cap-txn", "CapacityUnits": 10.0, "Table": {"CapacityUnits": 6.0},
                     "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 4.0}}}]
    # Moving the index key deletes one entry and puts another.
    used = ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": "cap-txn", "Key": {"k": {"S": "a"}}, "UpdateExpression": "SET g = :g",
                    "ExpressionAttributeValues": {":g": {"S": "z"}}}}],
        ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"][0]
    assert used["Table"]["CapacityUnits"] == 4 and used["GlobalSecondaryIndexes"]["by-g"]["CapacityUnits"] == 8
    read = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "cap-txn", "Key": {"k": {"S": "a"}}}}],
                                  ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert read == [{"TableName": "cap-txn", "CapacityUnits": 2.0}]
    out = ddb.execute_transaction(TransactStatements=[{"Statement": "SELECT g FROM \"cap-txn\" WHERE k = 'a'"}],
                                  ReturnConsumedCapacity="TOTAL")
    assert out["Responses"][0]["Item"] == {"g": {"S": "z"}} and out["ConsumedCapacity"][0]["CapacityUnits"] == 2
