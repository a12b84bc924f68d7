"""DynamoDB secondary indexes: GSIs and LSIs kept in step with every kind
of write (put, update, delete, batch, transaction), sparse, projected,
queried and scanned with paging; created on a full table and deleted by
UpdateTable; kept through a backup and restore."""
import botocore.exceptions
import pytest


def code_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def ddb(kura):
    return kura.client("dynamodb")


def s(v):
    return {"S": v}


def n(v):
    return {"N": str(v)}


def make_orders(ddb, name):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in
                              [("pk", "S"), ("sk", "S"), ("status", "S"), ("total", "N"), ("placed", "S")]],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                                     {"AttributeName": "total", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}}],
        LocalSecondaryIndexes=[
            {"IndexName": "by-placed", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                     {"AttributeName": "placed", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def by_status(ddb, table, status, **kwargs):
    return ddb.query(TableName=table, IndexName="by-status", KeyConditionExpression="#s = :s",
                     ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": s(status)},
                     **kwargs)


def test_indexes_follow_every_write(ddb):
    make_orders(ddb, "orders")
    described = ddb.describe_table(TableName="orders")["Table"]
    assert described["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert described["LocalSecondaryIndexes"][0]["IndexName"] == "by-placed"
    for i in range(6):
        ddb.put_item(TableName="orders", Item={"pk": s("cust-1"), "sk": s(f"order-{i}"), "status": s("OPEN"),
                                               "total": n(100 - i * 10), "placed": s(f"2026-11-{20 + i}"),
                                               "note": s(f"n{i}"), "secret": s("not projected")})
    ddb.put_item(TableName="orders", Item={"pk": s("cust-2"), "sk": s("draft"), "total": n(5)})  # sparse: no status
    items = by_status(ddb, "orders", "OPEN")["Items"]
    assert [int(i["total"]["N"]) for i in items] == [50, 60, 70, 80, 90, 100]  # sort key order
    assert set(items[0]) == {"pk", "sk", "status", "total", "note"}  # INCLUDE projection
    desc = by_status(ddb, "orders", "OPEN", ScanIndexForward=False, Limit=2)
    assert [int(i["total"]["N"]) for i in desc["Items"]] == [100, 90]
    assert desc["LastEvaluatedKey"] == {"pk": s("cust-1"), "sk": s("order-1"), "status": s("OPEN"), "total": n(90)}
    rest = by_status(ddb, "orders", "OPEN", ScanIndexForward=False, ExclusiveStartKey=desc["LastEvaluatedKey"])
    assert [int(i["total"]["N"]) for i in rest["Items"]] == [80, 70, 60, 50]
    ranged = ddb.query(TableName="orders", IndexName="by-status",
                       KeyConditionExpression="#s = :s AND #t BETWEEN :lo AND :hi",
                       ExpressionAttributeNames={"#s": "status", "#t": "total"},
                       ExpressionAttributeValues={":s": s("OPEN"), ":lo": n(60), ":hi": n(80)})["Items"]
    assert [int(i["total"]["N"]) for i in ranged] == [60, 70, 80]

    # Update moves an item between index keys; delete removes it.
    ddb.update_item(TableName="orders", Key={"pk": s("cust-1"), "sk": s("order-0")},
                    UpdateExpression="SET #s = :c", ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":c": s("CLOSED")})
    assert [i["sk"]["S"] for i in by_status(ddb, "orders", "CLOSED")["Items"]] == ["order-0"]
    assert len(by_status(ddb, "orders", "OPEN")["Items"]) == 5
    ddb.delete_item(TableName="orders", Key={"pk": s("cust-1"), "sk": s("order-0")})
    assert by_status(ddb, "orders", "CLOSED")["Items"] == []
    # Batch and transaction writes too.
    ddb.batch_write_item(RequestItems={"orders": [
        {"PutRequest": {"Item": {"pk": s("cust-3"), "sk": s("b1"), "status": s("HELD"), "total": n(1)}}},
        {"DeleteRequest": {"Key": {"pk": s("cust-1"), "sk": s("order-1")}}}]})
    assert [i["sk"]["S"] for i in by_status(ddb, "orders", "HELD")["Items"]] == ["b1"]
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": "orders", "Key": {"pk": s("cust-3"), "sk": s("b1")},
                    "UpdateExpression": "SET #s = :o", "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":o": s("OPEN")}}}])
    assert by_status(ddb, "orders", "HELD")["Items"] == []
    assert len(by_status(ddb, "orders", "OPEN")["Items"]) == 5

    # LSI: same partition, another sort key, keys only.
    local = ddb.query(TableName="orders", IndexName="by-placed", KeyConditionExpression="pk = :p AND placed >= :d",
                      ExpressionAttributeValues={":p": s("cust-1"), ":d": s("2026-11-24")})["Items"]
    assert [i["placed"]["S"] for i in local] == ["2026-11-24", "2026-11-25"]
    assert set(local[0]) == {"pk", "sk", "placed"}

    # Scan of an index: only the indexed items, paged.
    seen, start = [], None
    for _ in range(10):
        page = ddb.scan(TableName="orders", IndexName="by-status", Limit=2,
                        **({"ExclusiveStartKey": start} if start else {}))
        seen += [(i["pk"]["S"], i["sk"]["S"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert len(seen) == len(set(seen)) == 5 and ("cust-2", "draft") not in seen
    counts = {i["IndexName"]: i["ItemCount"] for i in ddb.describe_table(TableName="orders")["Table"]["GlobalSecondaryIndexes"]}
    assert counts == {"by-status": 5}


def test_index_errors(ddb):
    make_orders(ddb, "orders-errors")
    assert code_of(ddb.query, TableName="orders-errors", IndexName="nope", KeyConditionExpression="pk = :p",
                   ExpressionAttributeValues={":p": s("x")})[0] == "ValidationException"
    assert "Consistent reads are not supported" in code_of(
        ddb.query, TableName="orders-errors", IndexName="by-status", ConsistentRead=True,
        KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": s("OPEN")})[1]
    code, message = code_of(ddb.put_item, TableName="orders-errors",
                            Item={"pk": s("a"), "sk": s("b"), "status": n(1)})
    assert code == "ValidationException" and "Type mismatch for Index Key status" in message
    code, message = code_of(ddb.create_table, TableName="bad-lsi", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                  {"AttributeName": "x", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            LocalSecondaryIndexes=[{"IndexName": "lsi-x", "KeySchema": [
                                {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}])
    assert code == "ValidationException" and "range key" in message
    assert code_of(ddb.create_table, TableName="unused-attr", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "y", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])[0] == "ValidationException"


def test_index_created_on_a_full_table_then_deleted(ddb):
    ddb.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    for i in range(30):
        ddb.put_item(TableName="users", Item={"id": s(f"u{i}"), "email": s(f"user{i}@example.com")})
    ddb.update_table(TableName="users", AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}])
    found = ddb.query(TableName="users", IndexName="by-email", KeyConditionExpression="email = :e",
                      ExpressionAttributeValues={":e": s("user7@example.com")})["Items"]
    assert [i["id"]["S"] for i in found] == ["u7"]
    ddb.put_item(TableName="users", Item={"id": s("new"), "email": s("new@example.com")})
    assert ddb.query(TableName="users", IndexName="by-email", KeyConditionExpression="email = :e",
                     ExpressionAttributeValues={":e": s("new@example.com")})["Count"] == 1
    ddb.update_table(TableName="users", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-email"}}])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName="users")["Table"]
    assert code_of(ddb.query, TableName="users", IndexName="by-email", KeyConditionExpression="email = :e",
                   ExpressionAttributeValues={":e": s("new@example.com")})[0] == "ValidationException"


def test_indexes_survive_backup_and_restore(ddb):
    make_orders(ddb, "orders-bk")
    ddb.put_item(TableName="orders-bk", Item={"pk": s("c"), "sk": s("1"), "status": s("OPEN"), "total": n(3)})
    arn = ddb.create_backup(TableName="orders-bk", BackupName="orders-bk-1")["BackupDetails"]["BackupArn"]
    ddb.restore_table_from_backup(TargetTableName="orders-bk-restored", BackupArn=arn)
    assert [i["sk"]["S"] for i in by_status(ddb, "orders-bk-restored", "OPEN")["Items"]] == ["1"]
