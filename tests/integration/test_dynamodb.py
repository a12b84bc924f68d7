"""DynamoDB through boto3 and the AWS CLI: tables, items with expressions,
Query and Scan, batches, backups, and every item read back."""
import botocore.exceptions
import pytest


def code_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def ddb(kura_factory):
    return kura_factory().client("dynamodb")


def make_table(ddb, name, range_key=None, range_type="S"):
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        definitions.append({"AttributeName": range_key, "AttributeType": range_type})
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    ddb.create_table(TableName=name, AttributeDefinitions=definitions, KeySchema=schema, BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 20})


def test_runbook_create_table_backup_and_restore_with_the_cli(kura_factory):
    server = kura_factory()
    server.aws("dynamodb", "create-table", "--table-name", "user-table",
               "--attribute-definitions", "AttributeName=UserID,AttributeType=S",
               "--key-schema", "AttributeName=UserID,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
    server.aws("dynamodb", "put-item", "--table-name", "user-table", "--item", '{"UserID":{"S":"u1"},"Name":{"S":"Hanako"}}')
    backup = server.aws("dynamodb", "create-backup", "--table-name", "user-table",
                        "--backup-name", "user-table-backup-20250630")
    arn = backup["BackupDetails"]["BackupArn"]
    assert arn.startswith("arn:aws:dynamodb:ap-northeast-1:000000000000:table/user-table/backup/")
    server.aws("dynamodb", "put-item", "--table-name", "user-table", "--item", '{"UserID":{"S":"u2"}}')
    server.aws("dynamodb", "restore-table-from-backup", "--target-table-name", "user-table-restore", "--backup-arn", arn)
    restored = server.aws("dynamodb", "scan", "--table-name", "user-table-restore")
    assert restored["Items"] == [{"UserID": {"S": "u1"}, "Name": {"S": "Hanako"}}]
    assert server.aws("dynamodb", "scan", "--table-name", "user-table")["Count"] == 2


def test_table_lifecycle_and_errors(ddb):
    make_table(ddb, "life")
    assert "life" in ddb.list_tables()["TableNames"]
    table = ddb.describe_table(TableName="life")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == "arn:aws:dynamodb:ap-northeast-1:000000000000:table/life"
    assert code_of(ddb.create_table, TableName="life", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST") == \
        "ResourceInUseException"
    # (Debian's botocore predates DeletionProtectionEnabled, so it is not exercised here.)
    ddb.delete_table(TableName="life")
    assert code_of(ddb.describe_table, TableName="life") == "ResourceNotFoundException"
    assert code_of(ddb.get_item, TableName="life", Key={"pk": {"S": "x"}}) == "ResourceNotFoundException"


def test_items_with_conditions_and_updates(ddb):
    make_table(ddb, "items")
    ddb.put_item(TableName="items", Item={"pk": {"S": "a"}, "n": {"N": "1.50"}, "tags": {"SS": ["x"]}})
    assert ddb.get_item(TableName="items", Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1.5"}
    assert code_of(ddb.put_item, TableName="items", Item={"pk": {"S": "a"}},
                   ConditionExpression="attribute_not_exists(pk)") == "ConditionalCheckFailedException"
    answer = ddb.update_item(TableName="items", Key={"pk": {"S": "a"}},
                             UpdateExpression="SET n = n + :one, #s = if_not_exists(#s, :zero) ADD tags :t REMOVE gone",
                             ExpressionAttributeNames={"#s": "seen"},
                             ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}, ":t": {"SS": ["y"]}},
                             ReturnValues="ALL_NEW")
    item = answer["Attributes"]
    assert item["n"] == {"N": "2.5"} and item["seen"] == {"N": "0"} and sorted(item["tags"]["SS"]) == ["x", "y"]
    assert code_of(ddb.update_item, TableName="items", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :v",
                   ConditionExpression="n > :big", ExpressionAttributeValues={":v": {"N": "0"}, ":big": {"N": "100"}}) == \
        "ConditionalCheckFailedException"
    assert ddb.get_item(TableName="items", Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "2.5"}  # unchanged
    ddb.update_item(TableName="items", Key={"pk": {"S": "list"}}, UpdateExpression="SET l = list_append(if_not_exists(l, :e), :v)",
                    ExpressionAttributeValues={":e": {"L": []}, ":v": {"L": [{"S": "one"}]}})
    got = ddb.get_item(TableName="items", Key={"pk": {"S": "list"}}, ProjectionExpression="l[0]")["Item"]
    assert got == {"l": {"L": [{"S": "one"}]}}
    old = ddb.delete_item(TableName="items", Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["pk"] == {"S": "a"}
    assert "Item" not in ddb.get_item(TableName="items", Key={"pk": {"S": "a"}})


def test_plain_set_updates_match_the_general_path(ddb):
    """SET of whole top-level attributes to values rewrites the stored item
    without parsing it; a table whose changes are logged (point-in-time
    recovery) takes the general path. Both leave the same items."""
    make_table(ddb, "plain")
    make_table(ddb, "logged")
    ddb.update_continuous_backups(TableName="logged",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    item = {"pk": {"S": "a"}, "m": {"M": {"x": {"S": "a,}b\"c"}, "y": {"L": [{"N": "1"}, {"S": "]"}]}}},
            "é": {"S": "utf-8 name"}, "n": {"N": "5"}}
    updates = [
        ("SET n = :v", {":v": {"N": "007.50"}}, {}),                  # replaced, the number made canonical
        ("SET #a = :v, zz = :w", {":v": {"S": "first"}, ":w": {"BOOL": True}}, {"#a": "A"}),  # added
        ("SET #e = :v, m = :w", {":v": {"SS": ["p", "q"]}, ":w": {"NULL": True}}, {"#e": "é"}),
    ]
    for table in ("plain", "logged"):
        ddb.put_item(TableName=table, Item=item)
        for expression, values, names in updates:
            extra = {"ExpressionAttributeNames": names} if names else {}
            assert "Attributes" not in ddb.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression=expression,
                                                       ExpressionAttributeValues=values, **extra)
        # An update of an item that is not there makes it.
        ddb.update_item(TableName=table, Key={"pk": {"S": "new"}}, UpdateExpression="SET v = :v",
                        ExpressionAttributeValues={":v": {"S": "made"}})
    plain = ddb.scan(TableName="plain", ConsistentRead=True)["Items"]
    assert sorted(plain, key=lambda i: i["pk"]["S"]) == sorted(ddb.scan(TableName="logged", ConsistentRead=True)["Items"],
                                                               key=lambda i: i["pk"]["S"])
    got = ddb.get_item(TableName="plain", Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]
    assert got == {"pk": {"S": "a"}, "n": {"N": "7.5"}, "A": {"S": "first"}, "zz": {"BOOL": True},
                   "é": {"SS": ["p", "q"]}, "m": {"NULL": True}}
    assert {"pk": {"S": "new"}, "v": {"S": "made"}} in plain
    # An item that the update would take past 400 KB is refused and kept as it was.
    ddb.put_item(TableName="plain", Item={"pk": {"S": "big"}, "a": {"S": "x" * (300 * 1024)}})
    assert code_of(ddb.update_item, TableName="plain", Key={"pk": {"S": "big"}}, UpdateExpression="SET b = :v",
                   ExpressionAttributeValues={":v": {"S": "y" * (120 * 1024)}}) == "ValidationException"
    assert set(ddb.get_item(TableName="plain", Key={"pk": {"S": "big"}})["Item"]) == {"pk", "a"}
    # The key cannot be set; an unused value is refused; both before anything is read.
    assert code_of(ddb.update_item, TableName="plain", Key={"pk": {"S": "a"}}, UpdateExpression="SET pk = :v",
                   ExpressionAttributeValues={":v": {"S": "b"}}) == "ValidationException"
    assert code_of(ddb.update_item, TableName="plain", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :v",
                   ExpressionAttributeValues={":v": {"N": "1"}, ":w": {"N": "2"}}) == "ValidationException"
    assert ddb.get_item(TableName="plain", Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "7.5"}


def test_validation_errors(ddb):
    make_table(ddb, "checks")
    assert code_of(ddb.put_item, TableName="checks", Item={"other": {"S": "x"}}) == "ValidationException"
    assert code_of(ddb.put_item, TableName="checks", Item={"pk": {"N": "1"}}) == "ValidationException"
    assert code_of(ddb.put_item, TableName="checks", Item={"pk": {"S": ""}}) == "ValidationException"
    assert code_of(ddb.put_item, TableName="checks", Item={"pk": {"S": "big"}, "v": {"S": "x" * (401 * 1024)}}) == \
        "ValidationException"
    assert code_of(ddb.put_item, TableName="checks", Item={"pk": {"S": "x"}}, ConditionExpression="size(") == \
        "ValidationException"
    assert code_of(ddb.put_item, TableName="checks", Item={"pk": {"S": "x"}}, ConditionExpression="a = :v",
                   ExpressionAttributeValues={":v": {"S": "1"}, ":unused": {"S": "2"}}) == "ValidationException"
    assert code_of(ddb.get_item, TableName="checks", Key={"pk": {"S": "x"}, "extra": {"S": "y"}}) == "ValidationException"


def test_query_and_scan(ddb):
    make_table(ddb, "events", range_key="ts", range_type="N")
    with_batch = [{"PutRequest": {"Item": {"pk": {"S": "dev"}, "ts": {"N": str(n)}, "kind": {"S": "even" if n % 2 == 0 else "odd"}}}}
                  for n in range(1, 21)]
    ddb.batch_write_item(RequestItems={"events": with_batch})
    ddb.put_item(TableName="events", Item={"pk": {"S": "other"}, "ts": {"N": "5"}})
    result = ddb.query(TableName="events", KeyConditionExpression="pk = :p AND ts BETWEEN :a AND :b",
                       ExpressionAttributeValues={":p": {"S": "dev"}, ":a": {"N": "9"}, ":b": {"N": "12"}})
    assert [i["ts"]["N"] for i in result["Items"]] == ["9", "10", "11", "12"]  # numeric order, not text order
    result = ddb.query(TableName="events", KeyConditionExpression="pk = :p", FilterExpression="kind = :k",
                       ExpressionAttributeValues={":p": {"S": "dev"}, ":k": {"S": "even"}}, ScanIndexForward=False, Limit=4)
    assert [i["ts"]["N"] for i in result["Items"]] == ["20", "18"] and result["ScannedCount"] == 4
    page2 = ddb.query(TableName="events", KeyConditionExpression="pk = :p", FilterExpression="kind = :k",
                      ExpressionAttributeValues={":p": {"S": "dev"}, ":k": {"S": "even"}}, ScanIndexForward=False,
                      Limit=4, ExclusiveStartKey=result["LastEvaluatedKey"])
    assert [i["ts"]["N"] for i in page2["Items"]] == ["16", "14"]
    count = ddb.query(TableName="events", KeyConditionExpression="pk = :p", Select="COUNT",
                      ExpressionAttributeValues={":p": {"S": "dev"}})
    assert count["Count"] == 20 and "Items" not in count
    seen, start = [], None
    for _ in range(10):
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName="events", Limit=7, **kwargs)
        seen += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert len(seen) == 21
    segments = sum(ddb.scan(TableName="events", Segment=s, TotalSegments=3)["Count"] for s in range(3))
    assert segments == 21
    got = ddb.batch_get_item(RequestItems={"events": {"Keys": [{"pk": {"S": "dev"}, "ts": {"N": "3"}},
                                                               {"pk": {"S": "nope"}, "ts": {"N": "1"}}]}})
    assert [i["ts"]["N"] for i in got["Responses"]["events"]] == ["3"]


def test_backups_list_describe_delete(ddb):
    make_table(ddb, "bkp")
    ddb.put_item(TableName="bkp", Item={"pk": {"S": "1"}})
    arn = ddb.create_backup(TableName="bkp", BackupName="bk1")["BackupDetails"]["BackupArn"]
    assert [s["BackupName"] for s in ddb.list_backups(TableName="bkp")["BackupSummaries"]] == ["bk1"]
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableDetails"]["ItemCount"] == 1
    ddb.delete_backup(BackupArn=arn)
    assert code_of(ddb.describe_backup, BackupArn=arn) == "BackupNotFoundException"
    assert code_of(ddb.create_backup, TableName="missing", BackupName="xyz") == "TableNotFoundException"


def test_acknowledged_writes_survive_sigkill(kura_factory):
    server = kura_factory()
    ddb = server.client("dynamodb")
    make_table(ddb, "durable")
    for start in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={"durable": [{"PutRequest": {"Item": {"pk": {"S": str(n)}}}}
                                                       for n in range(start, start + 25)]})
    server.restart(sigkill=True)
    ddb = server.client("dynamodb")
    keys = set()
    start = None
    while True:
        page = ddb.scan(TableName="durable", **({"ExclusiveStartKey": start} if start else {}))
        keys |= {i["pk"]["S"] for i in page["Items"]}
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert keys == {str(n) for n in range(100)}


