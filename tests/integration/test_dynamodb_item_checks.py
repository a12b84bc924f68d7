"""What DynamoDB refuses of an item holds for every way of writing it:
PutItem, UpdateItem and TransactWriteItems alike (a transaction's update
could rename an item's key, give an index key the wrong type or grow an
item past 400 KB). And the corners of the answers next to them: what
UPDATED_NEW returns of a nested update, Select with a projection, IN's
limit, empty attribute names. One server for the module."""
import boto3
import botocore.config
import botocore.exceptions
import pytest

V = "ValidationException"
BIG = "x" * (300 * 1024)


@pytest.fixture(scope="module")
def ddb(kura_factory):
    server = kura_factory()
    config = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
    client = boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="ap-northeast-1",
                          aws_access_key_id="test", aws_secret_access_key="test", config=config)
    client.create_table(TableName="items", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "g", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        GlobalSecondaryIndexes=[{"IndexName": "by_g", "Projection": {"ProjectionType": "ALL"},
                                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    return client


def refused(call, **request):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**request)
    return info.value.response


def item(ddb, key):
    return ddb.get_item(TableName="items", Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")


def update(key, expression, values=None, **extra):
    request = {"TableName": "items", "Key": {"pk": {"S": key}}, "UpdateExpression": expression, **extra}
    if values:
        request["ExpressionAttributeValues"] = values
    return request


def test_a_transaction_cannot_update_the_key(ddb):
    ddb.put_item(TableName="items", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    for expression, values in (("SET pk = :v", {":v": {"S": "b"}}), ("REMOVE pk", None)):
        error = refused(ddb.transact_write_items, TransactItems=[{"Update": update("a", expression, values)}])["Error"]
        assert (error["Code"], error["Message"]) == (
            V, "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
    assert item(ddb, "a") == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert item(ddb, "b") is None


def test_an_update_gives_no_index_key_a_wrong_type_or_an_empty_value(ddb):
    ddb.put_item(TableName="items", Item={"pk": {"S": "idx"}, "g": {"S": "good"}})
    mismatch = "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: by_g"
    for values, message in (({":v": {"N": "1"}}, mismatch),
                            ({":v": {"S": ""}}, "One or more parameter values are not valid. A value specified for a "
                                                "secondary index key is not supported. The AttributeValue for a key "
                                                "attribute cannot contain an empty string value. IndexName: by_g, "
                                                "IndexKey: g")):
        # The plain SET (Kura's fast path) and one with something to return.
        for extra in ({}, {"ReturnValues": "ALL_NEW"}):
            error = refused(ddb.update_item, **update("idx", "SET g = :v", values, **extra))["Error"]
            assert (error["Code"], error["Message"]) == (V, message)
        answer = refused(ddb.transact_write_items, TransactItems=[{"Update": update("idx", "SET g = :v", values)}])
        assert answer["Error"]["Code"] == "TransactionCanceledException"
        assert answer["CancellationReasons"] == [{"Code": "ValidationError", "Message": message}]
    assert item(ddb, "idx") == {"pk": {"S": "idx"}, "g": {"S": "good"}}
    keys = ddb.scan(TableName="items", IndexName="by_g")["Items"]
    assert [k["g"] for k in keys] == [{"S": "good"}]


def test_a_transaction_keeps_items_within_400_kb(ddb):
    error = refused(ddb.transact_write_items, TransactItems=[{"Put": {"TableName": "items", "Item": {
        "pk": {"S": "big"}, "a": {"S": BIG}, "b": {"S": BIG}}}}])["Error"]
    assert (error["Code"], error["Message"]) == (V, "Item size has exceeded the maximum allowed size")
    ddb.put_item(TableName="items", Item={"pk": {"S": "big"}, "a": {"S": BIG}})
    answer = refused(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": "items", "Item": {"pk": {"S": "beside"}}}},
        {"Update": update("big", "SET b = a")}])
    assert answer["Error"]["Code"] == "TransactionCanceledException"
    assert answer["CancellationReasons"] == [
        {"Code": "None"}, {"Code": "ValidationError", "Message": "Item size to update has exceeded the maximum allowed size"}]
    assert set(item(ddb, "big")) == {"pk", "a"}
    assert item(ddb, "beside") is None


def test_an_update_that_cannot_be_made_cancels_the_transaction_with_its_reason(ddb):
    answer = refused(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": "items", "Item": {"pk": {"S": "first"}}}},
        {"Update": update("second", "SET v = nope + :one", {":one": {"N": "1"}})}])
    assert answer["Error"]["Code"] == "TransactionCanceledException"
    assert answer["Error"]["Message"] == ("Transaction cancelled, please refer cancellation reasons for specific "
                                          "reasons [None, ValidationError]")
    assert answer["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError",
         "Message": "The provided expression refers to an attribute that does not exist in the item"}]
    assert item(ddb, "first") is None


def test_updated_new_and_old_return_the_updated_paths_only(ddb):
    ddb.put_item(TableName="items", Item={"pk": {"S": "movie"}, "info": {"M": {
        "plot": {"S": "long"}, "rating": {"N": "5"}}}, "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}})
    new = ddb.update_item(**update("movie", "SET info.rating = info.rating + :v, l[1] = :x",
                                   {":v": {"N": "1.5"}, ":x": {"S": "two"}}, ReturnValues="UPDATED_NEW"))
    assert new["Attributes"] == {"info": {"M": {"rating": {"N": "6.5"}}}, "l": {"L": [{"S": "two"}]}}
    old = ddb.update_item(**update("movie", "REMOVE info.plot", ReturnValues="UPDATED_OLD"))
    assert old["Attributes"] == {"info": {"M": {"plot": {"S": "long"}}}}
    # A removal that changed nothing returns nothing.
    assert "Attributes" not in ddb.update_item(**update("movie", "REMOVE l[7]", ReturnValues="UPDATED_OLD"))


def test_select_goes_with_a_projection_only_as_specific_attributes(ddb):
    for select in ("ALL_ATTRIBUTES", "COUNT"):
        error = refused(ddb.scan, TableName="items", Select=select, ProjectionExpression="pk")["Error"]
        assert (error["Code"], error["Message"]) == (
            V, f"Cannot specify the ProjectionExpression when choosing to get {select}")
    error = refused(ddb.scan, TableName="items", Select="ALL_PROJECTED_ATTRIBUTES")["Error"]
    assert (error["Code"], error["Message"]) == (
        V, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    assert ddb.scan(TableName="items", Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="pk")["Count"] >= 1
    assert ddb.scan(TableName="items", IndexName="by_g", Select="ALL_PROJECTED_ATTRIBUTES")["Count"] >= 1


def test_in_takes_at_most_100_candidates(ddb):
    def scan(count):
        values = {f":v{i}": {"N": str(i)} for i in range(count)}
        return ddb.scan(TableName="items", FilterExpression=f"n IN ({', '.join(values)})",
                        ExpressionAttributeValues=values)
    assert scan(100)["Count"] == 0
    error = refused(scan, count=101)["Error"]
    assert error["Code"] == V
    assert "Too many operands for the IN function" in error["Message"] and "101" in error["Message"]


def test_attribute_names_are_not_empty(ddb):
    error = refused(ddb.put_item, TableName="items", Item={"pk": {"S": "e"}, "": {"N": "1"}})["Error"]
    assert error["Code"] == V and "attribute name cannot be empty" in error["Message"]
    error = refused(ddb.update_item, **update("e", "SET #e = :v", {":v": {"N": "1"}},
                                              ExpressionAttributeNames={"#e": ""}))["Error"]
    assert (error["Code"], error["Message"]) == (
        V, "ExpressionAttributeNames contains invalid value: Empty attribute name for key #e")
    assert item(ddb, "e") is None


def test_delete_item_returns_all_old_or_nothing(ddb):
    ddb.put_item(TableName="items", Item={"pk": {"S": "d"}})
    error = refused(ddb.delete_item, TableName="items", Key={"pk": {"S": "d"}}, ReturnValues="ALL_NEW")["Error"]
    assert (error["Code"], error["Message"]) == (V, "ReturnValues can only be ALL_OLD or NONE")
    assert item(ddb, "d") is not None
    assert ddb.delete_item(TableName="items", Key={"pk": {"S": "d"}}, ReturnValues="ALL_OLD")["Attributes"] == {
        "pk": {"S": "d"}}


def test_batch_get_item_answers_16_mb_at_most_and_the_rest_later(ddb):
    value = "v" * (390 * 1024)
    names = [f"heavy{i:02d}" for i in range(45)]  # 45 items of 390 KB: over 17 MB
    for first in range(0, len(names), 5):
        ddb.batch_write_item(RequestItems={"items": [
            {"PutRequest": {"Item": {"pk": {"S": name}, "v": {"S": value}}}} for name in names[first:first + 5]]})
    request = {"items": {"Keys": [{"pk": {"S": name}} for name in names]}}
    answer = ddb.batch_get_item(RequestItems=request)
    got = [i["pk"]["S"] for i in answer["Responses"]["items"]]
    assert 0 < len(got) < len(names)
    assert sum(len(i["v"]["S"]) + 1 + len(i["pk"]["S"]) + 2 for i in answer["Responses"]["items"]) <= 16 * 1024 * 1024
    left = [k["pk"]["S"] for k in answer["UnprocessedKeys"]["items"]["Keys"]]
    assert sorted(got + left) == names
    again = ddb.batch_get_item(RequestItems=answer["UnprocessedKeys"])
    assert sorted(i["pk"]["S"] for i in again["Responses"]["items"]) == sorted(left)
    assert not again.get("UnprocessedKeys")