def test_transactions_are_all_or_nothing(ddb):
    make_table(ddb, "accounts")
    ddb.put_item(TableName="accounts", Item={"pk": {"S": "alice"}, "balance": {"N": "100"}})
    ddb.put_item(TableName="accounts", Item={"pk": {"S": "bob"}, "balance": {"N": "0"}})
    transfer = [
        {"Update": {"TableName": "accounts", "Key": {"pk": {"S": "alice"}},
                    "UpdateExpression": "SET balance = balance - :amount",
                    "ConditionExpression": "balance >= :amount",
                    "ExpressionAttributeValues": {":amount": {"N": "60"}}}},
        {"Update": {"TableName": "accounts", "Key": {"pk": {"S": "bob"}},
                    "UpdateExpression": "SET balance = balance + :amount",
                    "ExpressionAttributeValues": {":amount": {"N": "60"}}}},
    ]
    ddb.transact_write_items(TransactItems=transfer, ClientRequestToken="transfer-1")
    ddb.transact_write_items(TransactItems=transfer, ClientRequestToken="transfer-1")  # idempotent: applied once
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.transact_write_items(TransactItems=transfer)  # alice has 40 left: cancelled, bob untouched
    assert info.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in info.value.response["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    balances = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "accounts", "Key": {"pk": {"S": name}}}}
                                                     for name in ("alice", "bob")])["Responses"]
    assert [r["Item"]["balance"]["N"] for r in balances] == ["40", "60"]
    assert code_of(ddb.transact_write_items, TransactItems=transfer[:1], ClientRequestToken="transfer-1") == \
        "IdempotentParameterMismatchException"
    assert code_of(ddb.transact_write_items, TransactItems=[transfer[0], transfer[0]]) == "ValidationException"
